"""Rules of the expenses service that HTTP cannot reach on purpose: the unique category
name deciding a rename race, the display date, the filters' checks."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import Factory
from webwork.expenses import repository, service
from webwork.expenses.schemas import CategoryCreate, ExpenseFilters, display_date
from webwork.kit.errors import ValidationFailed
from webwork.kit.pagination import PageParams


async def test_a_rename_the_constraint_refuses_leaves_the_transaction_usable(factory: Factory) -> None:
    """Two renames to one name at once: the check before both finds it free, so the
    unique constraint decides, inside a SAVEPOINT."""
    space = await factory.space()
    actor = space.actor()
    await service.create_category(factory.session, actor, CategoryCreate(name="Travel"))
    meals = await service.create_category(factory.session, actor, CategoryCreate(name="Meals"))
    assert not await repository.rename_category(factory.session, meals, "Travel")
    await factory.session.refresh(meals)
    assert meals.name == "Meals"
    assert await repository.rename_category(factory.session, meals, "Food")
    names = await service.category_page(factory.session, actor, PageParams())
    assert [c.name for c in names.items] == ["Food", "Travel"]


def test_display_dates_do_not_depend_on_the_locale() -> None:
    assert display_date(date(2024, 1, 15)) == "Jan 15, 2024"
    assert display_date(date(2024, 12, 1)) == "Dec 1, 2024"


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (ExpenseFilters(id="x"), "id"),
        (ExpenseFilters(category_id="1234"), "category_id"),
        (ExpenseFilters(status="paid"), "status"),
        (ExpenseFilters(date_from=date(2024, 2, 1), date_to=date(2024, 1, 1)), "date_to"),
        (ExpenseFilters(date_to=date(2100, 1, 1)), "date_to"),
    ],
)
async def test_filters_are_checked(factory: Factory, filters: ExpenseFilters, field: str) -> None:
    space = await factory.space()
    with pytest.raises(ValidationFailed) as caught:
        await service.list_page(factory.session, space.actor(), filters, PageParams())
    assert caught.value.errors is not None and field in caught.value.errors
