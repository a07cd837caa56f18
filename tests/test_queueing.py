"""Erlang C and Erlang A against published values, closed forms and identities."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ivrscore.queueing import UnstableQueueError, erlang_a, erlang_b, erlang_c


def test_erlang_b_small_cases() -> None:
    # B(1, A) = A / (1 + A); B(2, 1) = (1/2) / (1 + 1 + 1/2)
    assert erlang_b(1, 3.0) == pytest.approx(0.75)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_call_centre_helper_erlang_c() -> None:
    """200 calls/h, AHT 180 s, 14 agents: P(wait) 0.174, SL(20 s) 0.888, occupancy 0.714."""
    m = erlang_c(14, calls_per_hour=200, handle_time_s=180)
    assert m.p_wait == pytest.approx(0.1741, abs=5e-4)
    assert m.service_level(20) == pytest.approx(0.888, abs=1e-3)
    assert m.occupancy == pytest.approx(0.7143, abs=1e-4)
    assert m.mean_wait_s == pytest.approx(7.84, abs=0.01)
    m15 = erlang_c(15, calls_per_hour=200, handle_time_s=180)
    assert (round(m15.p_wait, 3), round(m15.service_level(20), 3)) == (0.102, 0.941)


def test_erlang_c_closed_form_asa() -> None:
    m = erlang_c(55, calls_per_hour=720, handle_time_s=240)  # A = 48
    assert m.mean_wait_s == pytest.approx(m.p_wait * 240 / (55 - 48))
    assert m.p_wait == pytest.approx(0.2387, abs=5e-4)


def test_erlang_c_refuses_overload() -> None:
    with pytest.raises(UnstableQueueError, match="at or over 10 agents"):
        erlang_c(10, calls_per_hour=200, handle_time_s=180)


def test_mandelbaum_zeltyn_erlang_a() -> None:
    """N=50, 2,880 calls/h, 1-min handling, 2-min patience: 3.1% abandon, 3.7 s, 93%."""
    m = erlang_a(50, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    assert m.p_abandon == pytest.approx(0.031, abs=5e-4)
    assert m.mean_wait_s == pytest.approx(3.7, abs=0.05)
    assert m.occupancy == pytest.approx(0.93, abs=5e-3)
    assert m.p_wait == pytest.approx(0.4678, abs=5e-4)


@pytest.mark.parametrize("agents", [30, 45, 48, 50, 55, 70])
def test_abandonment_equals_theta_times_mean_wait(agents: int) -> None:
    m = erlang_a(agents, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    assert m.p_abandon == pytest.approx(m.mean_wait_s / 120, rel=1e-9)


@pytest.mark.parametrize("agents", [1, 5, 30, 45, 48])
def test_overload_stays_a_probability(agents: int) -> None:
    m = erlang_a(agents, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    for p in (m.p_wait, m.p_abandon, m.occupancy, m.service_level(20)):
        assert 0.0 <= p <= 1.0
    # flow balance: served calls keep agents busy
    assert m.occupancy * agents == pytest.approx(48 * (1 - m.p_abandon), rel=1e-6)


def test_erlang_a_tends_to_erlang_c() -> None:
    c = erlang_c(14, calls_per_hour=200, handle_time_s=180)
    previous = math.inf
    for patience in (600, 6_000, 60_000, 6_000_000):
        a = erlang_a(14, calls_per_hour=200, handle_time_s=180, patience_s=patience)
        gap = abs(a.p_wait - c.p_wait)
        assert gap < previous
        previous = gap
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-3)
    assert a.mean_wait_s == pytest.approx(c.mean_wait_s, rel=1e-3)
    assert erlang_a(14, calls_per_hour=200, handle_time_s=180, patience_s=math.inf) == c


def test_shorter_patience_more_abandonment_less_waiting() -> None:
    waits, aband = [], []
    for patience in (30, 60, 120, 240, 480):
        m = erlang_a(48, calls_per_hour=2880, handle_time_s=60, patience_s=patience)
        waits.append(m.mean_wait_s)
        aband.append(m.p_abandon)
    assert waits == sorted(waits) and aband == sorted(aband, reverse=True)


def test_mean_wait_from_the_callers_side() -> None:
    """E[wait] from the stage chain a caller sees equals the birth-death E[Q] / lambda (PASTA)."""
    n, lam, mu, theta = 48, 48 / 60, 1 / 60, 1 / 120
    m = erlang_a(n, calls_per_hour=lam * 3600, handle_time_s=1 / mu, patience_s=1 / theta)
    ahead = m.ahead_distribution()
    j = np.arange(ahead.size)
    rate = n * mu + j * theta
    survive = rate / (rate + theta)
    # E[min(V, T) | k ahead] = sum over stages reached of 1 / (rate + theta)
    reach = np.concatenate([[1.0], np.cumprod(survive)[:-1]])
    stage = reach / (rate + theta)
    wait_given_k = np.cumsum(stage)
    assert m.p_wait * float((ahead * wait_given_k).sum()) == pytest.approx(m.mean_wait_s, rel=1e-9)
    served = float((ahead * np.cumprod(survive)).sum()) * m.p_wait + (1 - m.p_wait)
    assert served == pytest.approx(1 - m.p_abandon, rel=1e-9)


def test_service_level_is_monotone_and_bounded() -> None:
    m = erlang_a(50, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    levels = [m.service_level(t) for t in (0, 5, 20, 60, 300, 3600)]
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(levels))
    assert levels[0] == pytest.approx(1 - m.p_wait)
    assert levels[-1] == pytest.approx(1 - m.p_abandon, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls_per_hour": 0, "handle_time_s": 60, "patience_s": 60}, "positive"),
        ({"calls_per_hour": 10, "handle_time_s": 60, "patience_s": 0}, "patience"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        erlang_a(3, **kwargs)


@pytest.mark.parametrize(
    ("agents", "cph", "patience_s", "t_s"), [(20, 400, 30.0, 20.0), (100, 1_500, 120.0, 20.0)]
)
def test_service_level_of_a_long_queue_keeps_the_positions_that_can_be_answered(
    monkeypatch: pytest.MonkeyPatch, agents: int, cph: float, patience_s: float, t_s: float
) -> None:
    # past queueing._SL_WORK the positions no caller can be answered from within t_s are
    # dropped (hundreds of thousands waiting made it take minutes an hour); the answer is the
    # full computation's to the truncation error
    import ivrscore.queueing as q

    m = q.erlang_a(agents, calls_per_hour=cph, handle_time_s=300, patience_s=patience_s)
    monkeypatch.setattr(q, "_SL_WORK", 0)
    kept = m.service_level(t_s)
    monkeypatch.setattr(q, "_SL_WORK", 10**18)
    full = m.service_level(t_s)
    assert 0.0 < full < 1.0 and kept == pytest.approx(full, rel=1e-12, abs=1e-15)
