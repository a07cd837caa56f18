"""Asterisk dialplans (``extensions.conf``).

The importer follows the dialplan from the IVR's entry the way Asterisk would, priority by
priority, and turns what a caller meets into nodes.

What maps to what
-----------------
* ``Background(...)`` then ``WaitExten(secs)`` -> a **menu**: each one-key extension of the
  context (and of contexts it includes) is an option; ``t`` is where silence goes and ``i``
  where a wrong key goes. Longer extensions (dial-by-extension) are kept under
  ``meta.source.extensions``. Words come from sound file names, or from a script quoted in the
  comment above the context (``"... press one ..."``) when there is one.
* ``Playback`` -> message; ``Read(var,prompt,digits,,attempts,timeout)`` -> input;
  ``Queue(name,,,,timeout)`` -> a queue and its agents (members from a ``queues.conf`` passed
  as a resource); ``Dial`` -> a person; ``VoiceMail`` -> voicemail; ``Hangup`` -> hang-up;
  ``VoiceMailMain``, ``Directory``, ``ConfBridge`` … -> self-service.
* ``Goto`` / ``GotoIf`` / ``GotoIfTime`` are followed: ``GotoIfTime(08:00-17:00,mon-fri,*,*?a:b)``
  -> a branch on a schedule with those hours; ``GotoIf`` on data -> even shares.
* Running off the end of an extension hangs up (``autofallthrough``). Targets built from
  variables (``${EXTEN}`` is known; others are not) end the path, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import TreeFileError
from ._builder import END, FlowBuilder, Imported, slug, words_from_file

__all__ = ["read_asterisk"]

_SKIP = {
    "answer",
    "wait",
    "noop",
    "verbose",
    "ringing",
    "progress",
    "log",
    "mixmonitor",
    "monitor",
    "set",
    "setvar",
    "execif",
    "system",
    "dumpchan",
    "playtones",
    "stopplaytones",
    "cdr",
    "resetcdr",
    "nocdr",
    "setcallerpres",
    "macro",
    "gosub",
    "gosubif",
    "agi",
    "userevent",
    "chanisavail",
}
_SERVICES = {
    "voicemailmain": "voicemail box",
    "directory": "company directory",
    "confbridge": "conference",
    "meetme": "conference",
    "echo": "echo test",
    "page": "paging",
    "musiconhold": "music on hold",
    "sayunixtime": "time of day",
    "festival": "speech",
}
_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "star": "*",
    "pound": "#",
    "hash": "#",
}


_CALL_APPS = {"queue", "dial", "voicemail", "background", "playback", "read"}
"""Applications that make a context a call flow even without a menu."""

_STOCK = re.compile(
    r"^(demo|default|public|page|sub-page|macro-.*|stdexten|stdPrivacyexten|time|ani|local|"
    r"longdistance|international|trunk.*|dundi-.*|iax.*|outbound-freenum\d*|hotdesk)$"
)
_STOCK_SOUNDS = re.compile(r"\bdemo-(congrats|instruct|moreinfo|abouttotry|thanks|nogo)\b")

_TTS = re.compile(
    r'^\s*(?:googletts|picotts|gtts|tts|festival|swift|flite)\w*(?:\.\w+)?\s*,\s*"([^"]*)"', re.I
)
_RECOGNISER = re.compile(r"^\s*(?:speech[-_]?recog|sphinx|vosk|asr|speech)\w*(?:\.\w+)?\b", re.I)


def _words(files: list[str]) -> str:
    """The words of a prompt: sound file names, or text-to-speech words (``"=words"``)."""
    parts = [f[1:].strip() if f.startswith("=") else words_from_file(f) for f in files]
    # Each text-to-speech call is a sentence of its own.
    parts = [p if not p or p[-1] in ".!?…" else p + "." for p in parts]
    return " ".join(p for p in parts if p).strip()


def _stock(c: _Context) -> bool:
    """Whether a context comes from Asterisk's stock ``extensions.conf`` sample."""
    return bool(_STOCK.match(c.name)) or any(
        _STOCK_SOUNDS.search(st.args) for steps in c.extens.values() for st in steps
    )


def tts_words(app: str, args: str) -> str | None:
    """The words of a text-to-speech AGI (``agi(googletts.agi,"Press 1 for sales",en)``).

    Examples
    --------
    >>> tts_words("agi", 'googletts.agi,"Pour consulter votre solde tapez 1",fr,any')
    'Pour consulter votre solde tapez 1'
    >>> tts_words("AGI", "call.php,agi_callerid") is None
    True
    """
    if app.lower() != "agi":
        return None
    m = _TTS.match(args)
    if not m:
        return None
    return re.sub(r"\$\{[^}]*\}", "…", m.group(1)).strip() or None


@dataclass
class _Step:
    prio: int
    label: str | None
    app: str
    args: str
    line: int


@dataclass
class _Context:
    name: str
    line: int
    extens: dict[str, list[_Step]] = field(default_factory=dict)
    includes: list[tuple[str, str | None]] = field(default_factory=list)
    comment: str = ""


def parse_dialplan(text: str, source: str | None = None) -> tuple[dict[str, _Context], list[str]]:
    """Contexts of an ``extensions.conf`` (extensions with their steps, includes, comments),
    and the ``#include`` / ``#exec`` lines that pull in other files."""
    contexts: dict[str, _Context] = {}
    includes: list[str] = []
    ctx: _Context | None = None
    last: tuple[str, int] | None = None
    comments: list[str] = []
    unsorted: set[tuple[str, str]] = set()
    for n, raw in enumerate(text.splitlines(), 1):
        line, comment = _strip_comment(raw)
        if not line.strip():
            if comment is not None:
                comments.append(comment)
            continue
        s = line.strip()
        m = re.match(r"^\[([^\]]+)\]", s)
        if m:
            ctx = contexts.setdefault(m.group(1), _Context(m.group(1), n))
            ctx.comment = " ".join(comments)
            comments, last = [], None
            continue
        comments = []
        if s.startswith(("#include", "#exec")):
            includes.append(s)
            continue
        if ctx is None or s.startswith("#"):
            continue
        m = re.match(r"^(exten|same|include)\s*=>?\s*(.*)$", s, re.I)
        if not m:
            continue
        kind, rest = m.group(1).lower(), m.group(2).strip()
        if kind == "include":
            parts = [p.strip() for p in rest.split(",")]
            ctx.includes.append((parts[0], ",".join(parts[1:]) if len(parts) > 1 else None))
            continue
        if kind == "exten":
            parts = _split_args(rest, limit=2)
            if len(parts) < 3:
                raise TreeFileError.single(
                    f"cannot read this extension line: {s!r}", file=source, line=n
                )
            ext, prio, app = parts[0].strip(), parts[1].strip(), parts[2].strip()
        else:
            if last is None:
                raise TreeFileError.single(
                    "'same =>' without an extension before it", file=source, line=n
                )
            parts = _split_args(rest, limit=1)
            ext, prio, app = last[0], parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""
        if prio == "hint":
            continue
        label = None
        pm = re.match(r"^(\w+|n(?:\+\d+)?)\((\w+)\)$", prio)
        if pm:
            prio, label = pm.group(1), pm.group(2)
        steps = ctx.extens.setdefault(ext, [])
        number = int(prio) if prio.isdigit() else (steps[-1].prio if steps else 0) + 1
        am = re.match(r"^(\w+)\s*(?:\((.*)\))?\s*$", app, re.S)
        name, args = (am.group(1), am.group(2) or "") if am else (app, "")
        if steps and number < steps[-1].prio:
            unsorted.add((ctx.name, ext))
        steps.append(_Step(number, label, name, args, n))
        last = (ext, number)
    for cname, ext in unsorted:  # priorities written out of order: once, not per line
        contexts[cname].extens[ext].sort(key=lambda st: st.prio)
    return contexts, includes


def _strip_comment(raw: str) -> tuple[str, str | None]:
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append(raw[i + 1])
            i += 2
            continue
        if c == ";":
            return "".join(out), raw[i + 1 :].strip()
        out.append(c)
        i += 1
    return "".join(out), None


def _split_args(text: str, limit: int = -1) -> list[str]:
    """Split on top-level commas (not inside parentheses, brackets or quotes)."""
    out: list[str] = []
    cur: list[str] = []
    depth, quote = 0, False
    for c in text:
        if c == '"':
            quote = not quote
        elif not quote and c in "([{":
            depth += 1
        elif not quote and c in ")]}":
            depth -= 1
        if c == "," and depth == 0 and not quote and (limit < 0 or len(out) < limit):
            out.append("".join(cur))
            cur = []
            continue
        cur.append(c)
    out.append("".join(cur))
    return out


def _pattern(ext: str) -> re.Pattern[str] | None:
    if not ext.startswith("_"):
        return None
    rx = ""
    i = 1
    while i < len(ext):
        c = ext[i]
        if c in "Xx":
            rx += "[0-9]"
        elif c in "Zz":
            rx += "[1-9]"
        elif c in "Nn":
            rx += "[2-9]"
        elif c == ".":
            rx += ".+"
        elif c == "!":
            rx += ".*"
        elif c == "[":
            j = ext.find("]", i)
            rx += ext[i : j + 1] if j > 0 else re.escape(c)
            i = j if j > 0 else i
        else:
            rx += re.escape(c)
        i += 1
    try:
        return re.compile(rx + "$")
    except re.error:
        return None


def _script(comment: str) -> tuple[str | None, dict[str, str]]:
    """A prompt script quoted in a comment: ``(prompt, {key: option words})``."""
    m = re.search(r"[“\"](.{40,}?)[”\"]", comment)
    if not m:
        return None, {}
    text = re.sub(r"\s+", " ", m.group(1)).strip()
    sentences = re.split(r"(?<=[.!?])\s+", text)
    intro: list[str] = []
    options: dict[str, str] = {}
    for s in sentences:
        km = re.search(r"\bpress\s+(\w+)", s, re.I)
        key = _NUMBER_WORDS.get(km.group(1).lower(), km.group(1)) if km else None
        if key is not None and re.fullmatch(r"[0-9*#]", key):
            options.setdefault(key, s)
        elif not options:
            intro.append(s)
    if not options:  # a quote that names no keys is not this menu's script
        return None, {}
    return (" ".join(intro) or None), options


def _schedule(times: str, days: str, mdays: str, months: str) -> tuple[str, dict[str, str]]:
    """A schedule from GotoIfTime / include time fields."""
    t = "24h" if times.strip() in ("*", "") else times.strip().replace(" ", "")
    if t != "24h" and "-" in t:
        a, b = t.split("-", 1)
        t = f"{_hhmm(a)}-{_hhmm(b)}"
    d = "daily" if days.strip() in ("*", "") else days.strip().lower()
    name = f"{d} {t}"
    return name, {d: t}


def _hhmm(v: str) -> str:
    h, _, m = v.partition(":")
    return f"{int(h or 0):02d}:{int(m or 0):02d}"


def read_asterisk(
    text: str,
    source: str | None = None,
    *,
    queues: Sequence[tuple[str, str]] = (),
    entry: str | None = None,
) -> Imported:
    """Import the IVR of an Asterisk dialplan.

    ``entry`` is ``"context"`` or ``"context,extension"``; by default the first context whose
    extension waits for a key (``WaitExten``) and that no other such context sends callers to.

    Examples
    --------
    >>> conf = '''
    ... [ivr]
    ... exten => s,1,Answer()
    ...  same => n(menu),Background(main-menu)
    ...  same => n,WaitExten(5)
    ... exten => 1,1,Queue(sales,,,,300)
    ... exten => 2,1,VoiceMail(100@default,u)
    ... exten => i,1,Playback(invalid)
    ...  same => n,Goto(s,menu)
    ... exten => t,1,Hangup()
    ... '''
    >>> tree = read_asterisk(conf).tree
    >>> m = tree.node(tree.entry)
    >>> m.prompt, m.timeout_s, {k: tree.node(o.next).type for k, o in m.options.items()}
    ('Main menu.', 5.0, {'1': 'queue', '2': 'voicemail'})
    """
    contexts, files = parse_dialplan(text, source)
    members = _queue_members(queues)
    b = FlowBuilder("asterisk", source, name="Asterisk IVR")
    if files:
        b.note(f"other files: {'; '.join(files)} not read; import the file with the IVR")
    walker = _Walker(b, contexts, members)
    start_ctx, start_ext = walker.entry(entry)
    b.name = f"Asterisk IVR {start_ctx}"
    first = walker.position(start_ctx, start_ext, 0, start_ext)
    walker.run()
    return b.build(first)


def _queue_members(queues: Sequence[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for _name, text in queues:
        for name, ctx in parse_queues(text).items():
            out[name] = ctx
    return out


def parse_queues(text: str) -> dict[str, dict[str, Any]]:
    """Queues of a ``queues.conf``: ``{name: {members, strategy, timeout…}}``.

    Examples
    --------
    >>> parse_queues("[sales]\\nstrategy=ringall\\nmember => PJSIP/1109 ; Terry\\n")
    {'sales': {'members': 1, 'strategy': 'ringall'}}
    """
    out: dict[str, dict[str, Any]] = {}
    cur: dict[str, Any] | None = None
    for raw in text.splitlines():
        line, _ = _strip_comment(raw)
        s = line.strip()
        m = re.match(r"^\[([^\]]+)\]", s)
        if m:
            cur = None if m.group(1) == "general" else out.setdefault(m.group(1), {"members": 0})
            continue
        if cur is None or "=" not in s:
            continue
        key, _, value = s.partition("=")
        key, value = key.strip().lower(), value.lstrip(">").strip()
        if key == "member":
            cur["members"] += 1
        elif key in ("strategy", "timeout", "maxlen", "announce-holdtime", "wrapuptime"):
            cur[key] = value
    return out


class _Walker:
    def __init__(
        self, b: FlowBuilder, contexts: dict[str, _Context], queues: dict[str, dict[str, Any]]
    ) -> None:
        self.b, self.contexts, self.queues = b, contexts, queues
        self.scripts_used: set[str] = set()
        self.queued: set[str] = set()
        self.todo: list[tuple[str, str, str, int, str]] = []

    # -- finding things -------------------------------------------------------------------------

    def entry(self, entry: str | None) -> tuple[str, str]:
        if entry:
            ctx, _, ext = entry.partition(",")
            if ctx not in self.contexts:
                raise TreeFileError.single(
                    f"no context [{ctx}] in this dialplan", file=self.b.source
                )
            return ctx, ext or self._first_ext(self.contexts[ctx])

        def uses(c: _Context, apps: set[str]) -> bool:
            return any(st.app.lower() in apps for steps in c.extens.values() for st in steps)

        ctxs = list(self.contexts.values())
        kinds = (
            ("menu", [c for c in ctxs if uses(c, {"waitexten"})]),
            ("menu", [c for c in ctxs if uses(c, {"background"})]),
            ("flow", [c for c in ctxs if uses(c, _CALL_APPS)]),
        )
        kind, found = next(((k, cs) for k, cs in kinds if cs), ("", []))
        if not found:
            raise TreeFileError.single(
                "no call flow in this dialplan: no context plays a menu (Background and "
                "WaitExten) or sends callers to a queue, a person or voicemail",
                file=self.b.source,
            )
        # Contexts that another context sends callers to (Goto, GotoIf, include) are not
        # where inbound calls start; the stock sample's demo contexts are a last resort.
        targets = {inc for c in ctxs for inc, _t in c.includes}
        for c in ctxs:
            for steps in c.extens.values():
                for st in steps:
                    if st.app.lower() in ("goto", "gotoif", "gotoiftime"):
                        for dest in re.split(r"[?:]", st.args)[-2:]:
                            parts = _split_args(dest)
                            if len(parts) == 3 and parts[0].strip() != c.name:
                                targets.add(parts[0].strip())
        roots = [c for c in found if c.name not in targets] or found
        own = [c for c in roots if not _stock(c)]
        ranked = own + [c for c in roots if _stock(c)]
        top = ranked[0]
        others = [c.name for c in found if c is not top and (c.name not in targets or _stock(c))]
        if others:
            shown = ", ".join(f"[{n}]" for n in others[:6]) + (" …" if len(others) > 6 else "")
            from_stock = [n for n in others if _stock(self.contexts[n])]
            stock = (
                f" ({', '.join(f'[{n}]' for n in from_stock[:6])} from Asterisk's stock sample)"
                if from_stock
                else ""
            )
            self.b.note(
                f"entry: [{top.name}] is where calls start (no other context sends callers "
                f"there); other candidate {kind} contexts: {shown}{stock} - choose one with "
                "--entry CONTEXT[,EXTENSION]"
            )
        return top.name, self._first_ext(top)

    def _first_ext(self, ctx: _Context) -> str:
        if "s" in ctx.extens:
            return "s"
        for apps in ({"waitexten", "background"}, _CALL_APPS):
            for ext, steps in ctx.extens.items():
                if ext not in ("h", "i", "t") and any(st.app.lower() in apps for st in steps):
                    return ext
        return next(iter(ctx.extens), "s")

    def find(self, ctx: str, ext: str) -> tuple[str, str] | None:
        """The (context, extension name) that handles ``ext`` dialled in ``ctx``: the context's
        own extensions first, then its includes in order (depth first, each context once)."""
        stack, seen = [ctx], set()
        while stack:
            name = stack.pop()
            c = self.contexts.get(name)
            if c is None or name in seen:
                continue
            seen.add(name)
            if ext in c.extens:
                return name, ext
            for e in c.extens:
                rx = _pattern(e)
                if rx is not None and rx.match(ext):
                    return name, e
            stack.extend(inc for inc, times in reversed(c.includes) if not times)
        return None

    def keys(self, ctx: str) -> dict[str, tuple[str, str, str | None]]:
        """Literal extensions a caller can dial at a menu in ``ctx``: ``{digits: (context,
        extension, times)}``, ``times`` being the hours of a time-based ``include`` (or None).
        Includes are visited depth first, each context once (a lattice of includes stays
        linear)."""
        out: dict[str, tuple[str, str, str | None]] = {}
        stack: list[tuple[str, str | None]] = [(ctx, None)]
        seen: set[str] = set()
        while stack:
            name, times = stack.pop()
            c = self.contexts.get(name)
            if c is None or name in seen:
                continue
            seen.add(name)
            for e in c.extens:
                if re.fullmatch(r"[0-9*#]+", e):
                    out.setdefault(e, (name, e, times))
            for e in c.extens:  # one-key patterns (_X, _[1-3]) answer the keys they match
                rx = _pattern(e)
                if rx is not None and len(e) <= 8 and not e.endswith((".", "!")):
                    for k in "1234567890*#":
                        if rx.fullmatch(k):
                            out.setdefault(k, (name, e, times))
            stack.extend((inc, when or times) for inc, when in reversed(c.includes))
        return out

    def timed(self, key: str, times: str, target: str | None, closed: str | None) -> str:
        """A branch that lets a caller through only in the hours of a time-based include."""
        fields = [p.strip() for p in times.replace("|", ",").split(",")] + ["*"] * 4
        name, hours = _schedule(*fields[:4])
        schedule = self.b.schedule(name, hours)
        if not self.b.has(key):
            self.b.add(
                key,
                {
                    "type": "branch",
                    "when": [{"open": schedule, "next": target}],
                    "otherwise": closed,
                },
                label=f"check {name}",
            )
        return key

    # -- walking --------------------------------------------------------------------------------

    def position(self, ctx: str, ext: str, index: int, exten: str) -> str | None:
        """The node a caller meets at step ``index`` of ``ext`` in ``ctx`` (dialled ``exten``)."""
        hit = self.find(ctx, ext)
        if hit is None:
            self.b.note(f"missing: extension {ext!r} in [{ctx}] is not in this file; the call ends")
            return None
        ctx, ext = hit
        steps = self.contexts[ctx].extens[ext]
        key = f"{ctx},{ext},{index},{exten}"
        if index >= len(steps):
            return None  # autofallthrough: the call is hung up
        if key not in self.queued:  # built later by `run`: no recursion however long the path
            self.queued.add(key)
            self.todo.append((key, ctx, ext, index, exten))
        return key

    def run(self) -> None:
        """Build every position the walk has reached, until none is left."""
        while self.todo:
            self._build(*self.todo.pop())

    def _build(self, key: str, ctx: str, ext: str, index: int, exten: str) -> str | None:
        steps = self.contexts[ctx].extens[ext]
        st = steps[index]
        self.b.lines[key] = self.b.lines[key + "\x00agent"] = st.line
        app = st.app.lower()
        args = st.args.replace("${EXTEN}", exten)
        here = (ctx, ext, exten)
        meta = {"source": {"context": ctx, "extension": ext, "line": st.line, "app": st.app}}
        if app == "agi" and tts_words(st.app, args) is not None:
            return self.audio(key, steps, index, here, meta)
        if app == "agi" and _RECOGNISER.match(args):
            # A speech recogniser run as an AGI script: the caller is asked to say something.
            node: dict[str, Any] = {
                "type": "input",
                "collects": "speech",
                "modality": "speech",
                "meta": meta,
            }
            self.b.add(key, node, label="speech input")
            node["next"] = self._next(here, index)
            return key
        if app in _SKIP:
            if app in ("gosub", "macro", "agi"):
                self.b.unknown(st.app, f"{ctx},{ext},{st.prio}", f"{st.app}({st.args})")
            self.b.alias(key, self._next(here, index))
            return key
        if app in ("background", "playback", "waitexten"):
            return self.audio(key, steps, index, here, meta)
        if app == "goto":
            self.b.alias(key, self.goto(args, here))
            return key
        if app == "gotoif":
            return self.gotoif(key, args, here, index, meta)
        if app == "gotoiftime":
            return self.gotoiftime(key, args, here, index, meta)
        if app == "hangup":
            self.b.add(key, {"type": "hangup", "meta": meta}, label="hang up")
            return key
        if app == "queue":
            parts = _split_args(args)
            name = parts[0].strip() or "queue"
            info = dict(self.queues.get(name, {}))
            if len(parts) > 4 and parts[4].strip().isdigit():
                info["timeout_s"] = int(parts[4])
            if info:
                meta["source"]["queue"] = info
            self.b.destination(key, name, queue=True, meta=meta)
            after = self._next(here, index)
            if after is not None:
                self.b.error_path(
                    key, "queue timeout" if "timeout_s" in info else "leaves queue", after
                )
            return key
        if app == "dial":
            dest = _split_args(args)[0].strip()
            who = f"extension {exten}" if exten and exten.isdigit() else dest.rsplit("/", 1)[-1]
            meta["source"]["dial"] = dest
            self.b.destination(key, who, queue=False, meta=meta)
            after = self._next(here, index)
            if after is not None:
                self.b.error_path(key, "not answered", after)
            return key
        if app == "voicemail":
            box = _split_args(args)[0].strip()
            meta["source"]["mailbox"] = box
            self.b.add(
                key, {"type": "voicemail", "meta": meta}, label=f"voicemail {box.split('@')[0]}"
            )
            return key
        if app == "read":
            return self.read(key, args, here, index, meta)
        if app in _SERVICES:
            task = self.b.task(_SERVICES[app])
            self.b.add(
                key, {"type": "self_service", "handles": [task], "meta": meta}, label=_SERVICES[app]
            )
            return key
        self.b.unknown(st.app, f"{ctx},{ext},{st.prio}", f"{st.app}({st.args})")
        self.b.alias(key, self._next(here, index))
        return key

    def _next(self, here: tuple[str, str, str], index: int) -> str | None:
        ctx, ext, exten = here
        return self.position(ctx, ext, index + 1, exten)

    def _label_index(self, ctx: str, ext: str, where: str) -> int | None:
        steps = self.contexts[ctx].extens[ext]
        for i, st in enumerate(steps):
            if (where.isdigit() and st.prio == int(where)) or st.label == where:
                return i
        return None

    def goto(self, args: str, here: tuple[str, str, str]) -> str | None:
        """Follow ``Goto([[context,]extension,]priority)``."""
        ctx, ext, _exten = here
        parts = [p.strip() for p in _split_args(args.replace("|", ","))]
        if len(parts) == 1:
            c2, e2, where = ctx, ext, parts[0]
        elif len(parts) == 2:
            c2, e2, where = ctx, parts[0], parts[1]
        else:
            c2, e2, where = parts[0], parts[1], parts[2]
        if "$" in c2 + e2 + where:
            self.b.note(
                f"dynamic targets: Goto({args}) in [{ctx}] depends on a variable; the call ends"
            )
            return None
        hit = self.find(c2, e2)
        if hit is None:
            self.b.note(f"missing: Goto({args}) leads to something not in this file; the call ends")
            return None
        index = self._label_index(hit[0], hit[1], where)
        if index is None:
            self.b.note(f"missing: priority {where!r} of {e2} in [{c2}]; the call ends")
            return None
        return self.position(hit[0], hit[1], index, e2)

    def _cond_targets(self, args: str) -> tuple[str, str, str]:
        cond, _, dests = args.partition("?")
        yes, _, no = dests.partition(":")
        return cond.strip(), yes.strip(), no.strip()

    def gotoif(
        self, key: str, args: str, here: tuple[str, str, str], index: int, meta: dict[str, Any]
    ) -> str:
        cond, yes, no = self._cond_targets(args)
        t_yes = self.goto(yes, here) if yes else self._next(here, index)
        t_no = self.goto(no, here) if no else self._next(here, index)
        self.b.split(key, [(f"{cond} true", t_yes), ("otherwise", t_no)], f"if {cond}", meta)
        return key

    def gotoiftime(
        self, key: str, args: str, here: tuple[str, str, str], index: int, meta: dict[str, Any]
    ) -> str:
        cond, yes, no = self._cond_targets(args)
        fields = [p.strip() for p in _split_args(cond.replace("|", ","))]
        fields += ["*"] * (4 - len(fields))
        name, hours = _schedule(*fields[:4])
        if any(f not in ("*", "") for f in fields[2:4]):
            self.b.note(f"schedules: {name!r} also limits days of the month or months; ignored")
        schedule = self.b.schedule(name, hours)
        t_yes = self.goto(yes, here) if yes else self._next(here, index)
        t_no = self.goto(no, here) if no else self._next(here, index)
        self.b.add(
            key,
            {
                "type": "branch",
                "when": [{"open": schedule, "next": t_yes}],
                "otherwise": t_no,
                "meta": meta,
            },
            label=f"check {name}",
        )
        return key

    def read(
        self, key: str, args: str, here: tuple[str, str, str], index: int, meta: dict[str, Any]
    ) -> str:
        parts = [p.strip() for p in _split_args(args)] + [""] * 6
        var, prompt, digits, _opts, attempts, timeout = parts[:6]
        node: dict[str, Any] = {"type": "input"}
        words = " ".join(words_from_file(f) for f in prompt.split("&") if f)
        if words:
            node["prompt"] = words
        node["collects"] = slug(var) or "digits"
        if digits.isdigit() and 1 <= int(digits) <= 64:
            node["digits"] = int(digits)
        if attempts.isdigit():
            node["retries"] = max(0, min(int(attempts) - 1, 20))
        if re.fullmatch(r"\d+(\.\d+)?", timeout) and float(timeout) > 0:
            node["timeout_s"] = float(timeout)
        node["meta"] = meta
        self.b.add(key, node, label=f"read {var}")
        node["next"] = self._next(here, index)
        return key

    def audio(
        self,
        key: str,
        steps: list[_Step],
        index: int,
        here: tuple[str, str, str],
        meta: dict[str, Any],
    ) -> str:
        """Background / Playback / WaitExten: a message, or a menu when a wait follows."""
        ctx, ext, exten = here
        files: list[str] = []  # sound files, or the words of a text-to-speech AGI as "=words"
        j = index
        wait: _Step | None = None
        while j < len(steps):
            app = steps[j].app.lower()
            tts = tts_words(steps[j].app, steps[j].args)
            if app == "background":
                files += [f for f in _split_args(steps[j].args)[0].split("&") if f.strip()]
            elif tts is not None:
                files.append("=" + tts)
            elif app == "waitexten":
                wait = steps[j]
                break
            elif app in _SKIP and app not in ("gosub", "macro", "agi"):
                pass
            else:
                break
            j += 1
        playback = steps[index].app.lower() == "playback"
        if wait is None and any(f.startswith("=") for f in files) and j == len(steps):
            j = len(steps)  # spoken words, then the extension ends: a message, then hang up
            playback = False
            node0: dict[str, Any] = {"type": "message", "prompt": _words(files), "meta": meta}
            self.b.add(key, node0, label=_words(files))
            node0["next"] = None
            return key
        if playback or (wait is None and j < len(steps)):
            # A prompt the caller cannot (Playback) or does not get to (a Goto follows) answer.
            if playback:
                files = [f for f in _split_args(steps[index].args)[0].split("&") if f.strip()]
                j = index + 1
            words = _words(files)
            node: dict[str, Any] = {"type": "message"}
            if words:
                node["prompt"] = words
            node["meta"] = meta
            self.b.add(key, node, label=words or "prompt")
            node["next"] = self.position(ctx, ext, j, exten)
            return key
        wait_index = j if wait is not None else len(steps) - 1
        menu_key = f"{ctx},{ext},{wait_index},{exten}\x00menu"
        self.b.lines.setdefault(menu_key, steps[index].line)
        if key != menu_key:
            self.b.alias(key, menu_key)
        if self.b.has(menu_key):
            return key
        self.menu(menu_key, files, wait, here, wait_index, meta)
        return key

    def menu(
        self,
        key: str,
        files: list[str],
        wait: _Step | None,
        here: tuple[str, str, str],
        wait_index: int,
        meta: dict[str, Any],
    ) -> str:
        ctx, ext, exten = here
        node: dict[str, Any] = {"type": "menu"}
        prompt = _words(files) or None
        script_prompt: str | None = None
        script_options: dict[str, str] = {}
        comment = self.contexts[ctx].comment
        if comment and ctx not in self.scripts_used:
            script_prompt, script_options = _script(comment)
            if script_prompt or script_options:
                self.scripts_used.add(ctx)
                meta["source"]["sounds"] = files
                self.b.note(
                    f"prompts: [{ctx}]'s words are taken from the script quoted in its comment"
                )
        prompt = script_prompt or prompt
        if prompt:
            node["prompt"] = prompt
        secs = _split_args(wait.args)[0].strip() if wait is not None else ""
        if not secs:  # WaitExten() waits TIMEOUT(response), when the dialplan set it
            for st in self.contexts[ctx].extens[ext][: wait_index + 1]:
                m = re.match(r"TIMEOUT\(response\)\s*=\s*([\d.]+)", st.args.strip())
                if st.app.lower() == "set" and m:
                    secs = m.group(1)
        if re.fullmatch(r"\d+(\.\d+)?", secs) and float(secs) > 0:
            node["timeout_s"] = float(secs)
        self.b.add(key, node, label=ctx)
        options: dict[str, dict[str, Any]] = {}
        longer: list[str] = []
        invalid = self.position(ctx, "i", 0, "i") if self.find(ctx, "i") else None
        for k, (c2, e2, times) in self.keys(ctx).items():
            if len(k) > 1:
                longer.append(k)
                continue
            opt: dict[str, Any] = {}
            if k in script_options:
                opt["say"] = script_options[k]
            opt["next"] = self.position(c2, e2, 0, k)
            if times:  # only while the included context's hours are open; else a wrong key
                opt["next"] = self.timed(f"{key}\x00{k}\x00time", times, opt["next"], invalid)
            options[k] = opt
        if not options:
            options["1"] = {"next": None}
            self.b.note(f"menu: [{ctx}] waits for a key but has no one-key extensions")
        node["options"] = dict(sorted(options.items(), key=lambda kv: "1234567890*#".index(kv[0])))
        if longer:
            meta["source"]["extensions"] = sorted(longer)
            self.b.note(
                f"extensions: [{ctx}] also answers longer extensions ({', '.join(sorted(longer)[:5])}"
                f"{' …' if len(longer) > 5 else ''}); kept under meta.source.extensions"
            )
        node["meta"] = meta
        timeout = (
            self.position(ctx, "t", 0, "t")
            if self.find(ctx, "t")
            else self.position(ctx, ext, wait_index + 1, exten)
        )
        self.b.failures(key, timeout=timeout or END, invalid=invalid or END)
        return key
