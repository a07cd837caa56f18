"""Generate the edit catalogue page (``docs/improve.md``) from the catalogue.

Run ``python -m ivrscore.improve.docs docs/improve.md`` after changing an edit; a test fails
when the committed page and the catalogue drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import _plan
from ._catalogue import EDITS, REVIEW
from .edits import TEMPLATES

__all__ = ["catalogue_page", "write"]


def _rule_link(code: str) -> str:
    return f"[{code}](rules/{code}.md)"


def catalogue_page() -> str:
    """The docs page: how to use ``improve``, how the planner searches, and every edit."""
    rows = "\n".join(
        f"| [{e.code}](#{e.code.lower()}-{e.slug}) | {e.slug} | "
        f"{', '.join(_rule_link(c) for c in e.answers)} | {e.title} |"
        for e in EDITS.values()
    )
    search = (_plan.__doc__ or "").split("\n\n", 1)[1].strip()
    units = []
    for e in EDITS.values():
        part = [
            f"### {e.code} {e.slug}",
            "",
            f"**{e.title}.** Answers {', '.join(_rule_link(c) for c in e.answers)}"
            + (" (only with `allow_staffing=True`)" if e.staffing else "")
            + ".",
            "",
            f"*What it changes:* {e.changes}",
            "",
            f"*Not applicable:* {e.not_applicable}",
        ]
        if e.bad:
            part += ["", "Before:", "", "```yaml", e.bad, "```"]
        if e.good:
            part += ["", "After:", "", "```yaml", e.good, "```"]
        units.append("\n".join(part))
    templates = "\n".join(f'- `{k}`: "{v}"' for k, v in TEMPLATES.items())
    return (
        "# Improving a design\n\n"
        "Generated from the edit catalogue in `ivrscore/improve/edits.py` by "
        "`python -m ivrscore.improve.docs docs/improve.md`; do not edit by hand.\n\n"
        "`ivr.improve(tree)` (or `ivrscore improve FILE`) says what to change first and what "
        "each change gains: a ranked sequence of concrete edits, each tied to the rules it "
        "answers, with the score the exact engine predicts after it. `plan.apply()` gives the "
        "improved tree, `plan.waterfall()` draws the points gained per edit, and "
        "`ivrscore improve FILE -o BETTER.yaml --diff` writes the edits into a copy of the "
        "file, keeping its comments, key order and layout, so the diff shows only the lines "
        "the edits touch.\n\n"
        "```python\nimport ivrscore as ivr\n"
        'plan = ivr.improve(ivr.load("examples/acme_telecom.yaml"), keep=["welcome.prompt"])\n'
        "print(plan)                # one line per edit a designer can act on\n"
        "better = plan.apply()      # the new PhoneTree\n```\n\n"
        "```\nivrscore improve examples/acme_telecom.yaml --max-edits 6 --keep main_menu.1 "
        "--diff\n```\n\n"
        "## Constraints\n\n"
        "- `keep=`: `NODE` (nothing about the node changes), `NODE.prompt` (its words: prompt, "
        "duration and option words) or `NODE.KEY` (that option keeps its key, words and "
        "target).\n"
        "- No edit invents a promise: an edit that needs words takes them from a template and "
        f'marks them `meta: {{improve: "{REVIEW}"}}`; the planner rejects any change that '
        "creates a broken promise ([IVR506](rules/IVR506.md)).\n"
        "- The plan never includes an edit that lowers the score; it stops when no edit "
        "raises it.\n"
        "- Staffing moves agents between queues at the same headcount, and only with "
        "`allow_staffing=True` (`--allow-staffing`).\n\n"
        f"The template words:\n\n{templates}\n\n"
        f"## How the planner searches\n\n{search}\n\n"
        "## The catalogue\n\n"
        "| code | slug | answers | what it does |\n|---|---|---|---|\n"
        f"{rows}\n\n" + "\n\n".join(units) + "\n"
    )


def write(path: str | Path) -> Path:
    """Write the page to ``path``."""
    p = Path(path)
    p.write_text(catalogue_page(), encoding="utf-8")
    return p


if __name__ == "__main__":  # pragma: no cover
    print(write(sys.argv[1] if len(sys.argv) > 1 else "docs/improve.md"))
