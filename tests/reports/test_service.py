"""The rules of the reports' service: date ranges, grouping levels, rate permission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from tests.factories import Factory
from webwork.kit.errors import Forbidden, ValidationFailed
from webwork.reports import service
from webwork.reports.localdays import day_windows


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(datetime(2024, 1, 17, 10, 30, tzinfo=UTC))


async def test_date_ranges(factory: Factory) -> None:
    space = await factory.space()
    actor = space.actor()
    week = (date(2024, 1, 15), date(2024, 1, 21))
    assert service.date_range(actor, None, None, max_days=366) == week
    assert service.date_range(actor, date(2024, 1, 17), None, max_days=366) == (date(2024, 1, 17), week[1])
    assert service.date_range(actor, None, date(2024, 1, 16), max_days=366) == (week[0], date(2024, 1, 16))
    assert service.date_range(actor, date(2024, 1, 1), date(2024, 1, 31), max_days=31)[1] == date(2024, 1, 31)
    for start, end in [(date(2024, 1, 1), date(2024, 2, 1)), (date(2024, 1, 2), date(2024, 1, 1))]:
        with pytest.raises(ValidationFailed):
            service.date_range(actor, start, end, max_days=31)


def test_group_levels() -> None:
    assert service.group_levels(None) == []
    assert service.group_levels(["project", "day"]) == [service.GroupBy.PROJECT, service.GroupBy.DAY]
    for bad in ([], ["day", "user", "task"], ["hour"]):
        with pytest.raises(ValidationFailed):
            service.group_levels(bad)


async def test_currencies_need_rate_permission(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    with pytest.raises(Forbidden):
        service.Rates.of(space.actor(member), ["USD"])
    assert service.Rates.of(space.actor(member), None).currencies is None
    assert service.Rates.of(space.actor(), ["usd"]).currencies == frozenset({"USD"})


def test_a_timezone_the_database_does_not_know_reads_as_utc() -> None:
    (window,) = day_windows(["Mars/Olympus"], date(2024, 1, 1), date(2024, 1, 1))
    assert window.timezone == "Mars/Olympus"
    assert window.start == datetime(2024, 1, 1, tzinfo=UTC)
