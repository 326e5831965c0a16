"""The tracked-hours days and groups are built as plain dicts (``service.by_day``,
``service.grouped``), not models: each row must be what its documenting model
(``UserDay`` with ``ProjectTime``, ``Group``) validates and
dumps to, the same keys in the same order and the same numbers (an amount a JSON number,
integral amounts integers), with amounts left out where the caller may not see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel

from tests.assertions import ok
from tests.factories import Factory
from webwork.reports.schemas import Group, UserDay

FIRST, LAST = date(2024, 5, 6), date(2024, 5, 8)


def assert_rows_are_the_models(rows: list[dict[str, Any]], model: type[BaseModel] = UserDay) -> None:
    """Each row through the model path (validated, then dumped as ``kit.envelope`` dumps a
    model: JSON mode, unset fields left out) is the row itself; orjson keeps the keys'
    order, so equal bytes are equal keys, order and values."""
    assert rows
    for row in rows:
        dumped = model.model_validate(row).model_dump(mode="json", exclude_unset=True)
        assert orjson.dumps(dumped) == orjson.dumps(row)


def day_rows(days: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [row for users in days.values() for row in users]


async def test_plain_rows_are_what_the_models_dump(
    factory: Factory, frozen_clock: Callable[[datetime], None]
) -> None:
    frozen_clock(datetime(2024, 6, 1, tzinfo=UTC))
    space = await factory.space()
    member = await factory.person(space)
    other = await factory.person(space)
    billed = await factory.project(space, is_billable=True)
    unbilled = await factory.project(space, is_billable=False)
    whole = await factory.contract(billed, member, rate=Decimal("30"))
    cents = await factory.contract(billed, other, rate=Decimal("47.5"))
    free = await factory.contract(unbilled, member, rate=Decimal("20"))
    day = datetime(2024, 5, 6, 9, tzinfo=UTC)
    await factory.entry(member, day, day.replace(hour=11), contract=whole)
    await factory.entry(member, day.replace(hour=12), day.replace(hour=12, minute=7), contract=free)
    await factory.entry(member, day.replace(hour=13), day.replace(hour=13, minute=30))
    await factory.entry(other, day.replace(day=7), day.replace(day=7, minute=13), contract=cents)
    params = {**space.ws, "start_date": FIRST.isoformat(), "end_date": LAST.isoformat()}

    shown = ok(await space.owner.api.get("/reports/tracked-hours", params=params))["data"]
    assert_rows_are_the_models(day_rows(shown))
    (row,) = shown["2024-05-06"]
    assert row["total_amount"] == {"USD": 60}  # integral: an integer
    assert [p.get("total_amount") for p in row["projects"]] == [{"USD": 60}, {"USD": 0}, {"USD": 0}]
    assert shown["2024-05-07"][0]["total_amount"] == {"USD": 10.29}
    assert shown["2024-05-08"] == []

    other_currency = ok(
        await space.owner.api.get("/reports/tracked-hours", params={**params, "currencies": "EUR"})
    )
    assert_rows_are_the_models(day_rows(other_currency["data"]))
    assert other_currency["data"]["2024-05-07"][0]["total_amount"] == {}

    hidden = ok(await member.api.get("/reports/tracked-hours", params=params))["data"]
    assert_rows_are_the_models(day_rows(hidden))
    assert all("total_amount" not in p for row in hidden["2024-05-06"] for p in [row, *row["projects"]])

    for caller in (space.owner, member):
        for levels in (["user", "project"], ["day"], ["contract", "week"]):
            groups = ok(await caller.api.get("/reports/tracked-hours", params={**params, "group_by": levels}))
            assert_rows_are_the_models(groups["data"], Group)
            assert all(("total_amount" in g) is (caller is space.owner) for g in groups["data"])
