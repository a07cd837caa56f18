"""ivrscore: model telephone menus as graphs, simulate callers, and score them.

>>> import ivrscore as ivr
>>> tree = ivr.load(ivr.examples.path("acme_telecom"))
>>> g = tree.to_networkx()
>>> g.nodes["main_menu"]["type"]
'menu'
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from .exceptions import ArgumentError, ImportedFlowWarning, IvrscoreError, Problem, TreeFileError

if TYPE_CHECKING:  # the names below load when first used (a linter starts fast)
    from . import examples, export, graph, importers, plot, queueing
    from .calibrate import Calibration, calibrate
    from .engine.analyze import NotExactError, analyze
    from .engine.centre import Centre, simulate_centre
    from .engine.results import Result
    from .engine.simulate import Simulation, simulate
    from .graph import Route, best_routes, route_to_human, to_networkx
    from .improve import improve
    from .io import dump, dumps
    from .lint import Finding, Findings, lint
    from .loading import load, loads
    from .model import (
        Agent,
        Branch,
        Callback,
        Condition,
        Hangup,
        Input,
        Menu,
        Message,
        Option,
        Persona,
        PhoneTree,
        Queue,
        Schedule,
        SelfService,
        Staffing,
        Task,
        Voicemail,
    )
    from .score import Comparison, Report, compare, score
    from .standard import Standard
    from .sweep import Sweep, sweep
    from .workforce import StaffPlan, staff

_MODEL = (
    "Agent", "Branch", "Callback", "Condition", "Hangup", "Input", "Menu", "Message", "Option",
    "Persona", "PhoneTree", "Queue", "Schedule", "SelfService", "Staffing", "Task", "Voicemail",
)  # fmt: skip
_MODULES = ("examples", "export", "graph", "importers", "plot", "queueing")
_WHERE = {
    **dict.fromkeys(("Calibration", "calibrate"), ".calibrate"),
    **dict.fromkeys(("NotExactError", "Result", "Simulation", "analyze", "simulate"), ".engine"),
    **dict.fromkeys(("Route", "best_routes", "route_to_human", "to_networkx"), ".graph"),
    **dict.fromkeys(("Centre", "simulate_centre"), ".engine.centre"),
    **dict.fromkeys(("dump", "dumps"), ".io"),
    **dict.fromkeys(("load", "loads"), ".loading"),
    "improve": ".improve",
    **dict.fromkeys(("Sweep", "sweep"), ".sweep"),
    **dict.fromkeys(("Finding", "Findings", "lint"), ".lint"),
    **dict.fromkeys(_MODEL, ".model"),
    **dict.fromkeys(("Comparison", "Report", "compare", "score"), ".score"),
    "Standard": ".standard",
    **dict.fromkeys(("StaffPlan", "staff"), ".workforce"),
}


def __getattr__(name: str) -> Any:
    """Load a public name on first use: ``import ivrscore`` imports neither numba, scipy,
    matplotlib, networkx nor the importers until something needs them."""
    import importlib

    if name in _MODULES:
        value: Any = importlib.import_module(f".{name}", __name__)
    elif name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


_FUNCTIONS = ("calibrate", "improve", "lint", "score", "sweep")


class _Package(types.ModuleType):
    """This package, keeping its functions named like their modules (``score``, ``lint``,
    ``calibrate``, ``improve``, ``sweep``) when the import system sets a loaded submodule as an attribute."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS and isinstance(value, types.ModuleType):
            value = getattr(value, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__version__ = "0.1.0"

__all__ = [
    "Agent",
    "ArgumentError",
    "Branch",
    "Calibration",
    "Callback",
    "Centre",
    "Comparison",
    "Condition",
    "Finding",
    "Findings",
    "Hangup",
    "ImportedFlowWarning",
    "Input",
    "IvrscoreError",
    "Menu",
    "Message",
    "NotExactError",
    "Option",
    "Persona",
    "PhoneTree",
    "Problem",
    "Queue",
    "Report",
    "Result",
    "Route",
    "Schedule",
    "SelfService",
    "Simulation",
    "StaffPlan",
    "Staffing",
    "Standard",
    "Sweep",
    "Task",
    "TreeFileError",
    "Voicemail",
    "__version__",
    "analyze",
    "best_routes",
    "calibrate",
    "compare",
    "dump",
    "dumps",
    "examples",
    "export",
    "graph",
    "importers",
    "improve",
    "lint",
    "load",
    "loads",
    "plot",
    "queueing",
    "route_to_human",
    "score",
    "simulate",
    "simulate_centre",
    "staff",
    "sweep",
    "to_networkx",
]
