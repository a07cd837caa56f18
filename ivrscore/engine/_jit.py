"""One switch for compiled kernels: numba where it can be imported, plain Python where not.

The simulation kernels are written once, in the subset of Python that numba compiles. Decorate
them with :func:`njit`; where numba is missing (or ``NUMBA_DISABLE_JIT=1`` is set, for
debugging) the same functions run as ordinary Python and give the same numbers, only slower, and
:func:`warn_if_slow` says so once.

numba is imported only by the modules that simulate, so ``import ivrscore`` and the commands
that do not simulate never pay for it. Compiled kernels are cached on disk (``cache=True``); when
the package folder is read-only the cache goes to the user's cache folder instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["COMPILED", "njit", "warn_if_slow"]

F = TypeVar("F", bound=Callable[..., Any])


def _cache_dir() -> None:
    """Point numba's cache at a writable folder when the package folder is not writable."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    here = Path(__file__).parent
    if os.access(here, os.W_OK):
        return
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    target = Path(base) / "ivrscore" / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        target = Path(tempfile.gettempdir()) / "ivrscore-numba"
        target.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(target)


_numba: Any
if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
    _numba = None
else:
    _cache_dir()
    try:
        import numba as _numba
    except ImportError:  # pragma: no cover - exercised where numba is absent
        _numba = None

COMPILED: bool = _numba is not None
"""True when the kernels are compiled by numba, False when they run as plain Python."""

_warned = False


def njit(fn: F) -> F:
    """Compile ``fn`` with numba (``nopython``, cached) or return it unchanged without numba.

    Parameters
    ----------
    fn : callable
        A function written in the subset of Python and numpy that numba compiles.

    Returns
    -------
    callable
        The compiled function, or ``fn`` itself.

    Examples
    --------
    >>> from ivrscore.engine._jit import njit
    >>> @njit
    ... def twice(x):
    ...     return 2 * x
    >>> twice(21)
    42
    """
    if _numba is None:
        return fn
    cache = not fn.__code__.co_filename.startswith("<")  # no file to cache next to (doctests)
    compiled: F = _numba.njit(cache=cache, nogil=True)(fn)
    return compiled


def warn_if_slow() -> None:
    """Say once, on stderr, that the kernels run as plain Python (numba missing or disabled)."""
    global _warned
    if COMPILED or _warned:
        return
    _warned = True
    why = (
        "NUMBA_DISABLE_JIT is set"
        if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
        else "numba is not installed"
    )
    print(f"ivrscore: {why}; simulating in plain Python (slow)", file=sys.stderr)
