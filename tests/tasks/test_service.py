"""Pure rules of tasks: completion time, ordering, where project_id comes from."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webwork.kit.errors import ValidationFailed
from webwork.tasks.service import completed_at_after, parse_order, scope_project_id

STAMP = datetime(2024, 1, 25, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("new", [20, 30])
def test_entering_done_or_closed_stamps_now(new: int) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    for old in (0, 10, 11):
        stamped = completed_at_after(old, None, new)
        assert stamped is not None and stamped >= before


@pytest.mark.parametrize(("old", "new"), [(20, 30), (30, 20), (20, 20), (30, 30)])
def test_moving_within_done_and_closed_keeps_the_stamp(old: int, new: int) -> None:
    assert completed_at_after(old, STAMP, new) == STAMP


def test_done_without_a_stamp_gets_one() -> None:
    assert completed_at_after(20, None, 30) is not None


@pytest.mark.parametrize(("old", "new"), [(20, 0), (30, 10), (10, 0), (0, 10)])
def test_open_statuses_clear_it(old: int, new: int) -> None:
    assert completed_at_after(old, STAMP, new) is None


@pytest.mark.parametrize(
    ("order_by", "order", "expected"),
    [
        (None, None, ("id", False)),
        ("", None, ("id", False)),
        ("title", None, ("title", False)),
        ("-created_at", None, ("created_at", True)),
        ("priority", "desc", ("priority", True)),
        ("priority", "ASC", ("priority", False)),
        ("-end_date", "asc", ("end_date", True)),
        ("updated_at", "", ("updated_at", False)),
    ],
)
def test_parse_order(order_by: str | None, order: str | None, expected: tuple[str, bool]) -> None:
    assert parse_order(order_by, order) == expected


@pytest.mark.parametrize(
    ("order_by", "order", "field"),
    [("name", None, "order_by"), ("--id", None, "order_by"), ("id", "up", "order")],
)
def test_parse_order_rejects(order_by: str, order: str | None, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_order(order_by, order)
    assert caught.value.errors is not None and list(caught.value.errors) == [field]


def test_scope_project_id() -> None:
    assert scope_project_id(None, None) is None
    assert scope_project_id(3, None) == 3
    assert scope_project_id(None, 4) == 4
    assert scope_project_id(5, 5) == 5
    with pytest.raises(ValidationFailed):
        scope_project_id(5, 6)
