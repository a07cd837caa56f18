"""The engines: exact expected outcomes (``analyze``) and Monte Carlo callers (``simulate``).

Importing a module of this package (the compiled tables, say)
does not import numba or scipy.
"""

from .analyze import NotExactError, analyze  # scipy loads when a chain is solved
from .results import METRICS, OUTCOMES, Result, TaskResult
from .simulate import Simulation, simulate  # numba loads when a simulation runs

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
