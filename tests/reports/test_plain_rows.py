"""The tracked-hours days are built as plain dicts (``service.by_day``), not models: each
row must be what its documenting model (``UserDay`` with ``ProjectTime``) validates and
dumps to, the same keys in the same order and the same numbers (an amount a JSON number,
integral amounts integers), with amounts left out where the caller may not see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson

from tests.assertions import ok
from tests.factories import Factory
from webwork.reports.schemas import UserDay

FIRST, LAST = date(2024, 5, 6), date(2024, 5, 8)


def as_model_dumps(row: dict[str, Any]) -> dict[str, Any]:
    """The row through the model path: validated, then dumped as the answer dumps a model
    (``kit.envelope``: JSON mode, unset fields left out)."""
    return UserDay.model_validate(row).model_dump(mode="json", exclude_unset=True)


def assert_rows_are_the_models(days: dict[str, list[dict[str, Any]]]) -> None:
    rows = [row for users in days.values() for row in users]
    assert rows
    for row in rows:
        # orjson keeps the keys' order: equal bytes are equal keys, order and values.
        assert orjson.dumps(as_model_dumps(row)) == orjson.dumps(row)


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
    assert_rows_are_the_models(shown)
    (row,) = shown["2024-05-06"]
    assert row["total_amount"] == {"USD": 60}  # integral: an integer
    assert [p.get("total_amount") for p in row["projects"]] == [{"USD": 60}, {"USD": 0}, {"USD": 0}]
    assert shown["2024-05-07"][0]["total_amount"] == {"USD": 10.29}
    assert shown["2024-05-08"] == []

    other_currency = ok(
        await space.owner.api.get("/reports/tracked-hours", params={**params, "currencies": "EUR"})
    )
    assert_rows_are_the_models(other_currency["data"])
    assert other_currency["data"]["2024-05-07"][0]["total_amount"] == {}

    hidden = ok(await member.api.get("/reports/tracked-hours", params=params))["data"]
    assert_rows_are_the_models(hidden)
    assert all("total_amount" not in p for row in hidden["2024-05-06"] for p in [row, *row["projects"]])
