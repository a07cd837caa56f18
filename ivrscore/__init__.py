"""ivrscore: model telephone menus as graphs, simulate callers, and score them.

>>> import ivrscore as ivr
>>> tree = ivr.load(ivr.examples.path("acme_telecom"))
>>> g = tree.to_networkx()
>>> g.nodes["main_menu"]["type"]
'menu'
"""

from __future__ import annotations

from . import examples, export, graph, importers, plot, queueing
from .calibrate import Calibration, calibrate
from .engine import NotExactError, Result, Simulation, analyze, simulate
from .engine.centre import Centre, simulate_centre
from .exceptions import ImportedFlowWarning, IvrscoreError, Problem, TreeFileError
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

__version__ = "0.1.0"

__all__ = [
    "Agent",
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
