"""Argument types shared by the commands: whole numbers and seeds checked, with their bounds.

Each turns a bad value into argparse's own one-line usage error (exit code 2), before any file
is read: ``--calls -5`` or ``--paths 1000000000`` never reach the engines.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

__all__ = ["MAX_CALLS", "MAX_PATHS", "calls", "dask_client", "finite", "jobs", "paths", "seed"]

MAX_CALLS = 1_000_000_000
"""Most callers one command simulates (a billion: minutes of work; more would take hours)."""
MAX_PATHS = 1_000
"""Most sample journeys ``simulate --paths`` prints."""


def _whole(text: str) -> int:
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def calls(text: str) -> int:
    """A number of callers: 1 to :data:`MAX_CALLS` (``100_000`` and ``100,000`` are read).

    Examples
    --------
    >>> calls("100,000")
    100000
    >>> calls("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be at least 1
    """
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    if value > MAX_CALLS:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_CALLS:,} callers in one run (got {value:,}); "
            "run several with different --seed and combine them"
        )
    return value


def paths(text: str) -> int:
    """A number of sample journeys: 0 to :data:`MAX_PATHS`.

    Examples
    --------
    >>> paths("3")
    3
    """
    value = _whole(text)
    if not 0 <= value <= MAX_PATHS:
        raise argparse.ArgumentTypeError(f"from 0 to {MAX_PATHS:,} journeys (got {value:,})")
    return value


def seed(text: str) -> int:
    """A random seed: a whole number from 0 (numpy's seeds are not negative).

    Examples
    --------
    >>> seed("42")
    42
    """
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed is a whole number from 0 (got {value})")
    return value


def finite(text: str) -> float:
    """A finite number (``nan`` and ``inf`` are refused).

    Examples
    --------
    >>> finite("72.5")
    72.5
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def jobs(text: str) -> int:
    """A number of worker processes (``--jobs N``): a whole number, at least 1.

    Examples
    --------
    >>> jobs("2")
    2
    >>> jobs("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be at least 1
    """
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def dask_client(address: str | None) -> Any:
    """A ``dask.distributed.Client`` for ``--scheduler ADDRESS`` (``None`` without one); a
    missing extra or a scheduler that does not answer is one line."""
    if address is None:
        return None
    from ..exceptions import IvrscoreError

    try:
        from distributed import Client
    except ImportError:
        raise IvrscoreError(
            "--scheduler needs dask.distributed: pip install 'ivrscore[distributed]'"
        ) from None
    try:
        client: Any = Client
        return client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise IvrscoreError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
