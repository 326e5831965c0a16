"""The list filters of the reports: every spelling a client sends reads as one list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.assertions import err, ok
from tests.factories import Factory
from webwork.reports.filters import split_values


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ("1,2,3", ["1", "2", "3"]),
        ("[1, 2]", ["1", "2"]),
        ('["a,b", "c"]', ["a,b", "c"]),
        ("['x', 'y']", ["x", "y"]),
        (" 7 ", ["7"]),
        ("", []),
        ("[]", []),
        ("1,,2,", ["1", "2"]),
        ("[1,", ["[1"]),
    ],
)
def test_split_values(raw: str, values: list[str]) -> None:
    assert split_values(raw) == values


async def test_repeated_keys_and_aliases_merge(factory: Factory) -> None:
    space = await factory.space()
    members = [await factory.person(space) for _ in range(4)]
    for member in members:
        await factory.entry(member, datetime(2024, 1, 1, 9, tzinfo=UTC), datetime(2024, 1, 1, 10, tzinfo=UTC))
    query = f"users={members[0].id}&user_ids={members[1].id},{members[0].id}&users=[{members[2].id}]"
    path = f"/reports/task-report?workspace_id={space.id}&start_date=2024-01-01&end_date=2024-01-02&{query}"
    body = ok(await space.owner.api.get(path))
    assert sorted(u["user_id"] for u in body["data"]) == sorted(m.id for m in members[:3])
    too_many = ",".join(str(n) for n in range(1, 1002))
    errors = err(
        await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "user_ids": too_many}), 422
    )
    assert errors["errors"] == {"user_ids": ["The user_ids field must not have more than 1000 items."]}
    errors = err(
        await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "teams": "2147483648"}), 422
    )
    assert list(errors["errors"]) == ["teams"]
    # Beyond the digits Python reads as an integer at all (4,300): a 422 too, not a 500.
    for digits in ("0" * 5000, "9" * 5000):
        errors = err(
            await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "teams": digits}), 422
        )
        assert list(errors["errors"]) == ["teams"]
    long_title = "x" * 256
    errors = err(
        await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "titles": long_title}), 422
    )
    assert list(errors["errors"]) == ["titles"]
