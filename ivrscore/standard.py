"""The Standard: the written-down thresholds a phone tree is held to.

The source essays ask for "clear, measurable performance standards" and a list of no-nos. A
:class:`Standard` is that list: the thresholds the lint rules use, which rules run (``select``
/ ``ignore``, like a linter) and at what severity. Every default cites its source; where the
sources conflict (how broad a menu may be, what key 9 means) the default is documented and
configurable.

Load one from YAML (:meth:`Standard.load`) or from ``[tool.ivrscore]`` in ``pyproject.toml``
(:meth:`Standard.from_pyproject`).
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from .exceptions import Problem, TreeFileError
from .model.base import Model

__all__ = [
    "CRITERIA",
    "DEFAULT_FLUFF",
    "ERROR_CAP",
    "Criterion",
    "Severity",
    "Standard",
    "find_pyproject",
]

Severity = Literal["error", "warning", "info"]
"""How bad a finding is: ``error`` (a no-no), ``warning`` or ``info``."""

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}

DEFAULT_FLUFF: tuple[str, ...] = (
    r"options (have|has) (recently )?changed",
    r"listen (very )?carefully",
    r"your call is (very )?important",
    r"(visit|go to|find us) (us )?(online|our website)|\bonline at\b|\bwww\b|dot com|\.com\b|dot energy|dot co",
    r"did you know",
    r"(latest|special|great) (deals|offers?)|\bpromotion",
    r"experiencing (a )?(high|higher than (normal|usual)) (call )?volumes?",
)
"""Phrases that mark up-front fluff (rule IVR404): menu-changed notices, "your call is important",
web deflection, promotions, "high call volumes". From the GetHuman draft standard ("avoid
annoying phrases such as: your call is important to us; please listen carefully, as our menu
options have changed; you can access our website") and acixd "What not to include at the
beginning" (Balentine 2007; Rolandi 2005/2007; Kotelly 2006). Recording notices ("calls may be
recorded") are left out: they are often a legal requirement."""


class Criterion(Model):
    """One part of the score: a harm, what it costs per call, and how to read its metric.

    The score charges every call for what the design puts its caller through, in seconds of
    the caller's time or their equivalent (see :mod:`ivrscore.score`). A criterion charges one
    amount (``charges``, by default its ``metric``) at ``weight`` seconds-equivalent per unit:
    ``abandonment`` charges each abandoned call 600 s, ``effort`` each second of prompts and
    menus 1 s. ``target`` and ``limit`` are reading aids - what the sources call good and
    unacceptable for the metric - and do not change the score.

    Examples
    --------
    >>> c = Criterion(metric="abandoned", target=0.05, limit=0.30, weight=600)
    >>> c.amount, c.cost(0.2)
    ('abandoned', 120.0)
    """

    metric: str
    """The outcome, metric or amount shown as the criterion's value (``abandoned``,
    ``mean_time_to_human_s``, ``cut_off`` ...)."""
    weight: float = Field(ge=0.0)
    """Seconds-equivalent charged per unit of the amount (per call cut off, per second, ...)."""
    charges: str | None = None
    """The amount charged, when it is not ``metric`` itself (see :data:`ivrscore.score.AMOUNTS`)."""
    target: float = 0.0
    """What the sources call good for ``metric`` (a reading aid)."""
    limit: float = 0.0
    """What the sources call unacceptable for ``metric`` (a reading aid)."""
    laws: tuple[int, ...] = ()
    """The laws of the source essays the criterion serves."""
    source: str = ""
    """Where the weight, target and limit come from."""

    @property
    def amount(self) -> str:
        """The name of the amount charged."""
        return self.charges or self.metric

    def cost(self, amount: float) -> float:
        """Seconds-equivalent per call for ``amount`` of the charged quantity."""
        if amount is None or math.isnan(amount):
            return 0.0
        return self.weight * amount


CRITERIA: dict[str, Criterion] = {
    "resolution": Criterion(
        metric="p_resolved", charges="unresolved", weight=900, target=0.85, limit=0.40,
        laws=(9, 6, 8),
        source="an unresolved call means calling again: 900 s is about a whole second call "
        "(IVR, hold, explaining) - an assumption; first-contact resolution is the outcome "
        "callers want (ICMI); a callback or voicemail defers the resolution at the Standard's "
        "callback_credit and voicemail_credit",
    ),
    "hang_ups": Criterion(
        metric="cut_off", weight=600, target=0.0, limit=0.10, laws=(8, 6),
        source="GetHuman v1.0 #8: do not disconnect callers; 600 s for the call wasted on top "
        "of leaving it unresolved - an assumption, equal to giving up (so no design gains by "
        "its callers failing one way rather than the other)",
    ),
    "any_time_of_day": Criterion(
        metric="p_out_of_hours_disconnected", charges="cut_off_closed", weight=600,
        target=0.0, limit=0.10, laws=(3,),
        source="GetHuman v1.0 #4: out of hours, offer a callback or voicemail; law 3; the same "
        "600 s as any other call cut off",
    ),
    "abandonment": Criterion(
        metric="abandoned", weight=600, target=0.05, limit=0.30, laws=(8, 6),
        source="5-8% industry average, under 3% best in class (platform28); 600 s for the "
        "call wasted, as for a call cut off - an assumption",
    ),
    "time_to_human": Criterion(
        metric="mean_time_to_human_s", charges="human_s", weight=1, target=60.0, limit=600.0,
        laws=(8, 6),
        source="each second on hold costs a second; a caller who wants a person and never "
        "meets one costs the Standard's no_person_s (600 s: few will wait ten minutes); "
        "difficulty reaching an agent explained 61% of the variance in caller satisfaction "
        "(Vocal Laboratories via Larson & Bouzid 2005); 60% of consumers say a minute on hold "
        "is too long (Velaro survey)",
    ),
    "effort": Criterion(
        metric="mean_options_heard", charges="ok_ivr_s", weight=1, target=5.0, limit=20.0,
        laws=(8, 6),
        source="each second of prompts, menus and keying costs a second (AT&T saved $1M a "
        "year per second of introduction removed, Yudkowsky 2008 via Lewis 2011); one menu "
        "of at most five options (Avaya, Plum, AT&T)",
    ),
    "repeated_identity": Criterion(
        metric="p_repeat_identity", charges="ok_repeated", weight=60, target=0.0, limit=0.5,
        laws=(8, 6, 5),
        source="GetHuman v1.0 #3: never ask a caller to repeat information; 60 s to give an "
        "account number and date of birth again and the annoyance of it - an assumption",
    ),
    "passing_the_buck": Criterion(
        metric="mean_transfers", charges="ok_transfers", weight=65, target=0.05, limit=0.5,
        laws=(5,),
        source="a transfer costs about 65 s of explaining again (PolyAI's estimate of a blind "
        "transfer); 20-30% of calls need one in practice (platform28); law 5; the second "
        "queue's wait is counted as hold time",
    ),
    "no_nos": Criterion(
        metric="no_nos", charges="no_no_weight", weight=30, target=0.0, limit=1.0, laws=(8,),
        source="the essays ask for a list of no-nos that must never happen: each distinct "
        "error-severity rule the tree breaks costs 30 s per call, and 30 s x ln(n) more when it "
        "happens in n places - an assumption that keeps them visible in the number without a "
        "cliff",
    ),
}  # fmt: skip
"""The default criteria: each charges one harm at its weight in seconds-equivalent per call."""

ERROR_CAP = 69.0
"""Kept for compatibility: the score no longer caps at a value while no-nos remain (each
distinct no-no costs ``criteria.no_nos.weight`` instead)."""


class Standard(Model):
    """Thresholds and rule selection for linting (and, later, scoring) phone trees.

    Examples
    --------
    >>> std = Standard(max_task_options=7, ignore=["IVR207"])
    >>> std.max_task_options, std.is_selected("IVR207"), std.is_selected("IVR302")
    (7, False, True)
    >>> Standard(select=["IVR3"]).is_selected("IVR302")
    True
    """

    select: list[str] = Field(default_factory=lambda: ["ALL"])
    """Rules to run: codes (``IVR302``), prefixes (``IVR3``), slugs (``repeated-identity``) or ``ALL``."""
    ignore: list[str] = Field(default_factory=list)
    """Rules not to run, in the same forms as ``select``; ``ignore`` wins over ``select``."""
    severity: dict[str, Severity] = Field(default_factory=dict)
    """Severity overrides by rule code, e.g. ``{IVR207: warning}``."""

    max_task_options: Annotated[int, Field(ge=1, le=12)] = 5
    """IVR201 warns above this many task options in one menu.

    Default 5: guidelines cluster at 4-5 (Avaya IR: "four or five choices"; Plum: "no more than
    five"; AT&T: "limit ... to five"). Experiments favour broad menus over deep ones (Virzi &
    Huitema 1997; Commarford et al. 2008), so IVR201 never recommends adding a level, and a
    design team may raise this to 7 or more for clear, distinct options.
    """
    max_keys: Annotated[int, Field(ge=1, le=12)] = 9
    """IVR201 is an error above this many task options: keys 1-9 are all there are (0, * and #
    are reserved), 8 if key 9 is reserved (see ``key_9``)."""
    max_menu_depth: Annotated[int, Field(ge=1)] = 3
    """IVR202 warns when a task's route passes more menus than this.

    Default 3: "limit the number of menu levels to three" (AT&T voice-mail manual); "keep the
    menu depth to three or less" (VUI Post)."""
    min_retries: Annotated[int, Field(ge=0)] = 1
    """IVR303 warns below this many re-prompts ("one to two progressively more directed
    reprompts", Rolandi 2004 via acixd)."""
    max_attempts: Annotated[int, Field(ge=1)] = 3
    """IVR303 warns above this many attempts in all ("two to three attempts at each question";
    Avaya: "no more than two or three tries")."""
    timeout_range_s: tuple[float, float] = (3.0, 10.0)
    """IVR304 warns when a no-input timeout is outside this range ("between 3 and 10 seconds
    depending on the menu complexity", ISO/IEC 13714 as summarised by iTAMS)."""
    max_prompt_s: Annotated[float, Field(gt=0)] = 20.0
    """IVR401 warns when one prompt is longer ("instructional prompts ... preferably not exceed
    twenty seconds", Plum)."""
    max_preamble_s: Annotated[float, Field(gt=0)] = 8.0
    """IVR402 warns when the audio before the first chance to choose is longer (Fortune-500
    IVRs: introductions under 8 s, Software Advice 2014 via Cyara)."""
    max_seconds_to_human: Annotated[float, Field(gt=0)] = 60.0
    """IVR403 warns when the fastest way to a person takes longer in the menus (listening and
    keying, before any queue). Default 60 s: about the mean time callers spend in an IVR
    (48 s mean, 40 s median over 3.8 million calls, VCC Live 2023), so the way to a person
    should not take longer than a typical caller's whole IVR visit. No source gives a limit."""
    fluff_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_FLUFF))
    """Regular expressions (case-insensitive) that mark up-front fluff for IVR404."""
    max_transfers: Annotated[int, Field(ge=0)] = 1
    """IVR502 warns when a caller can be transferred between humans more often than this."""
    announce_wait_over_s: Annotated[float, Field(ge=0)] = 30.0
    """IVR503 warns when a queue whose expected wait is longer does not announce it ("especially
    if the estimated wait is over some criterion, such as 30 seconds", videsign "Transfers")."""
    callback_wait_s: Annotated[float, Field(ge=0)] = 180.0
    """IVR505 warns when a queue's expected wait is this long or longer and no callback is
    offered ("if wait >= 3 minutes, offer a callback", The VUI Post)."""
    demand_margin: Annotated[float, Field(ge=0, le=1)] = 0.02
    """IVR207 reports an option spoken after one at least this much less in demand (share of
    callers), so near-ties are not reported."""
    criteria: dict[str, Criterion] = Field(default_factory=lambda: dict(CRITERIA))
    """Score criteria by name; a file may override any field of any default criterion, e.g.
    ``criteria: {abandonment: {weight: 900}}``, or add new ones (``metric`` and ``weight`` at
    least: ``{metric: mean_keypresses, weight: 2}`` charges 2 s per key press)."""
    score_scale_s: Annotated[float, Field(gt=0)] = 800.0
    """The cost per call, in seconds-equivalent, that scores 50: the score is
    ``100 / (1 + (cost / score_scale_s) ** 2)``, so a tree whose calls cost a tenth of it scores
    99, half of it 80, twice it 20. Default 800 s (about 13 minutes of a caller's time): a
    judgement, set so that a line whose average call wastes a quarter of an hour fails."""
    callback_credit: Annotated[float, Field(ge=0, le=1)] = 0.95
    """Share of an unresolved call's cost a callback takes away (a callback is a deferred
    resolution). Default 0.95: an assumption - the caller is called back and helped, at the
    cost of taking that call (about 45 s at the default 900 s for an unresolved call)."""
    voicemail_credit: Annotated[float, Field(ge=0, le=1)] = 0.6
    """Share of an unresolved call's cost a voicemail takes away. Default 0.6: an assumption -
    a message may be answered, with no promise of when."""
    no_person_s: Annotated[float, Field(ge=0)] = 600.0
    """Seconds-equivalent charged under ``time_to_human`` for each caller who wants a person
    (``wants_human``) and ends the call without meeting one (a callback brings a person).
    Default 600 s: the ten minutes few callers will wait, so a line where no one can reach a
    person is charged as a long wait, not given full marks."""
    error_cap: Annotated[float, Field(ge=0, le=100)] | None = None
    """No longer used: the score is not capped while no-nos remain; each distinct no-no costs
    ``criteria.no_nos.weight`` seconds-equivalent per call. Accepted (with a warning) so that
    older Standard files still load."""
    key_9: Literal["any", "repeat", "end_call", "language"] = "any"
    """What key 9 must mean (IVR205). Sources conflict: ISO/IEC 13714 (via iTAMS) and AS/NZS
    4263 reserve 9 to end the call, the GetHuman draft to change language, many trees use it to
    repeat. Default ``any``: no convention is enforced; set one to hold your trees to it."""

    @field_validator("criteria", mode="before")
    @classmethod
    def _merge_criteria(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        merged: dict[str, Any] = {k: c.model_dump() for k, c in CRITERIA.items()}
        for name, given in v.items():
            if isinstance(given, Criterion):
                merged[name] = given
            elif isinstance(given, dict) and name in merged:
                merged[name] = {**merged[name], **given}
            else:
                merged[name] = given
        return merged

    @field_validator("error_cap")
    @classmethod
    def _old_cap(cls, v: float | None) -> float | None:
        if v is not None:
            warnings.warn(
                "error_cap no longer caps the score: each distinct no-no costs "
                "criteria.no_nos.weight seconds-equivalent per call instead",
                UserWarning,
                stacklevel=2,
            )
        return v

    @field_validator("select", "ignore")
    @classmethod
    def _known_selectors(cls, v: list[str]) -> list[str]:
        for item in v:
            if not item or not isinstance(item, str):
                raise ValueError("rule selectors are codes (IVR302), prefixes (IVR3) or slugs")
        from .lint import selector_problem  # the catalogue imports this module: import late

        for item in v:
            problem = selector_problem(item)
            if problem is not None:
                raise ValueError(problem)
        return v

    @field_validator("severity")
    @classmethod
    def _known_codes(cls, v: dict[str, Severity]) -> dict[str, Severity]:
        from .lint import RULES

        for code in v:
            if code not in RULES:
                from ._text import did_you_mean

                hint = did_you_mean(code.upper(), RULES)
                raise ValueError(f"{code!r} is not a rule code" + (f"; {hint}" if hint else ""))
        return v

    # -- selection ------------------------------------------------------------------------------

    def is_selected(self, code: str, slug: str | None = None) -> bool:
        """Whether the rule with ``code`` (and ``slug``) runs under this standard."""

        def matches(sel: str) -> bool:
            s = sel.strip()
            return (
                s.upper() == "ALL" or code.startswith(s.upper()) or (slug is not None and s == slug)
            )

        return any(matches(s) for s in self.select) and not any(matches(s) for s in self.ignore)

    def severity_of(self, code: str, default: Severity) -> Severity:
        """The severity of a rule under this standard."""
        return self.severity.get(code, default)

    # -- loading --------------------------------------------------------------------------------

    @classmethod
    def from_data(cls, data: Any, *, source: str | None = None) -> Standard:
        """Validate plain data as a Standard, with errors that name the file."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise TreeFileError.single("a standard is a mapping of settings", file=source)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = []
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in err["loc"])
                msg = str(err["msg"]).removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    from ._text import did_you_mean

                    key = str(err["loc"][-1])
                    problems.append(
                        Problem(
                            f"unknown setting '{key}'",
                            file=source,
                            hint=did_you_mean(key, cls.model_fields),
                        )
                    )
                else:
                    problems.append(Problem(f"{where}: {msg}", file=source))
            raise TreeFileError(problems) from None

    @classmethod
    def load(cls, path: str | Path) -> Standard:
        """Load a Standard from a YAML file (or a ``pyproject.toml``'s ``[tool.ivrscore]``)."""
        p = Path(path)
        if p.name == "pyproject.toml" or p.suffix == ".toml":
            found = cls.from_pyproject(p)
            return found if found is not None else cls()
        from .io import read_document

        data, _ = read_document(_read_text(p, "standards"), source=str(p))
        return cls.from_data(data, source=str(p))

    @classmethod
    def from_pyproject(cls, path: str | Path) -> Standard | None:
        """The Standard in ``[tool.ivrscore]`` of a ``pyproject.toml``, or ``None`` if absent."""
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
        p = Path(path)
        try:
            data = tomllib.loads(_read_text(p, "pyproject.toml files"))
        except tomllib.TOMLDecodeError as exc:
            raise TreeFileError.single(f"malformed TOML: {exc}", file=str(p)) from None
        tool = data.get("tool", {})
        section = tool.get("ivrscore") if isinstance(tool, dict) else None
        if section is None:
            return None
        if not isinstance(section, dict):
            raise TreeFileError.single(
                "[tool.ivrscore] should be a table of settings",
                file=str(p),
                hint="write the settings under a [tool.ivrscore] heading",
            )
        section = {str(k).replace("-", "_"): v for k, v in section.items()}
        return cls.from_data(section, source=f"{p} [tool.ivrscore]")


def _read_text(path: Path, what: str) -> str:
    """A settings file's text: an ordinary file, bounded in size, in UTF-8 (else one line)."""
    from .io import read_bounded

    raw = read_bounded(path, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TreeFileError.single(
            f"not UTF-8 text (byte {exc.start})", file=str(path), hint="save the file as UTF-8"
        ) from None


MAX_PYPROJECT_BYTES = 1_000_000
"""How much of a ``pyproject.toml`` :func:`find_pyproject` reads looking for ``[tool.ivrscore]``."""


def find_pyproject(start: str | Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.ivrscore]`` section, from ``start`` upward."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                with candidate.open("rb") as f:
                    head = f.read(MAX_PYPROJECT_BYTES)
            except OSError:
                continue
            if b"[tool.ivrscore" in head:
                return candidate
    return None
