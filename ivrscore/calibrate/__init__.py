"""Fit the caller model to real call records, and show observed against predicted.

:func:`calibrate` reads call logs against a phone tree and fits its callers: volume and
arrivals per hour of the week, task shares, the keys chosen at each menu, input failures per
attempt, patience (with right-censoring: exponential, log-normal and Kaplan-Meier), queue
waits, handle times and agents on duty. It returns a :class:`Calibration`: the estimates with
standard errors, a calibrated tree with the fitted figures in place (``meta.calibrated`` says
what and from what), and the tree's predictions set against the logs per node and per hour of
the week, with z-scores.

Logs come in one of :data:`FORMATS`, read by :mod:`ivrscore.calibrate.readers` (one module per
format) into calls of common events; platform ids map to tree nodes through the ids the
importers keep under ``meta.source`` (see :mod:`ivrscore.calibrate._mapping`). What cannot be
mapped is counted and reported. Caller numbers and customer ids are never read into a call, and
every message is passed through :func:`redact`.

Examples
--------
>>> import ivrscore as ivr
>>> from ivrscore.calibrate import synthetic
>>> tree = ivr.load(ivr.examples.path("gp_surgery"))
>>> cal = ivr.calibrate(tree, synthetic.calls(tree, 500, rng=2))
>>> cal.calls
500
>>> cal.calibrated.meta["calibrated"]["calls_used"]
500
"""

from __future__ import annotations

from ._calibrate import calibrate
from ._events import EVENTS, OUTCOME_NAMES, Call, Event, LogFileError, ReadReport, redact
from ._result import Calibration
from .readers import FORMATS

__all__ = [
    "EVENTS",
    "FORMATS",
    "OUTCOME_NAMES",
    "Calibration",
    "Call",
    "Event",
    "LogFileError",
    "ReadReport",
    "calibrate",
    "redact",
]
