"""Imported by the local pool's fork server only: loads the compiled caller kernel once there.

A fork server (see :mod:`ivrscore._sweep_pool`) imports the modules it is told to preload and
forks every worker from itself; a worker then starts with what the server holds. Importing this
module simulates one caller of a built-in example, so numba is imported and the kernel loaded
from its cache in the server, not again in each worker of each pool. Nothing else imports it.
"""

from __future__ import annotations

from .engine.simulate import simulate
from .examples import path
from .loading import load

__all__: list[str] = []

simulate(load(path("gp_surgery")), calls=1, rng=0, progress=False)
