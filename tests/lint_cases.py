"""Rule cases as data: for each rule, near-identical trees where it fires and where it does not.

Every case is the clean ``BASE`` tree with a patch deep-merged into it (a ``None`` value deletes
the key). ``expect`` lists the nodes the rule must report (``None`` for a tree-level finding);
an empty list means the rule must stay silent.
"""

from __future__ import annotations

from typing import Any

BASE: dict[str, Any] = {
    "name": "case",
    "entry": "menu",
    "tasks": [{"name": "a", "share": 0.6}, {"name": "b", "share": 0.4}],
    "nodes": {
        "menu": {
            "type": "menu",
            "options": {
                "1": {"say": "For a, press 1.", "next": "sa"},
                "2": {"say": "For b, press 2.", "next": "q"},
                "0": {"say": "For a person, press 0.", "next": "q"},
                "*": {"say": "To repeat, press star.", "next": "menu"},
            },
            "on_failure": "q",
        },
        "sa": {"type": "self_service", "handles": ["a"]},
        "q": {"type": "queue", "wait": {"mean_s": 20}, "announces_wait": True, "next": "person"},
        "person": {"type": "agent", "handles": ["a", "b"]},
    },
}

OFFICE = {"office": {"mon-fri": "09:00-17:00"}}


def opts(*pairs: tuple[str, str, str]) -> dict[str, Any]:
    """Menu options from ``(key, say, next)`` triples."""
    return {k: {"say": say, "next": nxt} for k, say, nxt in pairs}


# code -> list of (name, patch, expected nodes)
CASES: dict[str, list[tuple[str, dict[str, Any], list[str | None]]]] = {
    "IVR101": [
        ("orphan node", {"nodes": {"orphan": {"type": "hangup"}}}, ["orphan"]),
        (
            "connected node",
            {"nodes": {"orphan": {"type": "hangup"}, "sa": {"next": "orphan"}}},
            [],
        ),
    ],
    "IVR102": [
        (
            "message without next",
            {
                "nodes": {
                    "menu": {"options": {"1": {"next": "note"}}},
                    "note": {"type": "message", "prompt": "Note."},
                }
            },
            ["note"],
        ),
        (
            "message with next",
            {
                "nodes": {
                    "menu": {"options": {"1": {"next": "note"}}},
                    "note": {"type": "message", "prompt": "Note.", "next": "sa"},
                }
            },
            [],
        ),
        ("queue without next", {"nodes": {"q": {"next": None}}}, ["q"]),
    ],
    "IVR103": [
        (
            "menus that lead only to each other",
            {
                "nodes": {
                    "menu": {"options": {"3": {"say": "For more, press 3.", "next": "more"}}},
                    "more": {
                        "type": "menu",
                        "options": opts(("1", "Back, press 1.", "more2")),
                        "on_failure": "q",
                    },
                    "more2": {
                        "type": "menu",
                        "options": opts(("1", "Back, press 1.", "more")),
                        "on_failure": "q",
                    },
                }
            },
            ["more"],
        ),
        (
            "the same menus with a way out",
            {
                "nodes": {
                    "menu": {"options": {"3": {"say": "For more, press 3.", "next": "more"}}},
                    "more": {
                        "type": "menu",
                        "options": opts(
                            ("1", "Back, press 1.", "more2"), ("0", "Person, press 0.", "q")
                        ),
                        "on_failure": "q",
                    },
                    "more2": {
                        "type": "menu",
                        "options": opts(("1", "Back, press 1.", "more")),
                        "on_failure": "q",
                    },
                }
            },
            [],
        ),
        (
            "failure that loops back with no bound",
            {
                "nodes": {
                    "menu": {"on_failure": "sorry"},
                    "sorry": {"type": "message", "prompt": "Sorry.", "next": "menu"},
                }
            },
            ["menu"],
        ),
    ],
    "IVR104": [
        ("task nobody handles", {"nodes": {"person": {"handles": ["a"]}}}, [None]),
        ("task handled", {}, []),
        (
            "handler out of reach",
            {
                "nodes": {
                    "person": {"handles": ["a"]},
                    "lonely": {"type": "agent", "handles": ["b"]},
                }
            },
            [None],
        ),
    ],
    "IVR201": [
        (
            "six task options",
            {
                "nodes": {
                    "menu": {
                        "options": {
                            str(k): {"say": f"For {k}, press {k}.", "next": "q"}
                            for k in range(3, 7)
                        }
                    }
                }
            },
            ["menu"],
        ),
        (
            "five task options plus 0 and star",
            {
                "nodes": {
                    "menu": {
                        "options": {
                            str(k): {"say": f"For {k}, press {k}.", "next": "q"}
                            for k in range(3, 6)
                        }
                    }
                }
            },
            [],
        ),
    ],
    "IVR202": [
        (
            "four menus deep",
            {
                "nodes": {
                    "menu": {"options": {"2": {"next": "m2"}}},
                    "m2": {
                        "type": "menu",
                        "options": opts(
                            ("1", "For b, press 1.", "m3"), ("0", "Person, press 0.", "q")
                        ),
                        "on_failure": "q",
                    },
                    "m3": {
                        "type": "menu",
                        "options": opts(
                            ("1", "For b, press 1.", "m4"), ("0", "Person, press 0.", "q")
                        ),
                        "on_failure": "q",
                    },
                    "m4": {
                        "type": "menu",
                        "options": opts(
                            ("1", "For b, press 1.", "qb"), ("0", "Person, press 0.", "q")
                        ),
                        "on_failure": "q",
                    },
                    "qb": {"type": "queue", "wait": {"mean_s": 10}, "next": "pb"},
                    "pb": {"type": "agent", "handles": ["b"]},
                }
            },
            ["m4"],
        ),
        (
            "three menus deep",
            {
                "nodes": {
                    "menu": {"options": {"2": {"next": "m2"}}},
                    "m2": {
                        "type": "menu",
                        "options": opts(
                            ("1", "For b, press 1.", "m3"), ("0", "Person, press 0.", "q")
                        ),
                        "on_failure": "q",
                    },
                    "m3": {
                        "type": "menu",
                        "options": opts(
                            ("1", "For b, press 1.", "qb"), ("0", "Person, press 0.", "q")
                        ),
                        "on_failure": "q",
                    },
                    "qb": {"type": "queue", "wait": {"mean_s": 10}, "next": "pb"},
                    "pb": {"type": "agent", "handles": ["b"]},
                }
            },
            [],
        ),
    ],
    "IVR203": [
        (
            "key first in a three-option menu",
            {
                "nodes": {
                    "menu": {
                        "options": {"1": {"say": "Press 1 for a."}, "2": {"say": "Press 2 for b."}}
                    }
                }
            },
            ["menu"],
        ),
        (
            "goal first",
            {
                "nodes": {
                    "menu": {
                        "options": {
                            "1": {"say": "For a, press 1."},
                            "2": {"say": "For b, press 2."},
                        }
                    }
                }
            },
            [],
        ),
        (
            "key first in a yes/no menu is fine",
            {
                "nodes": {
                    "menu": {
                        "options": {
                            "1": {"say": "Press 1 for yes."},
                            "2": {"say": "Press 2 for no."},
                            "0": None,
                            "*": None,
                        }
                    }
                }
            },
            [],
        ),
    ],
    "IVR204": [
        (
            "input with no zero-out",
            {
                "entry": "ask",
                "nodes": {
                    "ask": {
                        "type": "input",
                        "collects": "pin",
                        "digits": 4,
                        "next": "menu",
                        "on_failure": "q",
                    }
                },
            },
            ["ask"],
        ),
        (
            "input with a zero-out",
            {
                "entry": "ask",
                "nodes": {
                    "ask": {
                        "type": "input",
                        "collects": "pin",
                        "digits": 4,
                        "next": "menu",
                        "on_failure": "q",
                        "zero_out": "q",
                    }
                },
            },
            [],
        ),
        (
            "menu with no key to a person",
            {
                "nodes": {
                    "menu": {"options": {"2": {"next": "sa"}, "0": None}},
                    "sa": {"handles": ["a", "b"]},
                }
            },
            ["menu"],
        ),
    ],
    "IVR205": [
        (
            "0 not to a person",
            {
                "nodes": {
                    "menu": {"options": {"0": {"say": "For opening hours, press 0.", "next": "sa"}}}
                }
            },
            ["menu"],
        ),
        (
            "hash for a task",
            {"nodes": {"menu": {"options": {"#": {"say": "For b, press hash.", "next": "q"}}}}},
            ["menu"],
        ),
        (
            "keys out of order",
            {
                "nodes": {
                    "menu": {"options": {"1": None, "3": {"say": "For a, press 3.", "next": "sa"}}}
                }
            },
            ["menu"],
        ),
        ("standard keys", {}, []),
    ],
    "IVR206": [
        ("no repeat key", {"nodes": {"menu": {"options": {"*": None}}}}, ["menu"]),
        ("repeat key", {}, []),
    ],
    "IVR207": [
        (
            "popular option spoken last",
            {"tasks": [{"name": "a", "share": 0.2}, {"name": "b", "share": 0.8}]},
            ["menu"],
        ),
        (
            "popular option first",
            {"tasks": [{"name": "a", "share": 0.8}, {"name": "b", "share": 0.2}]},
            [],
        ),
    ],
    "IVR301": [
        (
            "failure hangs up",
            {
                "nodes": {
                    "menu": {"on_failure": "bye"},
                    "bye": {"type": "hangup", "prompt": "Goodbye."},
                }
            },
            ["menu"],
        ),
        ("no on_failure", {"nodes": {"menu": {"on_failure": None}}}, ["menu"]),
        (
            "failure via a message",
            {
                "nodes": {
                    "menu": {"on_failure": "sorry"},
                    "sorry": {"type": "message", "prompt": "Sorry.", "next": "bye"},
                    "bye": {"type": "hangup"},
                }
            },
            ["menu"],
        ),
        ("failure to a person", {}, []),
    ],
    "IVR302": [
        (
            "agent asks again",
            {
                "entry": "ask",
                "nodes": {
                    "ask": {
                        "type": "input",
                        "collects": "account",
                        "next": "menu",
                        "zero_out": "q",
                        "on_failure": "q",
                    },
                    "person": {"asks": ["account"]},
                },
            },
            ["person"],
        ),
        (
            "agent asks something else",
            {
                "entry": "ask",
                "nodes": {
                    "ask": {
                        "type": "input",
                        "collects": "account",
                        "next": "menu",
                        "zero_out": "q",
                        "on_failure": "q",
                    },
                    "person": {"asks": ["postcode"]},
                },
            },
            [],
        ),
        (
            "a failed entry is not given",
            {
                "nodes": {
                    "menu": {"options": {"2": {"next": "ask"}}},
                    "ask": {
                        "type": "input",
                        "collects": "account",
                        "next": "sb",
                        "zero_out": "q",
                        "on_failure": "q",
                    },
                    "sb": {"type": "self_service", "handles": ["b"]},
                    "person": {"asks": ["account"]},
                }
            },
            [],
        ),
        (
            "input twice on one path",
            {
                "entry": "ask",
                "nodes": {
                    "ask": {
                        "type": "input",
                        "collects": "account",
                        "next": "menu",
                        "zero_out": "q",
                        "on_failure": "q",
                    },
                    "menu": {"options": {"1": {"next": "ask2"}}},
                    "ask2": {
                        "type": "input",
                        "collects": "account",
                        "next": "sa",
                        "zero_out": "q",
                        "on_failure": "q",
                    },
                },
            },
            ["ask2"],
        ),
    ],
    "IVR303": [
        ("no re-prompt", {"nodes": {"menu": {"retries": 0}}}, ["menu"]),
        ("five attempts", {"nodes": {"menu": {"retries": 4}}}, ["menu"]),
        ("three attempts", {"nodes": {"menu": {"retries": 2}}}, []),
    ],
    "IVR304": [
        ("two seconds", {"nodes": {"menu": {"timeout_s": 2}}}, ["menu"]),
        ("fifteen seconds", {"nodes": {"menu": {"timeout_s": 15}}}, ["menu"]),
        ("five seconds", {"nodes": {"menu": {"timeout_s": 5}}}, []),
    ],
    "IVR305": [
        ("no barge-in", {"nodes": {"menu": {"barge_in": False}}}, ["menu"]),
        ("barge-in", {"nodes": {"menu": {"barge_in": True}}}, []),
    ],
    "IVR306": [
        ("speech only", {"nodes": {"menu": {"modality": "speech"}}}, ["menu"]),
        ("speech and keypad", {"nodes": {"menu": {"modality": "both"}}}, []),
    ],
    "IVR401": [
        (
            "a 25-second message",
            {
                "entry": "hello",
                "nodes": {
                    "hello": {
                        "type": "message",
                        "prompt": "Hello.",
                        "duration_s": 25,
                        "next": "menu",
                    }
                },
            },
            ["hello"],
        ),
        (
            "a 5-second message",
            {
                "entry": "hello",
                "nodes": {
                    "hello": {
                        "type": "message",
                        "prompt": "Hello.",
                        "duration_s": 5,
                        "next": "menu",
                    }
                },
            },
            [],
        ),
    ],
    "IVR402": [
        (
            "12 seconds before the menu",
            {
                "entry": "hello",
                "nodes": {
                    "hello": {"type": "message", "duration_s": 6, "next": "more"},
                    "more": {"type": "message", "duration_s": 6, "next": "menu"},
                },
            },
            ["hello"],
        ),
        (
            "4 seconds before the menu",
            {
                "entry": "hello",
                "nodes": {"hello": {"type": "message", "duration_s": 4, "next": "menu"}},
            },
            [],
        ),
    ],
    "IVR403": [
        (
            "a minute and a half to a person",
            {
                "entry": "hello",
                "nodes": {
                    "hello": {
                        "type": "message",
                        "duration_s": 90,
                        "next": "menu",
                        "ignore": ["IVR401", "IVR402"],
                    }
                },
            },
            ["person"],
        ),
        ("seconds to a person", {}, []),
    ],
    "IVR404": [
        (
            "options have changed",
            {
                "entry": "hello",
                "nodes": {
                    "hello": {
                        "type": "message",
                        "prompt": "Please listen carefully as our options have changed.",
                        "next": "menu",
                    }
                },
            },
            ["hello"],
        ),
        (
            "a plain welcome",
            {
                "entry": "hello",
                "nodes": {
                    "hello": {"type": "message", "prompt": "Welcome to Acme.", "next": "menu"}
                },
            },
            [],
        ),
    ],
    "IVR501": [
        (
            "closed means goodbye",
            {
                "schedules": OFFICE,
                "nodes": {
                    "q": {"open": "office", "on_closed": "bye"},
                    "bye": {"type": "hangup", "prompt": "We are closed. Goodbye."},
                },
            },
            ["q"],
        ),
        (
            "closed offers a callback",
            {
                "schedules": OFFICE,
                "nodes": {"q": {"open": "office", "on_closed": "cb"}, "cb": {"type": "callback"}},
            },
            [],
        ),
        (
            "closed branch says goodbye",
            {
                "schedules": OFFICE,
                "entry": "hours",
                "nodes": {
                    "hours": {
                        "type": "branch",
                        "when": [{"open": "office", "next": "menu"}],
                        "otherwise": "bye",
                    },
                    "bye": {"type": "hangup"},
                },
            },
            ["hours"],
        ),
        (
            "queue with hours and no on_closed",
            {"schedules": OFFICE, "nodes": {"q": {"open": "office"}}},
            ["q"],
        ),
    ],
    "IVR502": [
        (
            "two transfers",
            {
                "nodes": {
                    "person": {"handles": ["a"], "transfer_to": "q2"},
                    "q2": {"type": "queue", "next": "p2"},
                    "p2": {"type": "agent", "handles": ["a"], "transfer_to": "q3"},
                    "q3": {"type": "queue", "next": "p3"},
                    "p3": {"type": "agent", "handles": ["b"]},
                }
            },
            ["p2"],
        ),
        (
            "one transfer",
            {
                "nodes": {
                    "person": {"handles": ["a"], "transfer_to": "q2"},
                    "q2": {"type": "queue", "next": "p2"},
                    "p2": {"type": "agent", "handles": ["a", "b"]},
                }
            },
            [],
        ),
    ],
    "IVR503": [
        (
            "silent long queue",
            {
                "nodes": {
                    "q": {"announces_wait": False, "wait": {"mean_s": 120}, "callback": "cb"},
                    "cb": {"type": "callback"},
                }
            },
            ["q"],
        ),
        (
            "silent short queue",
            {"nodes": {"q": {"announces_wait": False, "wait": {"mean_s": 20}}}},
            [],
        ),
        ("announced long queue", {"nodes": {"q": {"wait": {"mean_s": 120}}}}, []),
    ],
    "IVR504": [
        (
            "overloaded at the peak hour, nobody gives up",
            {
                "volume": {"peak_calls_per_hour": 300},
                "callers": {"patience": {"distribution": "none"}},
                "nodes": {  # 141 calls reach q at the peak: 7 Erlangs for 5 agents
                    "q": {"wait": None, "staffing": {"agents": 5, "handle_time_s": 180}},
                },
            },
            ["q"],
        ),
        (
            "staffed above the load of every hour",
            {
                "volume": {"peak_calls_per_hour": 300},
                "callers": {"patience": {"distribution": "none"}},
                "nodes": {
                    "q": {"wait": None, "staffing": {"agents": 14, "handle_time_s": 180}},
                },
            },
            [],
        ),
        (
            "overloaded, nobody gives up",
            {
                "callers": {"patience": {"distribution": "none"}},
                "nodes": {
                    "q": {
                        "wait": None,
                        "staffing": {"agents": 5, "calls_per_hour": 120, "handle_time_s": 180},
                    }
                },
            },
            ["q"],
        ),
        (
            "staffed above the load",
            {
                "callers": {"patience": {"distribution": "none"}},
                "nodes": {
                    "q": {
                        "wait": None,
                        "callback": "cb",
                        "staffing": {"agents": 8, "calls_per_hour": 120, "handle_time_s": 180},
                    },
                    "cb": {"type": "callback"},
                },
            },
            [],
        ),
    ],
    "IVR505": [
        ("four-minute wait", {"nodes": {"q": {"wait": {"mean_s": 240}}}}, ["q"]),
        (
            "four-minute wait with a callback",
            {
                "nodes": {
                    "q": {"wait": {"mean_s": 240}, "callback": "cb"},
                    "cb": {"type": "callback"},
                }
            },
            [],
        ),
    ],
    "IVR507": [
        (
            "open with nobody on the roster",
            {
                "volume": {"calls_per_week": 2000},
                "schedules": OFFICE,
                "nodes": {
                    "q": {
                        "open": "office",
                        "on_closed": "cb",
                        "wait": None,
                        "staffing": {"agents": {"office": 0}, "handle_time_s": 120},
                    },
                    "cb": {"type": "callback"},
                },
            },
            ["q"],
        ),
        (
            "agents whenever it is open",
            {
                "volume": {"calls_per_week": 2000},
                "schedules": OFFICE,
                "nodes": {
                    "q": {
                        "open": "office",
                        "on_closed": "cb",
                        "wait": None,
                        "staffing": {"agents": {"office": 3}, "handle_time_s": 120},
                    },
                    "cb": {"type": "callback"},
                },
            },
            [],
        ),
    ],
    "IVR506": [
        (
            "option for a and b leads to a service for a only",
            {"nodes": {"menu": {"options": {"1": {"for": ["a", "b"]}}}}},
            ["menu"],
        ),
        (
            "option for b leads to a person who handles b",
            {"nodes": {"menu": {"options": {"2": {"for": ["b"]}}}}},
            [],
        ),
        (
            "option whose words name b leads to a service for a only",
            {
                "tasks": [
                    {"name": "a", "share": 0.6, "words": ["apples"]},
                    {"name": "b", "share": 0.4, "words": ["bananas"]},
                ],
                "nodes": {"menu": {"options": {"1": {"say": "For apples or bananas, press 1."}}}},
            },
            ["menu"],
        ),
        (
            "option for b reaches a person who transfers b",
            {
                "nodes": {
                    "menu": {"options": {"2": {"for": ["b"]}}},
                    "person": {"handles": ["a"], "transfer_to": "q2"},
                    "q2": {"type": "queue", "wait": {"mean_s": 20}, "next": "expert"},
                    "expert": {"type": "agent", "handles": ["b"]},
                }
            },
            ["menu"],
        ),
    ],
}


def merge(base: Any, patch: Any) -> Any:
    """Deep-merge ``patch`` into a copy of ``base``; ``None`` deletes a key."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return patch
    out = dict(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif key in out:
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
