"""Field descriptions for the JSON Schema, read from the attribute docstrings of the models.

Pydantic's ``use_attribute_docstrings`` reads every model's source with ``inspect`` and
``tokenize`` when the class is created: over half of the time it takes to import the models,
paid by every command, when only ``ivrscore schema`` and the documentation show the
descriptions. Here the sources are parsed once (``ast``), and only when a schema is asked for.
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from itertools import pairwise
from typing import Any

from pydantic import BaseModel

__all__ = ["attribute_docs", "describe"]


@cache
def _module_docs(filename: str) -> dict[str, dict[str, str]]:
    """``{class name: {attribute: docstring}}`` for every class in one source file."""
    try:
        with open(filename, encoding="utf-8") as f:
            module = ast.parse(f.read(), filename)
    except (OSError, SyntaxError):  # no source (a frozen or zipped install): no descriptions
        return {}
    out: dict[str, dict[str, str]] = {}
    for node in ast.walk(module):
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}

        for stmt, after in pairwise(node.body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
        out[node.name] = docs
    return out


def attribute_docs(cls: type[BaseModel]) -> dict[str, str]:
    """The docstring written under each field of ``cls`` (and of the models it inherits from).

    Examples
    --------
    >>> from ivrscore.model import Option
    >>> attribute_docs(Option)["next"].split(".")[0]
    'Where the option goes'
    """
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not issubclass(klass, BaseModel) or klass.__module__.startswith("pydantic"):
            continue
        filename = inspect.getsourcefile(klass)
        if filename:
            docs.update(_module_docs(filename).get(klass.__name__, {}))
    return docs


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class reachable from ``root``'s fields, by name (as the schema's ``$defs``)."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[Any] = [root]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            if found.get(t.__name__) is t:
                continue
            found[t.__name__] = t
            for field in t.model_fields.values():
                todo.append(field.annotation)
            continue
        todo.extend(getattr(t, "__args__", ()))  # unions, lists, dicts, Annotated
        todo.extend(getattr(t, "__metadata__", ()))
        origin = getattr(t, "__origin__", None)
        if origin is not None:
            todo.append(origin)
    return found


def describe(schema: dict[str, Any], root: type[BaseModel]) -> dict[str, Any]:
    """``schema`` (of ``root``) with each property's ``description`` from its docstring.

    Descriptions already in the schema (a ``Field(description=...)``) are kept.

    Examples
    --------
    >>> from ivrscore.model import PhoneTree
    >>> s = describe(PhoneTree.model_json_schema(), PhoneTree)
    >>> s["properties"]["entry"]["description"]
    'Id of the first node a caller meets.'
    """
    models = _models(root)
    parts = [(schema, root)]
    parts += [(d, models[n]) for n, d in schema.get("$defs", {}).items() if n in models]
    for part, cls in parts:
        docs = attribute_docs(cls)
        props = part.get("properties", {})
        for name, field in cls.model_fields.items():
            key = field.alias or name
            doc = docs.get(name)
            if doc and key in props and "description" not in props[key]:
                props[key] = {**props[key], "description": doc}
    return schema
