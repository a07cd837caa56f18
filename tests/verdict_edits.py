"""Expert edits for the metamorphic tests of the score: each only adds harm to some calls (or,
reversed, only removes it), so a CX expert knows which way the score must move.

Every edit is a function ``(doc) -> list of (label, edited doc)``: one edited copy per place
the edit applies (at most ``LIMIT`` places, in file order), each a plain document dict. An edit
that does not apply returns an empty list. The documents are plain data (``tree.to_dict()``),
so edits never depend on the model's internals.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

Doc = dict[str, Any]
Edit = Callable[[Doc], list[tuple[str, Doc]]]

LIMIT = 3
"""At most this many places per edit and tree."""


def _nodes(doc: Doc, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for nid, node in doc["nodes"].items():
        if node["type"] in types:
            yield nid, node


def _each(
    doc: Doc, types: tuple[str, ...], change: Callable[[Doc, str], bool]
) -> list[tuple[str, Doc]]:
    """Apply ``change(copy, node id)`` at each node of ``types`` where it applies."""
    out = []
    for nid, _ in _nodes(doc, *types):
        new = copy.deepcopy(doc)
        if change(new, nid):
            out.append((nid, new))
        if len(out) >= LIMIT:
            break
    return out


def _fresh(doc: Doc, stem: str) -> str:
    i = 0
    while f"{stem}_{i}" in doc["nodes"]:
        i += 1
    return f"{stem}_{i}"


def _is_human(doc: Doc, nid: str | None) -> bool:
    seen = set()
    while nid is not None and nid not in seen:
        seen.add(nid)
        node = doc["nodes"][nid]
        if node["type"] in ("agent", "queue", "callback"):
            return True
        nid = node.get("next") if node["type"] == "message" else None
    return False


def _collected(doc: Doc) -> set[str]:
    return {n["collects"] for _, n in _nodes(doc, "input")}


def _personas(doc: Doc) -> list[dict[str, Any]]:
    callers = doc.get("callers")
    if callers is None:
        doc["callers"] = [{"name": "typical", "share": 1.0}]
        return list(doc["callers"])
    return callers if isinstance(callers, list) else [callers]


# -- edits that add harm ------------------------------------------------------------------------


def re_ask(doc: Doc) -> list[tuple[str, Doc]]:
    """An agent asks again for a datum the IVR collects."""
    data = sorted(_collected(doc))

    def change(d: Doc, nid: str) -> bool:
        asks = list(d["nodes"][nid].get("asks", []))
        missing = [x for x in data if x not in asks]
        if not missing:
            return False
        d["nodes"][nid]["asks"] = [*asks, missing[0]]
        return True

    return _each(doc, ("agent",), change) if data else []


def closed_dead_end(doc: Doc) -> list[tuple[str, Doc]]:
    """A queue whose closed branch led somewhere now just says goodbye."""

    def change(d: Doc, nid: str) -> bool:
        q = d["nodes"][nid]
        target = q.get("on_closed")
        if q.get("open") is None or target is None or d["nodes"][target]["type"] == "hangup":
            return False
        end = _fresh(d, "closed_goodbye")
        d["nodes"][end] = {"type": "hangup", "prompt": "We are closed. Goodbye."}
        q["on_closed"] = end
        return True

    return _each(doc, ("queue",), change)


def hangup_on_error(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu or input whose failures went somewhere now hangs up."""

    def change(d: Doc, nid: str) -> bool:
        node = d["nodes"][nid]
        target = node.get("on_failure")
        if target is None or target == nid or d["nodes"][target]["type"] == "hangup":
            return False  # (a failure that restarts the menu is a trap: not harm-free to remove)
        end = _fresh(d, "error_goodbye")
        d["nodes"][end] = {"type": "hangup", "prompt": "Sorry. Goodbye."}
        node["on_failure"] = end
        return True

    return _each(doc, ("menu", "input"), change)


def longer_prompt(doc: Doc) -> list[tuple[str, Doc]]:
    """A message or menu plays ten seconds more."""

    def change(d: Doc, nid: str) -> bool:
        node = d["nodes"][nid]
        if "duration_s" in node:
            node["duration_s"] = node["duration_s"] + 10
        else:
            node["prompt"] = (node.get("prompt") or "") + " Did you know" + " you can" * 12 + "."
        return True

    return _each(doc, ("message", "menu"), change)


def extra_prompt(doc: Doc) -> list[tuple[str, Doc]]:
    """A 20-second announcement before the first node."""
    new = copy.deepcopy(doc)
    nid = _fresh(new, "promotion")
    new["nodes"][nid] = {
        "type": "message",
        "prompt": "Ask us about our latest deals.",
        "duration_s": 20,
        "next": new["entry"],
    }
    new["entry"] = nid
    return [(nid, new)]


def more_options(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu gains an option no caller needs (opening hours), spoken first."""

    def change(d: Doc, nid: str) -> bool:
        menu = d["nodes"][nid]
        free = [k for k in "987654321" if k not in menu["options"]]
        if not free:
            return False
        info = _fresh(d, "opening_hours")
        d["nodes"][info] = {
            "type": "message",
            "prompt": "We are open from eight to six, Monday to Friday.",
            "next": nid,
        }
        menu["options"] = {
            free[0]: {"say": f"For our opening hours, press {free[0]}.", "next": info},
            **menu["options"],
        }
        return True

    return _each(doc, ("menu",), change)


def no_barge_in(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu can no longer be interrupted by a key press."""

    def change(d: Doc, nid: str) -> bool:
        if d["nodes"][nid].get("barge_in", True) is False:
            return False
        d["nodes"][nid]["barge_in"] = False
        return True

    return _each(doc, ("menu",), change)


def remove_zero_out(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu's key 0 to a person is removed."""

    def change(d: Doc, nid: str) -> bool:
        opts = d["nodes"][nid]["options"]
        if "0" not in opts or len(opts) < 2 or not _is_human(d, opts["0"]["next"]):
            return False
        del opts["0"]
        return True

    return _each(doc, ("menu",), change)


def _long_waits(doc: Doc) -> set[str]:
    """The queues whose callers wait long enough without a callback offer for the Standard to
    say one is owed (IVR505: an expected wait of three minutes or more)."""
    import ivrscore as ivr

    try:
        tree = ivr.PhoneTree.model_validate(doc)
        return {f.node for f in ivr.lint(tree) if f.code == "IVR505" and f.node}
    except ivr.IvrscoreError:
        return set()


def remove_callback_offer(doc: Doc) -> list[tuple[str, Doc]]:
    """A queue with a long wait no longer offers a callback. (At a queue with little or no
    wait the offer spares nobody a wait: callers who take it trade an answer now for a call
    back later, so removing it there is not a harm an expert would name.)"""

    def change(d: Doc, nid: str) -> bool:
        return d["nodes"][nid].pop("callback", None) is not None and nid in _long_waits(d)

    return _each(doc, ("queue",), change)


def _shift_agents(staffing: Doc, delta: int) -> bool:
    """One agent more (or fewer) in every staffed hour of a queue, whatever form the roster
    takes (a number, per schedule, or 7 x 24); never below one agent where there was one."""

    def shifted(n: int) -> int:
        return n + delta if n + delta >= 1 else n

    agents = staffing.get("agents")
    if isinstance(agents, int):
        new: Any = shifted(agents)
    elif isinstance(agents, dict):
        new = {k: shifted(v) if v > 0 else v for k, v in agents.items()}
    elif isinstance(agents, list):
        new = [[shifted(v) if v > 0 else v for v in day] for day in agents]
    else:
        return False
    if new == agents:
        return False
    staffing["agents"] = new
    return True


def fewer_agents(doc: Doc) -> list[tuple[str, Doc]]:
    """A staffed queue loses an agent."""

    def change(d: Doc, nid: str) -> bool:
        s = d["nodes"][nid].get("staffing")
        return bool(s) and _shift_agents(s, -1)

    return _each(doc, ("queue",), change)


def longer_wait(doc: Doc) -> list[tuple[str, Doc]]:
    """A queue's wait is half as long again."""

    def change(d: Doc, nid: str) -> bool:
        w = d["nodes"][nid].get("wait")
        if not w:
            return False
        key = "mean_s" if "mean_s" in w else "median_s"
        w[key] *= 1.5
        return True

    return _each(doc, ("queue",), change)


def forced_transfer(doc: Doc) -> list[tuple[str, Doc]]:
    """An agent who resolved a task now transfers those callers to another queue."""

    def change(d: Doc, nid: str) -> bool:
        agent = d["nodes"][nid]
        handles = list(agent.get("handles", []))
        target = agent.get("transfer_to")
        if len(handles) < 2 or target is None:
            return False
        agent["handles"] = handles[1:]
        return True

    return _each(doc, ("agent",), change)


def all_waits_doubled(doc: Doc) -> list[tuple[str, Doc]]:
    """Every queue waits twice as long."""
    new = copy.deepcopy(doc)
    changed = False
    for _, q in _nodes(new, "queue"):
        w = q.get("wait")
        if w:
            w["mean_s" if "mean_s" in w else "median_s"] *= 2
            changed = True
    return [("every queue", new)] if changed else []


def impatient_callers(doc: Doc) -> list[tuple[str, Doc]]:
    """Every persona's patience is halved."""
    new = copy.deepcopy(doc)
    changed = False
    for p in _personas(new):
        pat = dict(p.get("patience", {"mean_s": 240.0}))
        if pat.get("distribution") == "none":
            continue
        key = "median_s" if "median_s" in pat else "mean_s"
        pat[key] = pat[key] / 2
        p["patience"] = pat
        changed = True
    return [("every persona", new)] if changed else []


HARMFUL: dict[str, Edit] = {
    "re-ask": re_ask,
    "closed dead end": closed_dead_end,
    "hang-up on error": hangup_on_error,
    "longer prompt": longer_prompt,
    "extra prompt": extra_prompt,
    "more options": more_options,
    "no barge-in": no_barge_in,
    "removed zero-out": remove_zero_out,
    "removed callback offer": remove_callback_offer,
    "fewer agents": fewer_agents,
    "longer wait": longer_wait,
    "forced transfer": forced_transfer,
    "every wait doubled": all_waits_doubled,
    "patience halved": impatient_callers,
}
"""Edits that only add harm: the score must never rise."""


# -- edits that remove harm ---------------------------------------------------------------------


def stop_re_asking(doc: Doc) -> list[tuple[str, Doc]]:
    """An agent stops asking for data."""

    def change(d: Doc, nid: str) -> bool:
        return bool(d["nodes"][nid].pop("asks", None))

    return _each(doc, ("agent",), change)


def closed_to_callback(doc: Doc) -> list[tuple[str, Doc]]:
    """A closed dead end (a closed queue that hangs up) offers a callback instead."""

    def change(d: Doc, nid: str) -> bool:
        q = d["nodes"][nid]
        target = q.get("on_closed")
        if q.get("open") is None or (target is not None and d["nodes"][target]["type"] != "hangup"):
            return False
        cb = _fresh(d, "book_callback")
        d["nodes"][cb] = {"type": "callback", "prompt": "We'll call you back when we open."}
        q["on_closed"] = cb
        return True

    return _each(doc, ("queue",), change)


def failure_to_person(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu or input that hung up on failures sends them to a person (see _best_person)."""
    person = _best_person(doc)

    def change(d: Doc, nid: str) -> bool:
        node = d["nodes"][nid]
        target = node.get("on_failure")
        if target is not None and d["nodes"][target]["type"] != "hangup":
            return False
        node["on_failure"] = person
        return True

    return _each(doc, ("menu", "input"), change) if person else []


def _best_person(doc: Doc, prefer: str | None = None) -> str | None:
    """Where an expert would send a new way to a person: ``prefer`` (the menu's own
    on_failure) when that is a queue, a callback or a voicemail, else the always-open queue
    whose person handles the most tasks without passing callers on."""
    if prefer is not None and doc["nodes"][prefer]["type"] in ("queue", "callback", "voicemail"):
        return prefer  # where the menu already sends callers it cannot help
    best: tuple[int, int, str] | None = None
    for nid, q in _nodes(doc, "queue"):
        agent = doc["nodes"].get(q.get("next") or "")
        if q.get("open") is not None or agent is None or agent["type"] != "agent":
            continue
        rank = (len(agent.get("handles", [])), 0 if agent.get("transfer_to") else 1, nid)
        if best is None or rank[:2] > best[:2]:
            best = rank
    return best[2] if best else None


def add_zero_out(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu without a key 0 gains one to a person: its own on_failure queue, else the
    always-open queue whose person handles the most (so the key is a real way out)."""

    def change(d: Doc, nid: str) -> bool:
        opts = d["nodes"][nid]["options"]
        target = _best_person(d, d["nodes"][nid].get("on_failure"))
        if "0" in opts or target is None:
            return False
        opts["0"] = {"say": "To speak to an advisor, press 0.", "next": target}
        return True

    return _each(doc, ("menu",), change)


def add_callback_offer(doc: Doc) -> list[tuple[str, Doc]]:
    """A queue with a long wait and no callback offer gains one (where IVR505 asks for it;
    see ``remove_callback_offer`` for why not at every queue)."""
    long = _long_waits(doc)

    def change(d: Doc, nid: str) -> bool:
        q = d["nodes"][nid]
        if q.get("callback") or nid not in long:
            return False
        cb = _fresh(d, "offer_callback")
        d["nodes"][cb] = {"type": "callback", "prompt": "We'll call you back."}
        q["callback"] = cb
        return True

    return _each(doc, ("queue",), change)


def more_agents(doc: Doc) -> list[tuple[str, Doc]]:
    """A staffed queue gains an agent."""

    def change(d: Doc, nid: str) -> bool:
        s = d["nodes"][nid].get("staffing")
        return bool(s) and _shift_agents(s, +1)

    return _each(doc, ("queue",), change)


def shorter_wait(doc: Doc) -> list[tuple[str, Doc]]:
    """A queue's wait is halved."""

    def change(d: Doc, nid: str) -> bool:
        w = d["nodes"][nid].get("wait")
        if not w:
            return False
        w["mean_s" if "mean_s" in w else "median_s"] /= 2
        return True

    return _each(doc, ("queue",), change)


def barge_in(doc: Doc) -> list[tuple[str, Doc]]:
    """A menu that could not be interrupted now can."""

    def change(d: Doc, nid: str) -> bool:
        if d["nodes"][nid].get("barge_in", True):
            return False
        d["nodes"][nid]["barge_in"] = True
        return True

    return _each(doc, ("menu",), change)


def shorter_message(doc: Doc) -> list[tuple[str, Doc]]:
    """A message is cut to a few words."""

    def change(d: Doc, nid: str) -> bool:
        node = d["nodes"][nid]
        if not node.get("prompt") and not node.get("duration_s"):
            return False
        node["prompt"] = "Welcome."
        node.pop("duration_s", None)
        return True

    return _each(doc, ("message",), change)


def patient_callers(doc: Doc) -> list[tuple[str, Doc]]:
    """Every persona's patience is doubled."""
    new = copy.deepcopy(doc)
    changed = False
    for p in _personas(new):
        pat = dict(p.get("patience", {"mean_s": 240.0}))
        if pat.get("distribution") == "none":
            continue
        key = "median_s" if "median_s" in pat else "mean_s"
        pat[key] = pat[key] * 2
        p["patience"] = pat
        changed = True
    return [("every persona", new)] if changed else []


HELPFUL: dict[str, Edit] = {
    "stop re-asking": stop_re_asking,
    "closed to callback": closed_to_callback,
    "failure to a person": failure_to_person,
    "add zero-out": add_zero_out,
    "add callback offer": add_callback_offer,
    "more agents": more_agents,
    "shorter wait": shorter_wait,
    "barge-in": barge_in,
    "shorter message": shorter_message,
    "patience doubled": patient_callers,
}
"""Edits that only remove harm: the score must never fall."""
