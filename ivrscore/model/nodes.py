"""Node types of a phone tree: a discriminated union on ``type``.

Every node may have ``prompt`` (what the caller hears), ``duration_s`` (overrides the
words-per-minute estimate), ``ignore`` (rule codes to suppress on this node) and ``meta``
(free-form, preserved). Targets (``next``, ``on_failure`` …) are node ids; the tree checks that
they exist.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .base import Meta, Model, meta_field
from .callers import Probability, QueueWait
from .staffing import Roster, check_roster

__all__ = [
    "HUMAN_TYPES",
    "NODE_TYPES",
    "TERMINAL_TYPES",
    "Agent",
    "Branch",
    "Callback",
    "Condition",
    "Hangup",
    "Input",
    "Menu",
    "Message",
    "Node",
    "Option",
    "Queue",
    "SelfService",
    "Staffing",
    "Voicemail",
]

RULE_CODE = re.compile(r"^IVR\d{3}$")
KEY = re.compile(r"^[0-9*#]$")

Modality = Literal["dtmf", "speech", "both"]
"""How a caller answers: keypad (``dtmf``), voice (``speech``) or either (``both``)."""


class _Node(Model):
    prompt: str | None = None
    """What the caller hears at this node."""
    duration_s: Annotated[float, Field(ge=0.0)] | None = None
    """Seconds this node's audio lasts; overrides the estimate from the prompt's words."""
    ignore: tuple[str, ...] = ()
    """Rule codes not to report on this node, e.g. ``[IVR404]`` for a legally required notice."""
    meta: Meta = meta_field()

    @field_validator("ignore")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            if not RULE_CODE.match(code):
                raise ValueError(f"{code!r} is not a rule code; codes look like IVR302")
        return v

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        """Every node id this node can send the caller to, with the document path of the reference."""
        return []


class Message(_Node):
    """Plays its prompt, then goes to ``next``. A message without ``next`` is a dead end."""

    type: Literal["message"] = "message"
    next: str | None = None
    """Where the call goes after the message."""

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        return [(self.next, ("next",))] if self.next is not None else []


class Option(Model):
    """One choice in a menu."""

    say: str | None = None
    """The words for this option, e.g. ``"For bills and payments, press 1."``"""
    next: str
    """Where the option goes. An option back to the same menu is a "repeat the options" key."""
    speech: tuple[str, ...] = ()
    """Phrases a caller can say instead of pressing the key."""
    for_: tuple[str, ...] | None = Field(default=None, alias="for")
    """The tasks this option says it serves, e.g. ``for: [report_fault, broadband_setup]``.

    Callers choose by what an option promises. Without ``for:`` the promise is read from the
    option's words (``say:`` and ``speech:``) against each task's ``words:`` (or the words of
    its name); when no option of the menu promises a caller's task, the caller falls back to
    the option whose path serves it best. Rule IVR506 reports a promise the path does not keep.
    """
    meta: Meta = meta_field()


class _Asks(_Node):
    timeout_s: Annotated[float, Field(gt=0.0)] = 5.0
    """Seconds of silence after the prompt before a no-input re-prompt (guidelines: 3-10 s)."""
    retries: Annotated[int, Field(ge=0, le=20)] = 2
    """Re-prompts after a no-input or an invalid entry, before ``on_failure``."""
    on_failure: str | None = None
    """Where the caller goes when retries run out. Missing means the call is hung up (a finding)."""
    barge_in: bool = True
    """Whether a key press interrupts the prompt (dial-through)."""
    modality: Modality | None = None
    """``dtmf`` (default), ``speech`` or ``both``; options with ``speech:`` phrases imply ``both``."""


class Menu(_Asks):
    """Plays ``prompt`` then each option's ``say``; the caller presses a key (or says a phrase)."""

    type: Literal["menu"] = "menu"
    options: dict[str, Option] = Field(min_length=1)
    """Options keyed by DTMF key ``0-9``, ``*`` or ``#``, in the order they are spoken."""

    @field_validator("options", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {(k if isinstance(k, str) else str(k)): o for k, o in v.items()}
        return v

    @field_validator("options")
    @classmethod
    def _valid_keys(cls, v: dict[str, Option]) -> dict[str, Option]:
        for key in v:
            if not KEY.match(key):
                raise ValueError(f"option key {key!r} is not a telephone key; use 0-9, * or #")
        return v

    @property
    def effective_modality(self) -> Modality:
        """The modality, inferring ``both`` when options carry speech phrases."""
        if self.modality is not None:
            return self.modality
        return "both" if any(o.speech for o in self.options.values()) else "dtmf"

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        out: list[tuple[str, tuple[str | int, ...]]] = [
            (o.next, ("options", k, "next")) for k, o in self.options.items()
        ]
        if self.on_failure is not None:  # "" too: a target that is not a node
            out.append((self.on_failure, ("on_failure",)))
        return out


class Input(_Asks):
    """Asks the caller to key (or say) a datum such as an account number."""

    type: Literal["input"] = "input"
    collects: str = Field(min_length=1)
    """Name of the datum collected, e.g. ``account_number``; asking twice is rule IVR302."""
    digits: Annotated[int, Field(ge=1, le=64)] | None = None
    """Number of digits expected (``None`` for variable length)."""
    zero_out: str | None = None
    """Where key 0 during entry goes (usually a human)."""
    next: str | None = None
    """Where the caller goes after a successful entry."""

    @property
    def effective_modality(self) -> Modality:
        """The modality (``dtmf`` unless set)."""
        return self.modality or "dtmf"

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        out: list[tuple[str, tuple[str | int, ...]]] = []
        for field in ("next", "zero_out", "on_failure"):
            value = getattr(self, field)
            if value is not None:
                out.append((value, (field,)))
        return out


class Condition(Model):
    """One test of a branch: exactly one of ``open``, ``closed`` or ``share``."""

    open: str | None = None
    """Schedule name: matches while that schedule is open."""
    closed: str | None = None
    """Schedule name: matches while that schedule is closed."""
    share: Probability | None = None
    """Matches for this share of the callers who reach the branch (conditions outside the tree,
    e.g. a known number). Shares of one branch add up to at most 1."""
    label: str | None = None
    """Words for reports, e.g. ``"caller is a business customer"``."""
    next: str
    """Where a matching caller goes."""
    meta: Meta = meta_field()

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [k for k in ("open", "closed", "share") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition needs exactly one of 'open: SCHEDULE', 'closed: SCHEDULE' or "
                f"'share: P' (got {', '.join(given) or 'none'})"
            )
        return self

    def describe(self) -> str:
        """Plain words for the condition."""
        if self.label:
            return self.label
        if self.open is not None:
            return f"{self.open} open"
        if self.closed is not None:
            return f"{self.closed} closed"
        return f"{self.share:.0%} of callers"


MAX_CONDITIONS = 1_000
"""The most conditions one branch tests. Each way out of a branch holds only when every
condition before it failed, so the work grows with the square of their number; real branches
test a handful (10,000 made lint take a minute)."""


class Branch(_Node):
    """Sends the caller on by conditions tested in order (time of day, or a share of callers)."""

    type: Literal["branch"] = "branch"
    when: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)
    """Conditions, first match wins (at most :data:`MAX_CONDITIONS`)."""
    otherwise: str
    """Where the caller goes when no condition matches."""

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        out: list[tuple[str, tuple[str | int, ...]]] = [
            (c.next, ("when", i, "next")) for i, c in enumerate(self.when)
        ]
        out.append((self.otherwise, ("otherwise",)))
        return out


class Staffing(Model):
    """People behind a queue; makes the queue an Erlang A (M/M/N+M) system.

    Give ``agents`` and ``handle_time_s`` (or a shared ``pool:``). With ``calls_per_hour`` the
    queue is offered that many calls every hour of the week. Without it the tree needs a
    ``volume:``: the calls reaching the queue then follow from the menu, hour by hour.
    """

    agents: Roster | None = None
    """Agents answering this queue: one number, per schedule, or a 7x24 roster."""
    calls_per_hour: Annotated[float, Field(gt=0.0, le=1e8)] | None = None
    """Calls offered to the queue per hour, the same every hour (leave out with ``volume:``)."""
    handle_time_s: Annotated[float, Field(ge=1e-3, le=1e7)] | None = None
    """Average handling time per call, seconds."""
    pool: str | None = None
    """A pool of agents (tree-level ``pools:``) this queue shares with others."""
    meta: Meta = meta_field()

    _check_agents = field_validator("agents", mode="before")(check_roster)

    @model_validator(mode="after")
    def _who_answers(self) -> Staffing:
        if self.pool is not None:
            given = [k for k in ("agents", "handle_time_s", "calls_per_hour") if getattr(self, k)]
            if given:
                raise ValueError(
                    f"a queue answered by pool '{self.pool}' takes its agents and handling time "
                    f"from the pool; remove {', '.join(given)}"
                )
            return self
        missing = [k for k in ("agents", "handle_time_s") if getattr(self, k) is None]
        if missing:
            raise ValueError(f"staffing needs {' and '.join(missing)} (or a pool)")
        if self.calls_per_hour is not None and not isinstance(self.agents, int):
            raise ValueError(
                "a roster of agents needs the tree's volume: (leave out calls_per_hour, and "
                "the calls reaching the queue follow from the menu hour by hour)"
            )
        if self.calls_per_hour is not None and isinstance(self.agents, int) and self.agents < 1:
            raise ValueError("a queue offered calls every hour needs at least 1 agent")
        return self

    @property
    def is_fixed(self) -> bool:
        """Whether the queue is offered the same ``calls_per_hour`` every hour (no volume)."""
        return self.calls_per_hour is not None

    @property
    def offered_load(self) -> float:
        """Offered load in Erlangs of a fixed queue: ``calls_per_hour * handle_time_s / 3600``
        (NaN for a queue whose load follows from the tree's volume)."""
        if self.calls_per_hour is None or self.handle_time_s is None:
            return math.nan
        return self.calls_per_hour * self.handle_time_s / 3600.0


class Queue(_Node):
    """The caller waits for a human. ``wait`` gives the wait; ``staffing`` derives it (Erlang A)."""

    type: Literal["queue"] = "queue"
    open: str | None = None
    """Schedule name; outside it the caller goes to ``on_closed``."""
    on_closed: str | None = None
    """Where the caller goes when the queue is closed."""
    wait: QueueWait | None = None
    """The wait a caller with unlimited patience would face before an answer, e.g.
    ``{mean_s: 180}`` (exponential) or log-normal; or ``{asa_s: 90}``, the average speed of
    answer of the answered calls, as call statistics report it."""
    staffing: Staffing | None = None
    """Agents and load, for an Erlang A wait instead of ``wait``."""
    announces_wait: bool = False
    """Whether callers are told the expected wait."""
    callback: str | None = None
    """A callback node offered to callers while they wait."""
    next: str | None = None
    """The human who answers (usually an ``agent`` node)."""

    @model_validator(mode="after")
    def _wait_or_staffing(self) -> Queue:
        if self.wait is not None and self.staffing is not None:
            raise ValueError("give either 'wait' or 'staffing', not both")
        return self

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        out: list[tuple[str, tuple[str | int, ...]]] = []
        for field in ("next", "on_closed", "callback"):
            value = getattr(self, field)
            if value is not None:
                out.append((value, (field,)))
        return out


class Agent(_Node):
    """A human. Resolves the tasks in ``handles``; other callers go to ``transfer_to``."""

    type: Literal["agent"] = "agent"
    handles: tuple[str, ...] = ()
    """Tasks this human resolves."""
    asks: tuple[str, ...] = ()
    """Data this human asks for (again), e.g. ``[account_number, date_of_birth]``."""
    transfer_to: str | None = None
    """Where a caller whose task this human does not handle is sent."""

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        return [(self.transfer_to, ("transfer_to",))] if self.transfer_to is not None else []


class SelfService(_Node):
    """Automated service that resolves the tasks in ``handles``."""

    type: Literal["self_service"] = "self_service"
    handles: tuple[str, ...] = Field(min_length=1)
    """Tasks resolved here."""
    next: str | None = None
    """Where a caller whose task is not handled here goes (e.g. back to the main menu)."""

    def targets(self) -> list[tuple[str, tuple[str | int, ...]]]:
        return [(self.next, ("next",))] if self.next is not None else []


class Voicemail(_Node):
    """The caller leaves a message; the call ends."""

    type: Literal["voicemail"] = "voicemail"


class Callback(_Node):
    """The caller will be called back; the call ends unresolved, but not dropped."""

    type: Literal["callback"] = "callback"


class Hangup(_Node):
    """The system ends the call."""

    type: Literal["hangup"] = "hangup"


Node = Annotated[
    Message | Menu | Input | Branch | Queue | Agent | SelfService | Voicemail | Callback | Hangup,
    Field(discriminator="type"),
]
"""Any node, told apart by its ``type``."""

NODE_TYPES: tuple[str, ...] = (
    "message",
    "menu",
    "input",
    "branch",
    "queue",
    "agent",
    "self_service",
    "voicemail",
    "callback",
    "hangup",
)
"""Every node type, in the order reports list them."""

TERMINAL_TYPES = frozenset({"voicemail", "callback", "hangup"})
"""Types that end the call."""

HUMAN_TYPES = frozenset({"agent"})
"""Types that are a human."""
