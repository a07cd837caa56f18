"""The engines: exact expected outcomes (``analyze``) and Monte Carlo callers (``simulate``)."""

from .analyze import NotExactError, analyze
from .results import METRICS, OUTCOMES, Result, TaskResult
from .simulate import Simulation, simulate

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
