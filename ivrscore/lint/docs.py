"""Generate the rule reference (``docs/rules/``) from the catalogue.

Run ``python -m ivrscore.lint.docs docs/rules`` after changing a rule; a test fails when the
committed pages and the catalogue drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import rule_list
from ._registry import LAWS
from .report import explain

__all__ = ["pages", "write"]


def pages() -> dict[str, str]:
    """Every page of the rule reference by file name: one per rule and an index."""
    out = {f"{r.code}.md": explain(r.code) for r in rule_list()}
    rows = "\n".join(
        f"| [{r.code}]({r.code}.md) | {r.slug} | {r.severity} | "
        f"{', '.join(f'#{n}' for n in r.laws)} | {r.summary.replace('|', '/')} |"
        for r in rule_list()
    )
    laws = "\n".join(f"- **#{n}** {text}" for n, text in LAWS.items())
    out["README.md"] = (
        "# Rule reference\n\n"
        "Generated from the catalogue in `ivrscore/lint/rules/` by "
        "`python -m ivrscore.lint.docs docs/rules`; do not edit by hand.\n\n"
        "| code | slug | severity | laws | what it checks |\n|---|---|---|---|---|\n"
        f"{rows}\n\n## The laws\n\n{laws}\n"
    )
    return out


def write(folder: str | Path) -> list[Path]:
    """Write the pages into ``folder`` (created if missing); returns the files written."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages().items():
        p = target / name
        p.write_text(text, encoding="utf-8")
        written.append(p)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(path)
