"""Pure rules of timesheets: periods and ids."""

from __future__ import annotations

from datetime import date

import pytest

from webwork.timesheets.periods import TimesheetKey, period_of, periods_overlapping


def test_weekly_periods_are_monday_to_sunday() -> None:
    assert period_of(date(2024, 1, 17), "weekly") == (date(2024, 1, 15), date(2024, 1, 21))
    assert period_of(date(2024, 1, 21), "weekly") == (date(2024, 1, 15), date(2024, 1, 21))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 1), (date(2024, 1, 1), date(2024, 1, 14))),
        (date(2024, 1, 14), (date(2024, 1, 1), date(2024, 1, 14))),
        (date(2024, 1, 15), (date(2024, 1, 15), date(2024, 1, 28))),
        (date(2024, 1, 20), (date(2024, 1, 15), date(2024, 1, 28))),
        (date(2023, 12, 31), (date(2023, 12, 18), date(2023, 12, 31))),
        (date(2023, 12, 18), (date(2023, 12, 18), date(2023, 12, 31))),
        (date(2026, 3, 4), (date(2026, 2, 23), date(2026, 3, 8))),
    ],
)
def test_biweekly_periods_are_anchored_at_2024_01_01(day: date, expected: tuple[date, date]) -> None:
    assert period_of(day, "biweekly") == expected
    assert (expected[0] - date(2024, 1, 1)).days % 14 == 0 and expected[0].weekday() == 0


def test_monthly_periods_are_calendar_months() -> None:
    assert period_of(date(2024, 2, 10), "monthly") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_of(date(2023, 12, 31), "monthly") == (date(2023, 12, 1), date(2023, 12, 31))


def test_periods_overlapping_a_range() -> None:
    assert periods_overlapping(date(2024, 1, 21), date(2024, 1, 22), "weekly") == [
        (date(2024, 1, 15), date(2024, 1, 21)),
        (date(2024, 1, 22), date(2024, 1, 28)),
    ]
    assert periods_overlapping(date(2024, 1, 31), date(2024, 3, 1), "monthly") == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
    ]


def test_periods_overlapping_stops_at_the_limit() -> None:
    """A range of eleven centuries is not walked week by week to be refused afterwards."""
    periods = periods_overlapping(date(1900, 1, 1), date(2999, 12, 31), "weekly", limit=367)
    assert len(periods) == 367 and periods[0] == (date(1900, 1, 1), date(1900, 1, 7))


def test_ids_round_trip_and_are_opaque() -> None:
    key = TimesheetKey(45696, date(2024, 1, 1))
    encoded = key.encode("webwork")
    assert len(encoded) == 14 and "45696" not in encoded
    assert TimesheetKey.decode(encoded, "webwork") == key
    assert TimesheetKey.decode(encoded, "other-salt") != key
    assert TimesheetKey(45697, date(2024, 1, 1)).encode("webwork")[:7] != encoded[:7]
    for garbage in ("", "abc", "!" * 14, encoded + "x", encoded[:-1] + "?"):
        assert TimesheetKey.decode(garbage, "webwork") is None
