"""The format-neutral half of every importer.

An importer reads its platform's file and describes each construct to a :class:`FlowBuilder`
as a node in ivrscore's own format, whose targets are still the *platform's* ids. The builder
then does what every format needs in the same way:

* follows pass-through steps (set a variable, enable logging …) to where they lead;
* turns a missing target (a flow that simply stops) into one shared hang-up;
* keeps only what a caller can reach from the entry, and records what it left out;
* gives nodes readable, unique ids (from names and prompts, not UUIDs);
* adds what the file cannot say - one task per destination with equal shares, a default queue
  wait, default opening hours - and lists each default in :attr:`Imported.warnings`;
* validates the result as a :class:`~ivrscore.PhoneTree`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import TreeFileError
from ..model.tree import PhoneTree, Source

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_WAIT_S",
    "END",
    "FlowBuilder",
    "Imported",
    "keyed_phrases",
    "slug",
    "words_from_file",
]

DEFAULT_WAIT_S = 120.0
"""Mean queue wait given to an imported queue, seconds (a placeholder: the file has no waits)."""

OPTION_S = 2.5
"""Seconds per option assumed for a menu whose words are not in the file ("For sales, press 1"
is six words: 2.4 s at 150 words a minute, with a pause)."""

FOREVER_RETRIES = 20
"""Retries given to a menu the platform replays without limit (the model's largest)."""

DEFAULT_HOURS: dict[str, str] = {"mon-fri": "09:00-17:00"}
"""Opening hours given to an imported hours check whose hours are not in the file."""

END = "\x00end"
"""Target key meaning "the flow stops here" (the platform hangs up)."""

PLATFORMS: dict[str, str] = {
    "twilio": "Twilio Studio",
    "connect": "Amazon Connect",
    "voicexml": "VoiceXML",
    "freeswitch": "FreeSWITCH",
    "asterisk": "Asterisk",
    "genesys": "Genesys Cloud",
}
"""The platform of each import format, by name."""

_TARGET_FIELDS = ("next", "on_failure", "on_closed", "callback", "zero_out", "transfer_to")


@dataclass(frozen=True)
class Imported:
    """A flow imported from a platform's file.

    Attributes
    ----------
    tree : PhoneTree
        The phone tree in ivrscore's format.
    format : str
        The platform format read (``twilio``, ``connect``, ``voicexml``, ``freeswitch``,
        ``asterisk``).
    warnings : tuple of str
        What the file could not say and was filled in with a default, and what was not
        understood; each line names the nodes to look at.
    """

    tree: PhoneTree
    format: str
    warnings: tuple[str, ...] = ()


def slug(text: str, limit: int = 32) -> str:
    """A readable id from free text: lower case, words joined by ``_``.

    Examples
    --------
    >>> slug("Press 1 for Elena Rodriguez, 2 for Diego")
    'press_1_for_elena_rodriguez_2'
    >>> slug("$.FlowAttributes.sales")
    'flow_attributes_sales'
    >>> slug("???")
    ''
    """
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", text)
    words = re.findall(r"[A-Za-z0-9]+", text.lower())
    out = ""
    for w in words:
        cand = f"{out}_{w}" if out else w
        if len(cand) > limit:
            break
        out = cand
    return out or (words[0][:limit] if words else "")


def words_from_file(name: str) -> str:
    """Words from a sound file's name, for a prompt whose text the file does not hold.

    Examples
    --------
    >>> words_from_file("ivr/ivr-that_was_an_invalid_entry.wav")
    'That was an invalid entry.'
    >>> words_from_file("basic-pbx-ivr-main")
    'Basic pbx ivr main.'
    """
    base = re.split(r"[/\\]", name.strip())[-1]
    base = re.sub(r"\.(wav|mp3|gsm|ulaw|alaw|sln\d*|g729|ogg)$", "", base, flags=re.I)
    base = re.sub(r"^(ivr|vm|digits|voicemail)-", "", base)
    words = re.findall(r"[A-Za-z0-9]+", base)
    if not words:
        return ""
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


_KEY_WORDS = {
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
_PRESS = re.compile(
    r"\b(?:press(?:ing)?|push|dial|key|select|enter|tapez|tape|appuyez sur|composez|pulse|"
    r"marque|premi|digite|disque|drücken sie|wählen sie)\s+(?:the\s+)?"
    r"(\d|\*|#|zero|one|two|three|four|five|six|seven|eight|nine|star|pound|hash)\b",
    re.I,
)


def keyed_phrases(prompt: str) -> dict[str, str]:
    """The sentence of a prompt that offers each key: ``{key: words}``.

    Examples
    --------
    >>> keyed_phrases("Welcome. Press 1 or say taxi to hire one. For payments, press two.")
    {'1': 'Press 1 or say taxi to hire one.', '2': 'For payments, press two.'}
    >>> keyed_phrases("Press 1 for sales, or press 2 for support.")
    {'1': 'Press 1 for sales,', '2': 'or press 2 for support.'}
    """
    out: dict[str, str] = {}
    for sentence in re.split(r"(?<=[.!?;\n])\s+", prompt.strip()):
        found = list(_PRESS.finditer(sentence))
        parts = [sentence]
        if len(found) > 1:  # "press 1 for sales, or press 2 for support": split at commas
            parts = re.split(r"(?<=,)\s+", sentence)
        for part in parts:
            keys = {_KEY_WORDS.get(m.group(1).lower(), m.group(1)) for m in _PRESS.finditer(part)}
            if len(keys) == 1:
                out.setdefault(keys.pop(), part.strip())
    return out


@dataclass
class _Pending:
    node: dict[str, Any]
    label: str | None


@dataclass
class FlowBuilder:
    """Collects nodes keyed by platform id, then builds a validated :class:`PhoneTree`.

    Parameters
    ----------
    format : str
        The platform format, for messages and ``meta``.
    source : str or None
        The file name, for messages.
    name : str
        The phone line's name.
    """

    format: str
    source: str | None
    name: str
    description: str | None = None
    nodes: dict[str, _Pending] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, None] = field(default_factory=dict)
    schedules: dict[str, dict[str, str]] = field(default_factory=dict)
    default_schedules: dict[str, str] = field(default_factory=dict)
    split_guesses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_understood: dict[str, int] = field(default_factory=dict)
    error_paths: dict[str, dict[str, str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    unknown_raw: dict[str, Any] = field(default_factory=dict)
    loops: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    _failures: dict[str, tuple[str | None, str | None, tuple[int, str | None] | None]] = field(
        default_factory=dict
    )
    _resolved: dict[str, str] = field(default_factory=dict)
    _freeze: bool = False

    # -- what importers call --------------------------------------------------------------------

    def add(
        self,
        key: str,
        node: dict[str, Any],
        *,
        label: str | None = None,
        line: int | None = None,
    ) -> str:
        """Add a node (ivrscore format; targets are platform keys). Returns ``key``.

        ``line`` is where the construct is in the platform's file, for messages about it.
        """
        if key in self.nodes or key in self.aliases:
            raise TreeFileError.single(f"the id {key!r} is used twice", file=self.source)
        self.nodes[key] = _Pending(node, label)
        if line is not None:
            self.lines[key] = line
        return key

    def alias(self, key: str, target: str | None) -> None:
        """Make ``key`` a pass-through step that leads to ``target`` (``None``: the flow ends)."""
        self.aliases[key] = target if target is not None else END

    def reserve(self, key: str) -> None:
        """Hold ``key`` while an importer follows where it leads: a path that loops back to it
        meanwhile finds it taken (and stops) instead of following it again. Give it a meaning
        afterwards with :meth:`alias` or :meth:`release` it before :meth:`add`."""
        self.aliases[key] = END

    def release(self, key: str) -> None:
        """Give up a :meth:`reserve` (to :meth:`add` a node under the key)."""
        self.aliases.pop(key, None)

    def has(self, key: str) -> bool:
        """Whether ``key`` is already a node or a pass-through step."""
        return key in self.nodes or key in self.aliases

    def locate(self, text: str, field: str) -> None:
        """Find each node's line in JSON ``text`` by its ``"field": "platform id"`` pair.

        The text is scanned once (a flow of 10^5 steps is not searched 10^5 times)."""
        lines: dict[str, int] = {}
        pattern = re.compile(rf'"{re.escape(field)}"\s*:\s*("(?:[^"\\]|\\.)*")')
        line, last = 1, 0
        for m in pattern.finditer(text):
            line += text.count("\n", last, m.start())
            last = m.start()
            try:
                value = json.loads(m.group(1))
            except ValueError:
                continue
            lines.setdefault(str(value), line)
        for key in self.nodes:
            if key in self.lines:
                continue
            base = key.split("@", 1)[0].split("\x00", 1)[0]
            if base in lines:
                self.lines[key] = lines[base]

    def task(self, name: str) -> str:
        """Register a task (one per destination) and return its name."""
        name = slug(name) or "get_help"
        self.tasks.setdefault(name, None)
        return name

    def schedule(self, name: str, hours: dict[str, str] | None = None) -> str:
        """Register a schedule; without ``hours`` it gets :data:`DEFAULT_HOURS` (a listed default)."""
        name = slug(name) or "opening_hours"
        if hours:
            self.schedules[name] = hours
            self.default_schedules.pop(name, None)
        elif name not in self.schedules:
            self.schedules[name] = dict(DEFAULT_HOURS)
            self.default_schedules[name] = name
        return name

    def split(
        self,
        key: str,
        targets: list[tuple[str, str | None]],
        what: str,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """A branch on something the file cannot tell (data, a function's answer): even shares.

        ``targets`` are ``(label, platform key)``; the last is ``otherwise``.
        """
        if len(targets) == 1:
            self.alias(key, targets[0][1])
            return
        share = round(1.0 / len(targets), 4)
        when = [
            {"share": share, "label": label, "next": _t(target)} for label, target in targets[:-1]
        ]
        self.add(
            key,
            {
                "type": "branch",
                "when": when,
                "otherwise": _t(targets[-1][1]),
                **({"meta": meta} if meta else {}),
            },
            label=what,
        )
        self.split_guesses.append(key)

    def failures(
        self,
        key: str,
        *,
        timeout: str | None,
        invalid: str | None,
        loop: tuple[int, str | None] | None = None,
    ) -> None:
        """Where a menu or input sends silence (``timeout``) and a wrong key (``invalid``).

        Platforms wire these as two exits, often back to the same menu (a replay, sometimes after
        a "sorry" message) - ivrscore has one ``retries`` count and one ``on_failure``. Resolved
        when the flow is built, once every node is known. ``None`` means the platform has no
        handler (it replays); :data:`END` means the call ends there. ``loop`` is
        ``(count, then)`` for a loop counter that replays the menu ``count`` times, then
        goes to ``then``.
        """
        self._failures[key] = (timeout, invalid, loop)

    def loop(
        self, key: str, body: str | None, done: str | None, count: int | None, what: str
    ) -> None:
        """A bounded loop: ``key`` runs ``body``, which comes back to ``key`` up to ``count``
        times (``None``: a counter the file keeps), then the call goes on to ``done``.

        A retry the caller is asked in (a menu, an input) keeps its replays; a silent round
        (messages and branches that come back to ``key``) is modelled as one pass of the body,
        then ``done`` - the loop is bounded, so the call does move on. Listed in the warnings.
        """
        self.alias(key, body if body is not None else done)
        if body is not None:
            self.loops[key] = (done if done is not None else END, count)
            bound = f"up to {count} times" if count else "a counted number of times"
            self.note(
                f"loops: {what!r} repeats {bound}; a round that asks the caller nothing is "
                "modelled as one pass, then the loop's exit"
            )

    def error_path(self, key: str, event: str, target: str | None) -> None:
        """Record a platform-error exit (a function failing, a queue full) that is not modelled."""
        self.error_paths.setdefault(key, {})[event] = target if target is not None else END

    def destination(
        self,
        key: str,
        label: str,
        *,
        queue: bool,
        meta: dict[str, Any] | None = None,
        prompt: str | None = None,
        line: int | None = None,
    ) -> str:
        """A human the caller is sent to: a queue and its agent (``queue=True``) or an agent.

        Registers one task for the destination, handled by its agent. Returns ``key``.
        """
        task = self.task(label)
        agent: dict[str, Any] = {"type": "agent", "handles": [task]}
        if queue:
            node: dict[str, Any] = {"type": "queue", "next": key + "\x00agent"}
            if prompt:
                node["prompt"] = prompt
            if meta:
                node["meta"] = meta
            self.add(key, node, label=f"{label} queue", line=line)
            self.add(key + "\x00agent", agent, label=f"{label} agent", line=line)
        else:
            if prompt:
                agent["prompt"] = prompt
            if meta:
                agent["meta"] = meta
            self.add(key, agent, label=label, line=line)
        return key

    def unknown(self, kind: str, where: str, raw: Any) -> None:
        """Keep a construct the importer does not understand: counted in the warnings, and
        ``raw`` (its platform data) kept under ``meta.imported.not_understood[where]``."""
        self.not_understood[kind] = self.not_understood.get(kind, 0) + 1
        self.unknown_raw.setdefault(where, raw)

    def note(self, text: str) -> None:
        """Add a warning line."""
        if text not in self.notes:
            self.notes.append(text)

    # -- building -------------------------------------------------------------------------------

    def build(self, entry: str | None) -> Imported:
        """Resolve, prune, name, add defaults, validate."""
        if entry is not None and entry not in self.nodes and entry not in self.aliases:
            raise TreeFileError.single(
                f"the flow starts at {entry!r}, which is not a step in this file",
                file=self.source,
            )
        if entry is None or not self.nodes:
            raise TreeFileError.single(
                f"no call flow found in this {PLATFORMS.get(self.format, self.format)} file",
                file=self.source,
                hint="check that this is the flow itself, not a resource it refers to",
            )
        self._freeze = True  # the pass-through steps no longer change: keep what they resolve to
        for key, spec in self._failures.items():
            self._settle_failures(key, *spec)
        self._close_loops()
        resolved = {k: self._resolve(k) for k in list(self.nodes) + list(self.aliases)}
        start = resolved[entry] if entry in resolved else self._resolve(entry)
        needs_end = False

        def target(key: str | None) -> str:
            nonlocal needs_end
            real = resolved.get(key, END) if key is not None else END
            if real == END:
                needs_end = True
            return real

        # Reachability over resolved targets.
        seen: dict[str, None] = {}
        stack = [start]
        while stack:
            k = stack.pop()
            if k in seen or k == END:
                continue
            seen[k] = None
            if k not in self.nodes:
                continue
            for slot in _slots(self.nodes[k].node):
                stack.append(target(slot.get()))
        if start == END:
            raise TreeFileError.single(
                "the flow ends before the caller hears anything", file=self.source
            )
        order = [k for k in self.nodes if k in seen]
        left_out = [k for k in self.nodes if k not in seen]

        ids = self._ids(order)
        ids[END] = _unique("end_of_flow", set(ids.values()))
        out_nodes: dict[str, dict[str, Any]] = {}
        for k in order:
            node = self.nodes[k].node
            for slot in _slots(node):
                slot.set(ids[target(slot.get())])
            out_nodes[ids[k]] = node
        if needs_end:
            out_nodes[ids[END]] = {
                "type": "hangup",
                "meta": {"source": {"note": "the flow stops here; the platform hangs up"}},
            }

        left_names: dict[str, str] = {}
        for k in left_out:
            base = slug(self.nodes[k].label or "") or self.nodes[k].node["type"]
            left_names[k] = _unique(base, set(left_names.values()))

        def show(key: str | None) -> str:
            real = resolved.get(key, END) if key is not None else END
            if real == END:
                return "(end of flow)"
            return ids.get(real) or f"(left out: {left_names.get(real, real)})"

        for node in out_nodes.values():
            src = node.get("meta", {}).get("source", {})
            if "on_timeout" in src:
                src["on_timeout"] = show(src["on_timeout"])
        kept_out: dict[str, Any] = {}
        for k in left_out:
            node = self.nodes[k].node
            for slot in _slots(node):
                slot.set(show(slot.get()))
            kept_out[left_names[k]] = node
        errors = {
            ids.get(k, k.replace(END, "(end)").replace("\x00", "#")): {
                event: show(t) for event, t in paths.items()
            }
            for k, paths in self.error_paths.items()
        }
        handled: dict[str, None] = {}
        for node in out_nodes.values():
            for t in node.get("handles", ()):
                handled.setdefault(t, None)
        self.tasks = handled or {slug(self.name) or "call": None}
        _promises(out_nodes)
        warnings = self._warnings(out_nodes, ids, left_out, bool(handled))
        out_nodes = {nid: _ordered(n) for nid, n in out_nodes.items()}
        data: dict[str, Any] = {"name": self.name}
        if self.description:
            data["description"] = self.description
        data["entry"] = ids[start]
        if self.schedules:
            data["schedules"] = self.schedules
        data["tasks"] = [{"name": t, "share": s} for t, s in _even(self.tasks)]
        data["nodes"] = out_nodes
        data["meta"] = {
            "imported": {
                "format": self.format,
                **({"file": self.source} if self.source else {}),
                "warnings": list(warnings),
                **({"error_paths": errors} if errors else {}),
                **({"left_out": kept_out} if kept_out else {}),
                **({"not_understood": self.unknown_raw} if self.unknown_raw else {}),
            }
        }
        tree = _validate(data, self.source)
        positions: dict[tuple[str | int, ...], tuple[int, int]] = {
            ("nodes", ids[k]): (self.lines[k], 1) for k in order if k in self.lines
        }
        tree._source = Source(file=self.source, positions=positions)
        return Imported(tree=tree, format=self.format, warnings=warnings)

    def _settle_failures(
        self,
        key: str,
        timeout: str | None,
        invalid: str | None,
        loop: tuple[int, str | None] | None,
    ) -> None:
        node = self.nodes[key].node
        source = node.setdefault("meta", {}).setdefault("source", {})

        def back(t: str | None) -> bool:
            if t is None:
                return False
            r = self._resolve(t)
            if r == key:
                return True
            other = self.nodes.get(r)
            if other is None or other.node["type"] != "message" or not other.node.get("next"):
                return False
            if self._resolve(other.node["next"]) != key:
                return False
            if other.node.get("prompt"):
                source.setdefault("reprompt", other.node["prompt"])
            return True

        t_back, i_back = back(timeout), back(invalid)
        name = self.nodes[key].label or key
        if loop is not None:
            node["retries"] = max(0, min(loop[0], FOREVER_RETRIES))
            node["on_failure"] = loop[1]
        elif (t_back or timeout is None) and (i_back or invalid is None):
            if timeout is None and invalid is None:
                node["retries"] = 0
                node["on_failure"] = None
            else:
                node["retries"] = FOREVER_RETRIES
                self.note(
                    f"replays: {name!r} replays without limit on silence or a wrong key; "
                    f"modelled as {FOREVER_RETRIES} replays, then the call ends"
                )
        elif t_back or i_back:
            node["on_failure"] = invalid if t_back else timeout
            self.note(
                f"retries: {name!r} replays on {'silence' if t_back else 'a wrong key'} but "
                f"moves on after {'a wrong key' if t_back else 'silence'}; ivrscore has one "
                "retry count (2 replays) for both"
            )
        else:
            node["retries"] = 0
            node["on_failure"] = invalid if invalid is not None else timeout
            if (
                timeout is not None
                and invalid is not None
                and self._resolve(timeout) != self._resolve(invalid)
            ):
                source["on_timeout"] = timeout
                self.note(
                    f"failures: {name!r} sends silence and wrong keys to different places; "
                    "on_failure follows a wrong key (silence kept under meta.source.on_timeout)"
                )

    def _through(self, key: str | None, loop: str) -> bool:
        """Whether ``key``'s chain of pass-through steps goes through ``loop``."""
        seen: set[str] = set()
        while key is not None and key in self.aliases and key not in seen:
            if key == loop:
                return True
            seen.add(key)
            key = self.aliases[key]
        return False

    def _close_loops(self) -> None:
        """Send each silent step that comes back to a bounded loop on to the loop's exit.

        Nested loops send an inner exit back to the outer loop; passes repeat until nothing
        changes (at most once per loop, since each change moves a step to an exit)."""
        for _ in range(len(self.loops) + 1):
            changed = False
            for loop, (done, _count) in self.loops.items():
                if self._through(done, loop):
                    done = END
                stack, seen = [self._resolve(loop)], set()
                while stack:
                    k = stack.pop()
                    if k in seen or k not in self.nodes:
                        continue
                    seen.add(k)
                    node = self.nodes[k].node
                    for slot in _slots(node):
                        t = slot.get()
                        if node["type"] in ("message", "branch") and self._through(t, loop):
                            slot.set(done)
                            changed = True
                        elif t is not None:
                            stack.append(self._resolve(t))
            if not changed:
                break

    def _resolve(self, key: str) -> str:
        """Where a chain of pass-through steps leads; each chain is walked once (the answers
        are kept while the flow is built, so resolving every step stays linear)."""
        if key in self._resolved:
            return self._resolved[key]
        chain: list[str] = []
        seen: set[str] = set()
        real = key
        while real in self.aliases:
            if real in self._resolved:
                real = self._resolved[real]
                break
            if real in seen:  # a loop of pass-through steps: the call never moves on
                real = END
                break
            seen.add(real)
            chain.append(real)
            real = self.aliases[real]
        if real != END and real not in self.nodes:
            real = END
        if self._freeze:
            for k in chain:
                self._resolved[k] = real
        return real

    def _ids(self, order: list[str]) -> dict[str, str]:
        used: set[str] = set()
        ids: dict[str, str] = {}
        for k in order:
            pending = self.nodes[k]
            base = slug(pending.label or "") or slug(k) or pending.node["type"]
            if base[0].isdigit():
                base = f"{pending.node['type']}_{base}"
            ids[k] = _unique(base, used)
            used.add(ids[k])
        return ids

    def _warnings(
        self,
        nodes: dict[str, dict[str, Any]],
        ids: dict[str, str],
        left_out: list[str],
        handled: bool,
    ) -> tuple[str, ...]:
        out: list[str] = []
        if handled:
            out.append(
                f"tasks: one per destination ({', '.join(self.tasks)}), equal shares - "
                "replace with why people really call and how often"
            )
        else:
            out.append(
                "tasks: nothing in this flow resolves a call (no human, queue or other flow) - "
                "mark the nodes that finish a caller's business as type: self_service with "
                "handles: [task]"
            )
        queues = [nid for nid, n in nodes.items() if n["type"] == "queue" and "wait" not in n]
        for nid in queues:
            nodes[nid]["wait"] = {"mean_s": DEFAULT_WAIT_S}
        if queues:
            out.append(
                f"queue waits: {', '.join(queues)} wait {DEFAULT_WAIT_S:.0f} s on average - "
                "set wait: or staffing: from your queue statistics"
            )
        silent = [
            nid
            for nid, n in nodes.items()
            if n["type"] == "menu"
            and not n.get("prompt")
            and "duration_s" not in n
            and not any(o.get("say") for o in n["options"].values())
        ]
        for nid in silent:
            nodes[nid]["duration_s"] = OPTION_S * len(nodes[nid]["options"])
        if silent:
            out.append(
                f"prompt lengths: {', '.join(silent)} have no words in the file; assumed "
                f"{OPTION_S:g} s per option - set prompt: and say:, or duration_s:"
            )
        if self.default_schedules:
            hours = ", ".join(f"{d} {t}" for d, t in DEFAULT_HOURS.items())
            out.append(
                f"schedules: {', '.join(self.default_schedules)} assumed open {hours} - "
                "set the real opening hours"
            )
        guesses = [ids[k] for k in self.split_guesses if k in ids]
        if guesses:
            out.append(
                f"branches: {', '.join(guesses)} test data the file cannot tell; callers are "
                "split evenly - set each condition's share"
            )
        out.extend(self.notes)
        if left_out:
            out.append(
                f"left out: {len(left_out)} step(s) no caller can reach except on a platform "
                "error (kept under meta.imported.left_out)"
            )
        if self.not_understood:
            kinds = ", ".join(
                f"{k} x{n}" if n > 1 else k for k, n in sorted(self.not_understood.items())
            )
            out.append(
                f"not understood, passed through (kept under meta.imported.not_understood): {kinds}"
            )
        return tuple(out)


def _promises(nodes: dict[str, dict[str, Any]]) -> None:
    """``for:`` on each option the caller hears offered (its ``say:`` or ``speech:``, or the
    sentence of the menu's prompt that names its key, "For billing, press 2"): the tasks
    handled behind it and behind no other option of its menu (shared fallbacks are not what
    an option offers). Callers then choose by what each option promises."""

    def behind(start: str) -> set[str]:
        out: set[str] = set()
        stack, seen = [start], set()
        while stack:
            k = stack.pop()
            if k in seen or k not in nodes:
                continue
            seen.add(k)
            n = nodes[k]
            out.update(n.get("handles", ()))
            stack.extend(slot.get() or "" for slot in _slots(n))
        return out

    for nid, node in nodes.items():
        if node["type"] != "menu":
            continue
        options = node["options"]
        spoken = keyed_phrases(str(node.get("prompt") or ""))
        reach = {k: behind(o["next"]) if o["next"] != nid else set() for k, o in options.items()}
        for k, o in options.items():
            if not (o.get("say") or o.get("speech") or k in spoken) or "for" in o:
                continue
            others = set().union(*(r for j, r in reach.items() if j != k))
            own = sorted(reach[k] - others)
            if own:
                o["for"] = own


def _even(names: dict[str, None]) -> list[tuple[str, float]]:
    """Even shares rounded to 4 places, the remainder on the last, so they sum to exactly 1."""
    n = len(names)
    share = round(1.0 / n, 4)
    out = [(t, share) for t in names]
    out[-1] = (out[-1][0], round(1.0 - share * (n - 1), 4))
    return out


def _t(key: str | None) -> str:
    return key if key is not None else END


def _unique(base: str, used: set[str]) -> str:
    if base not in used:
        return base
    n = 2
    while f"{base}_{n}" in used:
        n += 1
    return f"{base}_{n}"


@dataclass
class _Slot:
    container: dict[str, Any]
    key: str

    def get(self) -> str | None:
        value = self.container[self.key]
        return value if isinstance(value, str) else None

    def set(self, value: str) -> None:
        self.container[self.key] = value


def _slots(node: dict[str, Any]) -> Iterator[_Slot]:
    """Every target reference in a node in our format."""
    for f in _TARGET_FIELDS:
        if f in node:
            yield _Slot(node, f)
    if node.get("type") == "branch":
        for cond in node["when"]:
            yield _Slot(cond, "next")
        yield _Slot(node, "otherwise")
    for option in node.get("options", {}).values():
        yield _Slot(option, "next")


_FIRST = ("type", "prompt")


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    """Keys in reading order: type and prompt first, meta last."""
    out = {k: node[k] for k in _FIRST if k in node}
    out.update((k, v) for k, v in node.items() if k not in out and k != "meta")
    if "meta" in node:
        out["meta"] = node["meta"]
    return out


def _validate(data: dict[str, Any], source: str | None) -> PhoneTree:
    from ..io import tree_from_data

    try:
        return tree_from_data(data)
    except TreeFileError as exc:
        first = exc.problems[0]
        raise TreeFileError.single(
            f"could not turn this flow into a phone tree: {first.format()}",
            file=source,
            hint="the step named is where the platform file was not understood; fix it there "
            "or in the imported YAML",
        ) from None
