"""Sizes shared by the caller kernel and the simulation summary (no numba needed to read them)."""

from __future__ import annotations

import math

MAX_STEPS = 100_000
"""A caller still in the tree after this many steps is counted as abandoned (a loop that only
patience could end, and these callers have none)."""


N_METRICS = 12
"""Metrics summed per task, in the order of :data:`ivrscore.engine.results.METRICS`."""
N_HARMS = 10
"""Amounts summed for the harms, in the order of :func:`ivrscore.engine.ledger.harms_from_calls`."""

BIN_LO = 1e-3
"""Times below this many seconds fall in the first histogram bin."""
BIN_RATIO = 1.0005
"""Each histogram bin spans times within this ratio (quantiles within 0.025%)."""
N_BINS = 2 + int(math.log(1e8 / BIN_LO) / math.log(BIN_RATIO))
