"""Opening-hours parsing: day ranges, several ranges a day, overnight and weekend ranges."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ivrscore.model.schedule import Schedule, parse_days, parse_ranges


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("mon", (0,)),
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("sat,sun", (5, 6)),
        ("sat, sun", (5, 6)),
        ("fri-mon", (0, 4, 5, 6)),
        ("weekdays", (0, 1, 2, 3, 4)),
        ("weekends", (5, 6)),
        ("daily", tuple(range(7))),
        ("Monday-Wednesday", (0, 1, 2)),
        ("mon-wed, sat", (0, 1, 2, 5)),
    ],
)
def test_parse_days(spec: str, days: tuple[int, ...]) -> None:
    assert parse_days(spec) == days


@pytest.mark.parametrize("spec", ["mun", "mon-frii", "", "mon,,tue"])
def test_parse_days_rejects_unknown(spec: str) -> None:
    with pytest.raises(ValueError, match="day"):
        parse_days(spec)


def test_several_ranges_a_day() -> None:
    assert parse_ranges("08:00-12:00, 13:00-17:30") == ((480, 720), (780, 1050))


def test_overnight_range_runs_into_next_day() -> None:
    s = Schedule({"fri": "22:00-06:00"})
    assert s.is_open(4, 22 * 60)  # Friday 22:00
    assert s.is_open(5, 5 * 60 + 59)  # Saturday 05:59
    assert not s.is_open(5, 6 * 60)  # Saturday 06:00
    assert not s.is_open(4, 6 * 60)  # Friday morning is not covered by Friday's range
    assert s.hours_per_week == 8.0


def test_sunday_overnight_wraps_to_monday() -> None:
    s = Schedule({"sun": "23:00-01:00"})
    assert s.is_open(6, 23 * 60 + 30)
    assert s.is_open(0, 30)
    assert not s.is_open(0, 60)
    assert s.intervals == ((0, 60), (6 * 1440 + 23 * 60, 7 * 1440))


def test_weekend_ranges_and_hours() -> None:
    s = Schedule({"mon-fri": "08:00-18:00", "sat": "09:00-13:00", "sun": "closed"})
    assert s.hours_per_week == 5 * 10 + 4
    assert s.is_open(5, 9 * 60) and not s.is_open(5, 13 * 60)
    assert not any(s.is_open(6, m) for m in range(0, 1440, 30))


def test_union_of_entries_for_the_same_day() -> None:
    s = Schedule({"mon-fri": "09:00-12:00", "mon": "18:00-20:00"})
    assert s.is_open(0, 19 * 60) and not s.is_open(1, 19 * 60)
    assert s.hours_per_week == 5 * 3 + 2


def test_all_day_and_24h() -> None:
    assert Schedule({"daily": "24h"}).hours_per_week == 168
    assert Schedule({"daily": "00:00-24:00"}).hours_per_week == 168


def test_open_fraction_by_hour() -> None:
    frac = Schedule({"mon-fri": "08:30-17:00"}).open_fraction()
    assert frac.shape == (7, 24)
    assert frac[0, 8] == pytest.approx(0.5)
    assert frac[0, 9] == 1.0 and frac[0, 17] == 0.0 and frac[5].sum() == 0.0
    assert frac.sum() == pytest.approx(5 * 8.5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8am-6pm", "bad time"),
        ("08:00-25:00", "bad time"),
        ("08:00", "bad time range"),
        ("09:00-09:00", "empty"),
        (480, "quoted string"),
    ],
)
def test_bad_times_are_explained(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Schedule({"mon": value})
