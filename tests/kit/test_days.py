from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from webwork.kit.days import check_date_range, day_bounds, seconds_by_local_day, week_bounds
from webwork.kit.errors import ValidationFailed


def test_midnight_spanning_entry_counts_on_both_days() -> None:
    start = datetime(2024, 1, 15, 21, 0, tzinfo=UTC)  # 22:00 in Berlin
    end = datetime(2024, 1, 16, 1, 0, tzinfo=UTC)  # 02:00 in Berlin
    assert seconds_by_local_day(start, end, "Europe/Berlin") == {
        date(2024, 1, 15): 7200,
        date(2024, 1, 16): 7200,
    }
    assert seconds_by_local_day(start, end, "UTC") == {date(2024, 1, 15): 10800, date(2024, 1, 16): 3600}


def test_dst_days_have_23_and_25_hours() -> None:
    spring = day_bounds(date(2024, 3, 31), "Europe/Berlin")
    autumn = day_bounds(date(2024, 10, 27), "Europe/Berlin")
    assert (spring[1] - spring[0]).total_seconds() == 23 * 3600
    assert (autumn[1] - autumn[0]).total_seconds() == 25 * 3600
    assert seconds_by_local_day(autumn[0], autumn[1], "Europe/Berlin") == {date(2024, 10, 27): 25 * 3600}


def test_week_is_monday_to_sunday() -> None:
    assert week_bounds(date(2024, 1, 17)) == (date(2024, 1, 15), date(2024, 1, 21))
    assert week_bounds(date(2024, 1, 21)) == (date(2024, 1, 15), date(2024, 1, 21))


@pytest.mark.parametrize(
    ("first", "last", "errors"),
    [
        (
            date(1999, 12, 31),
            date(2000, 1, 2),
            {"date_from": ["The date from must be between 2000-01-01 and 2099-12-31."]},
        ),
        (
            date(2000, 1, 1),
            date(2100, 1, 1),
            {"date_to": ["The date to must be between 2000-01-01 and 2099-12-31."]},
        ),
        (
            date(2000, 1, 2),
            date(2000, 1, 1),
            {"date_to": ["The date to must be a date after or equal to date from."]},
        ),
    ],
)
def test_a_date_range_lies_in_its_bounds_in_order(
    first: date, last: date, errors: dict[str, list[str]]
) -> None:
    check_date_range(date(2000, 1, 1), date(2099, 12, 31))
    with pytest.raises(ValidationFailed) as refused:
        check_date_range(first, last)
    assert refused.value.errors == errors
