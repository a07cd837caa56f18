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

``ivr.calibrate`` is the function; its modules are reached as attributes of it or imported by
name (``from ivrscore.calibrate import plots``).

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

from . import estimate, plots, predict, readers, synthetic
from ._calibrate import calibrate
from ._events import EVENTS, OUTCOME_NAMES, Call, Event, LogFileError, ReadReport, redact
from ._result import Calibration
from .readers import FORMATS

# ``ivrscore.calibrate`` is also the name of this function at the top of the package
# (``ivr.calibrate(tree, logs)``): it carries the public modules, so ``ivr.calibrate.plots`` and
# ``import ivrscore.calibrate.plots as plots`` work as they would on the package.
for _module in (estimate, plots, predict, readers, synthetic):
    setattr(calibrate, _module.__name__.rsplit(".", 1)[1], _module)
del _module

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
    "estimate",
    "plots",
    "predict",
    "readers",
    "redact",
    "synthetic",
]
