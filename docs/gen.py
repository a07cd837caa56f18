"""An MkDocs hook that generates the pages that come from the code, during the build.

``mkdocs build`` (or ``serve``) runs it (``hooks:`` in ``mkdocs.yml``), so a fresh clone builds
with no step before: the file format (from the JSON Schema), the JSON output of each command
(from its schema), and the chart gallery (drawn from the examples) are added to the site as
generated files; nothing is written into ``docs/``. The rule pages are committed (a test keeps
them in step with the catalogue; ``python -m ivrscore.lint.docs docs/rules`` rewrites them).

On the API page, the Sphinx roles that numpydoc docstrings use (``:func:`x```, ``:data:``...)
become code, linked to the item's entry when the page has one.

This file is the build's, not the site's: ``exclude_docs`` keeps it out of the site.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent

_ROLE = re.compile(
    r":(?:py:)?(?:mod|func|class|meth|attr|data|obj|exc|const|term|ref):"
    r"(?:<code>|`)(~?)([\w.]+)(?:\(\))?(?:</code>|`)"
)


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"].split("/")[-1])
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
    kind = prop.get("type", "any")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _table(title: str, obj: dict[str, Any], level: str = "##") -> str:
    required = set(obj.get("required", []))
    rows = []
    for name, prop in obj.get("properties", {}).items():
        desc = " ".join(str(prop.get("description", "")).split())
        default = prop.get("default")
        shown = "" if default is None or name in required else f"`{json.dumps(default)}`"
        rows.append(
            f"| `{name}` | {_type(prop)} | {'yes' if name in required else ''} | {shown} | {desc} |"
        )
    if not rows:
        return ""
    return (
        f"\n{level} {title}\n\n| key | type | required | default | meaning |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )


def file_format() -> str:
    from ivrscore.cli.schema import json_schema

    schema = json_schema()
    defs = schema.get("$defs", {})
    parts = [
        "# The file format\n",
        "Generated from the JSON Schema (`ivrscore schema`), which is generated from the pydantic "
        "models. Every object accepts a free-form `meta:` mapping that is kept when the file is "
        'saved again; any other unknown key is an error with a "did you mean" hint.\n',
        _table("PhoneTree (the file)", schema),
    ]
    parts += [_table(name, defs[name]) for name in sorted(defs)]
    return "\n".join(parts)


def json_output() -> str:
    from ivrscore.cli._output import JSON_VERSION, OUTPUTS, output_schema

    parts = [
        "# JSON output\n",
        "Every command that takes `--format json` prints one documented shape, whatever the "
        "number of files given, and `ivrscore schema --output COMMAND` prints its JSON Schema "
        f"(draft 2020-12). Shapes that are objects carry `version` (now {JSON_VERSION}), "
        "raised when a field changes meaning or goes away; new fields can appear within a "
        "version, so ignore the ones you do not know. NaN (no call got there) is `null`.\n",
        "A file that cannot be read is never dropped: `lint` lists each of its problems as an "
        'entry with `code: null` and `slug: "load-error"`, `score` lists them under `errors`, '
        "and the exit code is 2.\n",
    ]
    for command in OUTPUTS:
        schema = output_schema(command)
        parts.append(f"\n## `ivrscore {command} --format json`\n\n{schema['description']}\n")
        if schema.get("type") == "object":
            parts.append(_table("Fields", schema, "###"))
        else:
            item = schema["items"]
            if "$ref" in item:
                item = schema["$defs"][item["$ref"].split("/")[-1]]
            parts.append(_table("Each entry", item, "###"))
    defs = output_schema("score")["$defs"]
    parts.append("\n## Shared pieces\n")
    parts += [_table(f"`{name}`", defs[name], "###") for name in ("finding", "criterion", "report")]
    return "\n".join(parts)


def gallery() -> tuple[str, dict[str, bytes]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import ivrscore as ivr

    tel = ivr.load(ivr.examples.path("acme_telecom"))
    red = ivr.load(ivr.examples.path("acme_redesign"))

    def depth_pair() -> Any:
        rows = len(tel.tasks) + len(red.tasks) + 2
        _, (a, b) = plt.subplots(
            2, 1, sharex=True, figsize=(9, 2.6 + 0.42 * rows), layout="constrained"
        )
        ivr.plot.depth_chart(tel, ax=a)
        ivr.plot.depth_chart(red, ax=b)  # on the same time scale as the first
        return a

    charts = [
        ("depth", "Menu depth, before and after, on one time scale", depth_pair),
        ("map_redesign", "Menu map of the redesign", lambda: ivr.plot.menu_map(red)),
        ("map_telecom", "Menu map of the helpline as callers experience it",
         lambda: ivr.plot.menu_map(tel)),
        ("outcomes_telecom", "How calls end, per task",
         lambda: ivr.plot.outcomes(ivr.analyze(tel))),
        ("time_telecom", "Time to a person and to resolution",
         lambda: ivr.plot.time_to_goal(ivr.simulate(tel, calls=50_000, rng=1, progress=False))),
        ("compare", "Before and after, criterion by criterion",
         lambda: ivr.plot.compare(ivr.compare(tel, red))),
    ]  # fmt: skip
    lines = [
        "# Chart gallery\n",
        "Drawn from the bundled examples when the site is built. Every chart function draws "
        "on a new figure unless given `ax=`, and returns the Axes.\n",
    ]
    images = {}
    for name, title, draw in charts:
        ax = draw()
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", dpi=100)
        plt.close(ax.figure)
        images[f"gallery/{name}.png"] = buf.getvalue()
        lines.append(f"## {title}\n\n![{title}](gallery/{name}.png)\n")
    return "\n".join(lines), images


# -- the hook -------------------------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages and images to the site."""
    from mkdocs.structure.files import File

    page, images = gallery()
    generated: dict[str, str | bytes] = {
        "file-format.md": file_format(),
        "json-output.md": json_output(),
        "gallery.md": page,
        **images,
    }
    for uri, content in generated.items():
        if files.get_file_from_path(uri) is not None:  # a stale copy in docs/
            files.remove(files.get_file_from_path(uri))
        files.append(File.generated(config, uri, content=content))
    return files


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Sphinx roles left in docstrings become code, linked when the page documents the name."""
    ids = set(re.findall(r'id="([^"]+)"', html))

    def code(m: re.Match[str]) -> str:
        short, name = m.group(1), m.group(2)
        shown = name.rsplit(".", 1)[-1] if short else name
        target = next((i for i in (name, f"ivrscore.{name}") if i in ids), None)
        if target is None:  # ivrscore.load -> ivrscore.io.load: the shallowest same name
            last = name.rsplit(".", 1)[-1]
            same = sorted((i.count("."), i) for i in ids if i.endswith(f".{last}"))
            target = same[0][1] if same else None
        inner = f"<code>{shown}</code>"
        return f'<a href="#{target}">{inner}</a>' if target else inner

    return _ROLE.sub(code, html)
