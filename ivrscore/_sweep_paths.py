"""Paths into a phone tree for sweeps: check them against the model, apply edits, read values.

A path is the file format's keys joined by dots, list items numbered from 0
(``nodes.general_queue.staffing.agents``, ``callers.0.patience.mean_s``). Used by
:mod:`ivrscore.sweep`, which re-exports the public names.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel

from .exceptions import IvrscoreError
from .io import tree_from_data
from .model.tree import PhoneTree

__all__ = ["SweepPathError", "apply_edits", "check_path", "parse_values"]


class SweepPathError(IvrscoreError, KeyError):
    """A sweep's path names no field of the tree (the message names the closest valid path)."""

    __module__ = "ivrscore.sweep"  # public there

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def _keys_of(model: BaseModel) -> dict[str, str]:
    """A model's keys as written in files (aliases) -> attribute names."""
    return {(info.alias or name): name for name, info in type(model).model_fields.items()}


def _children(obj: Any, tree: PhoneTree | None) -> list[tuple[str, Any]] | None:
    """The ``(key, value)`` pairs under ``obj`` (None for a leaf value)."""
    if isinstance(obj, BaseModel):
        out = []
        for key, attr in _keys_of(obj).items():
            value = getattr(obj, attr)
            if obj is tree and key == "callers":  # one persona, or none, is still callers.0
                value = list(tree.personas)
            out.append((key, value))
        return out
    if isinstance(obj, Mapping):
        return [(str(k), v) for k, v in obj.items()]
    if isinstance(obj, list | tuple):
        return [(str(i), v) for i, v in enumerate(obj)]
    return None


def _all_paths(tree: PhoneTree) -> list[str]:
    """Every path a sweep may set in ``tree`` (``meta`` contents excluded)."""
    out: list[str] = []

    def walk(obj: Any, prefix: str) -> None:
        kids = _children(obj, tree)
        for key, value in kids or ():
            path = f"{prefix}{key}"
            out.append(path)
            if key != "meta":
                walk(value, path + ".")

    walk(tree, "")
    return out


def _closest(path: str, tree: PhoneTree) -> str:
    paths = _all_paths(tree)
    depth = path.count(".")
    same = [p for p in paths if p.count(".") == depth] or paths
    best = difflib.get_close_matches(path, same, n=1, cutoff=0.0)
    return best[0] if best else paths[0]


def check_path(tree: PhoneTree, path: str) -> None:
    """Check that ``path`` names a field of ``tree`` a sweep can set.

    Paths are the file format's keys joined by dots; list items are numbered from 0
    (``callers.0`` is the first persona, also when the tree gives one persona or none).

    Raises
    ------
    SweepPathError
        Naming the path, the part that is wrong and the closest valid path.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> check_path(tree, "nodes.reception_queue.staffing.agents")
    >>> check_path(tree, "nodes.reception_queu.staffing.agents")
    Traceback (most recent call last):
    ...
    ivrscore.sweep.SweepPathError: path 'nodes.reception_queu.staffing.agents': nodes has no 'reception_queu'; the closest valid path is 'nodes.reception_queue.staffing.agents'
    """
    parts = path.split(".")
    obj: Any = tree
    done: list[str] = []
    for key in parts:
        where = ".".join(done) or "the tree"
        kids = _children(obj, tree)
        found = dict(kids or ())
        if key in found:
            obj = found[key]
            done.append(key)
            continue
        if key == "":
            why = "an empty part (two dots, or a dot at an end)"
        elif obj is None:
            why = f"{where} is not set in this tree (set {where} whole instead)"
        elif kids is None:
            why = f"{where} is a value ({obj!r}), with nothing under it"
        elif not kids:
            why = f"{where} is empty"
        elif isinstance(obj, list | tuple):
            why = f"{where} has {len(kids)} item(s), numbered from 0; no '{key}'"
        else:
            why = f"{where} has no '{key}'"
        raise SweepPathError(
            f"path '{path}': {why}; the closest valid path is '{_closest(path, tree)}'"
        )


def _plain(value: Any) -> Any:
    """numpy scalars and ranges as plain Python (the model checks ``int``, not ``np.int64``)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, range):
        return list(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def _set(data: dict[str, Any], tree: PhoneTree, path: str, value: Any) -> None:
    parts = path.split(".")
    obj: Any = tree
    cur: Any = data
    for i, key in enumerate(parts):
        last = i == len(parts) - 1
        if obj is tree and key == "callers" and not isinstance(cur.get("callers"), list):
            cur["callers"] = [
                p.model_dump(mode="json", by_alias=True, exclude_unset=True) for p in tree.personas
            ]
        child = dict(_children(obj, tree) or ())[key]
        slot: str | int = int(key) if isinstance(cur, list) else key
        if last:
            cur[slot] = _plain(value)
            return
        missing = slot not in cur if isinstance(cur, dict) else False
        if missing or cur[slot] is None:
            cur[slot] = (
                child.model_dump(mode="json", by_alias=True)
                if isinstance(child, BaseModel)
                else json.loads(json.dumps(child, default=list))
            )
        cur = cur[slot]
        obj = child


def apply_edits(
    tree: PhoneTree, edits: Mapping[str, Any], *, label: str | None = None
) -> PhoneTree:
    """A copy of ``tree`` with each path in ``edits`` set to its value, validated.

    Parameters
    ----------
    tree : PhoneTree
    edits : mapping of str to value
        Dotted paths (see :func:`check_path`) and their new values (plain data: numbers,
        strings, lists, mappings as in a file; numpy scalars are converted).
    label : str, optional
        Names the variant in error messages (default: the file and the edits).

    Returns
    -------
    PhoneTree

    Raises
    ------
    SweepPathError
        A path names no field.
    TreeFileError
        The edited tree is not valid (the message names the variant and the node).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> t = apply_edits(tree, {"callers.0.patience.mean_s": 120})
    >>> t.personas[0].patience.mean_s, tree.personas[0].patience.mean_s
    (120.0, 300.0)
    """
    for path in edits:
        check_path(tree, path)
    data = tree.to_dict()
    for path, value in edits.items():
        _set(data, tree, path, value)
    where = label or (
        f"{tree.file or tree.name} with " + ", ".join(f"{k}={v!r}" for k, v in edits.items())
    )
    return tree_from_data(data, source=where)


def parse_values(text: str) -> list[Any]:
    """The values of a ``--set PATH=VALUES`` option: ``10:40`` (both ends included),
    ``10:40:5`` (a step), or ``a,b,c`` (each read as YAML: numbers, words, ``true``).

    Examples
    --------
    >>> parse_values("10:14"), parse_values("10:40:10"), parse_values("120,240,480")
    ([10, 11, 12, 13, 14], [10, 20, 30, 40], [120, 240, 480])
    >>> parse_values("0.1:0.3:0.1"), parse_values("true,no,fast")
    ([0.1, 0.2, 0.3], [True, False, 'fast'])
    >>> parse_values("5:1")
    Traceback (most recent call last):
    ...
    ivrscore.exceptions.IvrscoreError: values '5:1': the range runs backwards (start 5 > stop 1)
    """
    import yaml

    text = text.strip()
    if not text:
        raise IvrscoreError("values are empty: give 10:40, 10:40:5 or a,b,c")
    bits = text.split(":")
    if len(bits) in (2, 3) and "," not in text:
        try:
            nums = [yaml.safe_load(b) for b in bits]
        except yaml.YAMLError:
            nums = []
        if nums and all(isinstance(n, int | float) and not isinstance(n, bool) for n in nums):
            start, stop = nums[0], nums[1]
            step = nums[2] if len(nums) == 3 else 1
            if step <= 0:
                raise IvrscoreError(f"values '{text}': the step must be positive, not {step}")
            if start > stop:
                raise IvrscoreError(
                    f"values '{text}': the range runs backwards (start {start} > stop {stop})"
                )
            count = math.floor((stop - start) / step + 1e-9) + 1
            if count > 1_000_000:
                raise IvrscoreError(f"values '{text}': {count:,} values is too many")
            if all(isinstance(n, int) for n in (start, stop, step)):
                return list(range(start, stop + 1, step))
            return [round(start + i * step, 12) for i in range(count)]
    out = []
    for bit in text.split(","):
        try:
            out.append(yaml.safe_load(bit.strip()))
        except yaml.YAMLError:
            out.append(bit.strip())
    return out
