"""Sizes shared by the caller kernel and the simulation summary (no numba needed to read them)."""

from __future__ import annotations

MAX_STEPS = 100_000
"""A caller still in the tree after this many steps is counted as abandoned (a loop that only
patience could end, and these callers have none)."""


N_METRICS = 12
"""Metrics summed per task, in the order of :data:`ivrscore.engine.results.METRICS`."""
N_HARMS = 10
"""Amounts summed for the harms, in the order of :func:`ivrscore.engine.ledger.harms_from_calls`."""

BIN_LO = 2.0**-10
"""Times below this many seconds (about a millisecond) fall in the first histogram bin."""
BIN_BITS = 9
"""Each octave of times (``2**e <= t < 2**(e + 1)``) is cut into ``2**BIN_BITS`` equal bins,
by the float's leading mantissa bits: a bin spans a ratio of at most ``1 + 2**-9``, so the
middle of a bin is within 0.1% of any time in it. (Finer bins cost speed: at 11 bits the three
histograms no longer fit the processor's cache and the walk is a third slower.)"""
N_BINS = 1 + 37 * (1 << BIN_BITS)
"""Bin 0 (below :data:`BIN_LO`), then 37 octaves, up to ``2**27`` s (four years); longer times
fall in the last bin."""
