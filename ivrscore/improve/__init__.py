"""What to change first, and what each change gains: the edit catalogue and the planner.

>>> import ivrscore as ivr
>>> plan = ivr.improve(ivr.load(ivr.examples.path("gp_surgery")), max_edits=1)
>>> plan.steps[0].gain > 0
True
"""

from __future__ import annotations

from . import edits as _edits  # noqa: F401  (registers the catalogue)
from ._catalogue import EDITS, REVIEW, Candidate, Edit, get_edit
from ._ops import Op
from ._plan import Plan, Step, improve

__all__ = ["EDITS", "REVIEW", "Candidate", "Edit", "Op", "Plan", "Step", "get_edit", "improve"]
