"""Writing the improved tree back into the user's own file: comments, key order and layout kept.

The file is read with ruamel.yaml's round-trip loader, the plan's ops are applied to that
document, and it is written with the indentation that reproduces the original best (tried on
the unchanged file), so a diff against the original shows only the lines the edits touch.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Iterable
from typing import Any

from ..exceptions import IvrscoreError
from ._ops import Op, apply_ops

__all__ = ["edit_text", "unified_diff"]

_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 3, 0))
"""(mapping, sequence, offset) indentations tried, most common first."""


def _yaml(layout: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap the user's lines
    m, s, o = layout
    y.indent(mapping=m, sequence=s, offset=o)
    return y


def _dump(y: Any, data: Any) -> str:
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def _changed_lines(a: str, b: str) -> int:
    return sum(
        1
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def edit_text(text: str, ops: Iterable[Op], *, source: str = "<text>") -> str:
    """``text`` (a YAML or JSON phone tree) with ``ops`` applied, its layout kept.

    Examples
    --------
    >>> from ivrscore.improve._ops import put
    >>> print(edit_text("a: 1   # the answer\\nb: {c: 2}\\n", [put(("b", "c"), 3)]), end="")
    a: 1   # the answer
    b: {c: 3}
    """
    ops = list(ops)
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        return json.dumps(apply_ops(data, ops), indent=2, ensure_ascii=False) + "\n"
    from ruamel.yaml.error import YAMLError

    best: tuple[int, tuple[int, int, int]] | None = None
    for layout in _LAYOUTS:
        try:
            again = _dump(_yaml(layout), _yaml(layout).load(text))
        except YAMLError as exc:
            raise IvrscoreError(f"{source}: cannot read the YAML: {exc}") from exc
        n = _changed_lines(text, again)
        if best is None or n < best[0]:
            best = (n, layout)
        if n == 0:
            break
    assert best is not None
    y = _yaml(best[1])
    data = y.load(text)
    apply_ops(data, ops)
    return _dump(y, data)


def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff of the user's file, ready for a pull request (``a/NAME``, ``b/NAME``)."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )
