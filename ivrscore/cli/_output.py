"""The JSON each command prints: one documented shape per command, published as JSON Schema.

``ivrscore schema --output COMMAND`` prints the schema of ``COMMAND --format json``. Shapes
that are objects carry ``version`` (:data:`JSON_VERSION`), raised when a field changes meaning
or goes away; new fields may appear without a new version, so consumers should ignore fields
they do not know. The field names are the contract of DESIGN section 7:

- ``lint``: a list of findings ``[{code, slug, severity, node, path, message, laws, hint, file,
  line}]``; a file that could not be read gives entries with ``code: null`` and ``slug:
  "load-error"``.
- ``validate``: a list, one entry per file given.
- ``analyze`` and ``simulate``: ``{version, name, method, outcomes, metrics, tasks}``.
- ``score``: ``{version, reports: [{file, name, score, grade, criteria, metrics, outcomes,
  findings, ...}], errors}``, one report per file given.
- ``compare``: ``{version, before, after, delta, criteria, metrics, fixed, introduced}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .. import __version__

__all__ = ["JSON_VERSION", "OUTPUTS", "dumps", "output_schema", "versioned"]

JSON_VERSION = 1
"""Version of the JSON shapes (objects carry it as ``version``)."""

OUTPUTS = ("lint", "validate", "analyze", "simulate", "score", "compare")
"""Commands whose ``--format json`` has a published schema."""


def _clean(value: Any) -> Any:
    """NaN and infinities (no call got there) become ``null``: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def dumps(payload: Any) -> str:
    """Strict JSON (no NaN), indented for reading.

    Examples
    --------
    >>> print(dumps({"a": float("nan"), "b": [1.5]}))
    {
      "a": null,
      "b": [
        1.5
      ]
    }
    """
    return json.dumps(_clean(payload), indent=2, allow_nan=False)


def versioned(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with ``version`` first."""
    return {"version": JSON_VERSION, **payload}


# -- the schemas ---------------------------------------------------------------------------------

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}


def _defs() -> dict[str, Any]:
    """The shared pieces of the schemas (built when asked: they need the engine's names)."""
    from ..engine.results import METRICS, OUTCOMES

    return {
        "outcomes": {
            "description": "Share of calls ending in each outcome (they sum to 1).",
            "type": "object",
            "required": list(OUTCOMES),
            "properties": {k: {"type": "number", "minimum": 0, "maximum": 1} for k in OUTCOMES},
            "additionalProperties": {"type": "number"},
        },
        "metrics": {
            "description": "Every metric by its contract name (DESIGN section 4); null when no "
            "call reached what it measures. Simulations add p50_* and p90_* times.",
            "type": "object",
            "required": list(METRICS),
            "properties": dict.fromkeys(METRICS, _NUMBER_OR_NULL),
            "additionalProperties": _NUMBER_OR_NULL,
        },
        "tasks": {
            "description": "Per task: its outcomes and metrics.",
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["outcomes", "metrics"],
                "properties": {
                    "outcomes": {"$ref": "#/$defs/outcomes"},
                    "metrics": {"$ref": "#/$defs/metrics"},
                },
            },
        },
        "finding": {
            "description": "One finding of a rule, or (code null, slug load-error) one problem "
            "that kept a file from being read.",
            "type": "object",
            "required": ["code", "slug", "severity", "node", "path", "message", "laws"],
            "properties": {
                "code": {
                    "type": ["string", "null"],
                    "pattern": "^IVR[0-9]{3}$",
                    "description": "The rule (IVRnnn); null for a file that could not be read.",
                },
                "slug": {"type": "string"},
                "severity": {"enum": ["error", "warning", "info"]},
                "node": {"type": ["string", "null"]},
                "path": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Node ids of the caller's path, for path rules.",
                },
                "message": {"type": "string"},
                "laws": {"type": "array", "items": {"type": "integer"}},
                "hint": {"type": ["string", "null"], "description": "How to fix it."},
                "file": {"type": ["string", "null"]},
                "line": {"type": ["integer", "null"], "minimum": 1},
            },
        },
        "criterion": {
            "type": "object",
            "required": ["name", "score", "weight", "value", "target", "limit", "laws"],
            "properties": {
                "name": {"type": "string"},
                "metric": {"type": "string"},
                "score": {"type": "number", "minimum": 0, "maximum": 100},
                "weight": {"type": "number"},
                "value": _NUMBER_OR_NULL,
                "target": {"type": "number"},
                "limit": {"type": "number"},
                "laws": {"type": "array", "items": {"type": "integer"}},
            },
        },
        "result": {
            "type": "object",
            "required": ["name", "method", "outcomes", "metrics", "tasks"],
            "properties": {
                "name": {"type": "string"},
                "method": {
                    "type": "string",
                    "description": "exact, simulation, or an approximation",
                },
                "outcomes": {"$ref": "#/$defs/outcomes"},
                "metrics": {"$ref": "#/$defs/metrics"},
                "tasks": {"$ref": "#/$defs/tasks"},
            },
        },
        "report": {
            "type": "object",
            "required": [
                "file",
                "name",
                "score",
                "grade",
                "criteria",
                "metrics",
                "outcomes",
                "findings",
            ],
            "properties": {
                "file": {"type": "string"},
                "name": {"type": "string"},
                "score": {"type": "number", "minimum": 0, "maximum": 100},
                "grade": {"enum": ["A", "B", "C", "D", "F"]},
                "method": {"type": "string"},
                "criteria": {"type": "array", "items": {"$ref": "#/$defs/criterion"}},
                "metrics": {"$ref": "#/$defs/metrics"},
                "outcomes": {"$ref": "#/$defs/outcomes"},
                "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
                "explanations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["points", "text"],
                        "properties": {"points": {"type": "number"}, "text": {"type": "string"}},
                    },
                },
                "tasks": {"$ref": "#/$defs/tasks"},
            },
        },
        "side": {
            "type": "object",
            "required": ["name", "score", "grade"],
            "properties": {
                "name": {"type": "string"},
                "score": {"type": "number", "minimum": 0, "maximum": 100},
                "grade": {"enum": ["A", "B", "C", "D", "F"]},
            },
        },
        "route": {
            "type": ["object", "null"],
            "required": ["nodes", "keys", "menus", "seconds"],
            "properties": {
                "nodes": {"type": "array", "items": {"type": "string"}},
                "keys": {"type": "array", "items": {"type": ["string", "null"]}},
                "menus": {"type": "integer", "minimum": 0},
                "transfers": {"type": "integer", "minimum": 0},
                "listen_s": {"type": "number"},
                "input_s": {"type": "number"},
                "wait_s": {"type": "number"},
                "seconds": {"type": "number"},
            },
        },
    }


_VERSION: dict[str, Any] = {"const": JSON_VERSION, "description": "Version of this shape."}


def _object(description: str, required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["version", *required],
        "properties": {"version": _VERSION, **properties},
    }


_RESULT_PROPERTIES: dict[str, Any] = {
    "name": {"type": "string"},
    "method": {"type": "string"},
    "outcomes": {"$ref": "#/$defs/outcomes"},
    "metrics": {"$ref": "#/$defs/metrics"},
    "tasks": {"$ref": "#/$defs/tasks"},
}

_SHAPES: dict[str, dict[str, Any]] = {
    "lint": {
        "description": "`ivrscore lint --format json`: every finding of every file, and every "
        "problem of the files that could not be read (code null, slug load-error).",
        "type": "array",
        "items": {"$ref": "#/$defs/finding"},
    },
    "validate": {
        "description": "`ivrscore validate --format json`: one entry per file given.",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["file", "valid"],
            "properties": {
                "file": {"type": "string"},
                "valid": {"type": "boolean"},
                "error": {"type": "string"},
                "name": {"type": "string"},
                "nodes": {"type": "object", "additionalProperties": {"type": "integer"}},
                "tasks": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["share", "route"],
                        "properties": {
                            "share": {"type": "number"},
                            "route": {"$ref": "#/$defs/route"},
                        },
                    },
                },
                "human": {"$ref": "#/$defs/route"},
            },
        },
    },
    "analyze": _object(
        "`ivrscore analyze --format json`: exact expected outcomes and metrics, overall and "
        "per task.",
        ["name", "method", "outcomes", "metrics", "tasks"],
        _RESULT_PROPERTIES,
    ),
    "simulate": _object(
        "`ivrscore simulate --format json`: simulated outcomes and metrics (with p50_* and "
        "p90_* times), overall and per task; `paths` with --paths.",
        ["name", "method", "outcomes", "metrics", "tasks", "calls"],
        {
            **_RESULT_PROPERTIES,
            "calls": {"type": "integer", "minimum": 1},
            "paths": {"type": "array", "items": {"type": "string"}},
        },
    ),
    "score": _object(
        "`ivrscore score --format json`: one report per file given, and the problems of the "
        "files that could not be read.",
        ["reports", "errors"],
        {
            "reports": {"type": "array", "items": {"$ref": "#/$defs/report"}},
            "errors": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
        },
    ),
    "compare": _object(
        "`ivrscore compare --format json`: two designs side by side.",
        ["before", "after", "delta", "criteria", "metrics", "fixed", "introduced"],
        {
            "before": {"$ref": "#/$defs/side"},
            "after": {"$ref": "#/$defs/side"},
            "delta": {"type": "number", "description": "after's score minus before's"},
            "criteria": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "before", "after", "score_before", "score_after"],
                    "properties": {
                        "name": {"type": "string"},
                        "before": _NUMBER_OR_NULL,
                        "after": _NUMBER_OR_NULL,
                        "score_before": {"type": "number"},
                        "score_after": {"type": "number"},
                        "delta": {"type": "number"},
                    },
                },
            },
            "metrics": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["before", "after"],
                    "properties": {"before": _NUMBER_OR_NULL, "after": _NUMBER_OR_NULL},
                },
            },
            "fixed": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "introduced": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
        },
    ),
}


def output_schema(command: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``ivrscore COMMAND --format json``.

    Examples
    --------
    >>> s = output_schema("score")
    >>> s["properties"]["version"]["const"], s["required"]
    (1, ['version', 'reports', 'errors'])
    >>> output_schema("lint")["type"]
    'array'
    """
    if command not in _SHAPES:
        raise KeyError(f"no JSON output schema for {command!r}; one of: {', '.join(OUTPUTS)}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ivrscore.invalid/schema/{__version__}/{command}-output.json",
        "title": f"ivrscore {command} --format json",
        **_SHAPES[command],
        "$defs": _defs(),
    }
