"""The engines: exact expected outcomes (``analyze``) and Monte Carlo callers (``simulate``).

The names load on first use, so importing a module of this package (the compiled tables, say)
does not import numba.
"""

from typing import TYPE_CHECKING, Any

from .results import METRICS, OUTCOMES, Result, TaskResult
from .simulate import Simulation, simulate  # numba loads when a simulation runs

if TYPE_CHECKING:
    from .analyze import NotExactError, analyze

__all__ = [
    "METRICS",
    "OUTCOMES",
    "NotExactError",
    "Result",
    "Simulation",
    "TaskResult",
    "analyze",
    "simulate",
]

_WHERE = {"NotExactError": ".analyze", "analyze": ".analyze"}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _WHERE:
        value: Any = getattr(importlib.import_module(_WHERE[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
