"""Generate the docs pages that come from the code: the file format (from the JSON Schema), the
rule reference (from the catalogue) and the chart gallery (drawn from the examples).

Run before ``mkdocs build``: ``python docs/gen.py``. The file-format page and the gallery images
are build output (ignored by git); the rule pages are committed, and a test keeps them in step.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import ivrscore as ivr
from ivrscore.cli.schema import json_schema
from ivrscore.lint.docs import write

DOCS = Path(__file__).resolve().parent


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].split("/")[-1]
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    if "oneOf" in prop:
        return " or ".join(_type(p) for p in prop["oneOf"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " / ".join(f"`{v}`" for v in prop["enum"])
    if prop.get("type") == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if prop.get("type") == "object" and "additionalProperties" in prop:
        extra = prop["additionalProperties"]
        return f"mapping of {_type(extra) if isinstance(extra, dict) else 'values'}"
    return str(prop.get("type", "any"))


def file_format() -> str:
    schema = json_schema()
    defs = schema.get("$defs", {})
    parts = [
        "# The file format\n",
        "Generated from the JSON Schema (`ivrscore schema`), which is generated from the pydantic "
        "models. Every object accepts a free-form `meta:` mapping that is kept when the file is "
        'saved again; any other unknown key is an error with a "did you mean" hint.\n',
    ]

    def table(title: str, obj: dict[str, Any]) -> None:
        required = set(obj.get("required", []))
        rows = []
        for name, prop in obj.get("properties", {}).items():
            desc = " ".join(str(prop.get("description", "")).split())
            default = prop.get("default")
            shown = "" if default is None or name in required else f"`{json.dumps(default)}`"
            rows.append(
                f"| `{name}` | {_type(prop)} | {'yes' if name in required else ''} | {shown} | {desc} |"
            )
        parts.append(
            f"\n## {title}\n\n| key | type | required | default | meaning |\n|---|---|---|---|---|\n"
            + "\n".join(rows)
            + "\n"
        )

    table("PhoneTree (the file)", schema)
    for name in sorted(defs):
        table(name, defs[name])
    return "\n".join(parts)


def gallery() -> str:
    out = DOCS / "gallery"
    out.mkdir(exist_ok=True)
    lines = ["# Chart gallery\n", "Drawn from the bundled examples by `docs/gen.py`.\n"]
    tel = ivr.load(ivr.examples.path("acme_telecom"))
    red = ivr.load(ivr.examples.path("acme_redesign"))
    charts = [
        (
            "depth_telecom",
            "Menu depth chart: the helpline as callers experience it",
            lambda ax: ivr.plot.depth_chart(tel, ax=ax),
            (9, 4.8),
        ),
        (
            "depth_redesign",
            "Menu depth chart: the redesign",
            lambda ax: ivr.plot.depth_chart(red, ax=ax),
            (9, 4.8),
        ),
        (
            "map_redesign",
            "Menu map of the redesign",
            lambda ax: ivr.plot.menu_map(red, ax=ax),
            (13, 8.5),
        ),
        (
            "outcomes_telecom",
            "How calls end, per task",
            lambda ax: ivr.plot.outcomes(ivr.analyze(tel), ax=ax),
            (9, 5.2),
        ),
        (
            "time_telecom",
            "Time to a person and to resolution",
            lambda ax: ivr.plot.time_to_goal(ivr.simulate(tel, calls=50_000, rng=1), ax=ax),
            (9, 5),
        ),
        (
            "compare",
            "Before and after",
            lambda ax: ivr.plot.compare(ivr.compare(tel, red), ax=ax),
            (8, 5),
        ),
    ]
    for name, title, draw, size in charts:
        fig, ax = plt.subplots(figsize=size)
        draw(ax)
        fig.tight_layout()
        fig.savefig(out / f"{name}.png", dpi=100)
        plt.close(fig)
        lines.append(f"## {title}\n\n![{title}](gallery/{name}.png)\n")
    return "\n".join(lines)


def main() -> None:
    write(DOCS / "rules")
    (DOCS / "file-format.md").write_text(file_format(), encoding="utf-8")
    (DOCS / "gallery.md").write_text(gallery(), encoding="utf-8")
    print("generated docs/file-format.md, docs/gallery.md, docs/gallery/*.png, docs/rules/*.md")


if __name__ == "__main__":
    main()
