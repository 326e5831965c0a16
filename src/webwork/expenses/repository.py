"""All SQL of the expenses domain. Expenses start from :func:`readable` (the workspace
and the members whose expenses the actor sees); categories from
:func:`readable_categories` (every member of the workspace reads them)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import visibility
from webwork.auth.principal import Actor
from webwork.expenses.schemas import ExpenseView, Selection
from webwork.kit.db import add_unless_taken, save
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Expense, ExpenseCategory, Project, User

# --- categories ---------------------------------------------------------------------


def readable_categories(actor: Actor) -> Select[ExpenseCategory]:
    return select(ExpenseCategory).where(ExpenseCategory.workspace_id == actor.workspace_id)


async def category_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[ExpenseCategory]:
    stmt = readable_categories(actor).order_by(ExpenseCategory.name, ExpenseCategory.id)
    return await fetch_page(session, Paged.of(stmt), params)


async def category(session: AsyncSession, actor: Actor, category_id: uuid.UUID) -> ExpenseCategory | None:
    found: ExpenseCategory | None = await session.scalar(
        readable_categories(actor).where(ExpenseCategory.id == category_id)
    )
    return found


async def category_named(session: AsyncSession, actor: Actor, name: str) -> ExpenseCategory | None:
    found: ExpenseCategory | None = await session.scalar(
        readable_categories(actor).where(ExpenseCategory.name == name)
    )
    return found


async def add_category(session: AsyncSession, category: ExpenseCategory) -> bool:
    """False when the workspace already has a category of that name (the unique
    constraint decides a race)."""
    return await add_unless_taken(session, category)


async def rename_category(session: AsyncSession, category: ExpenseCategory, name: str) -> bool:
    """False when another category of the workspace took the name first (the unique
    constraint decides a race; the SAVEPOINT keeps the transaction usable)."""
    try:
        async with session.begin_nested():
            category.name = name
            await session.flush()
    except IntegrityError:
        return False
    return True


async def category_in_use(session: AsyncSession, category_id: uuid.UUID) -> bool:
    found = await session.scalar(select(Expense.id).where(Expense.category_id == category_id).limit(1))
    return found is not None


async def remove_category(session: AsyncSession, category: ExpenseCategory) -> None:
    await session.delete(category)
    await session.flush()


# --- expenses -----------------------------------------------------------------------


def _visible(actor: Actor) -> list[ColumnElement[bool]]:
    return [
        Expense.workspace_id == actor.workspace_id,
        visibility.restrict(Expense.user_id, visibility.visible_user_ids(actor)),
    ]


def readable(actor: Actor) -> Select[Expense, User, str | None, str | None]:
    """The expenses the actor may see, with their member and the names of their project
    and category joined in, so that a page costs one query."""
    return (
        select(Expense, User, Project.name, ExpenseCategory.name)
        .join(User, User.id == Expense.user_id)
        .outerjoin(Project, Project.id == Expense.project_id)
        .outerjoin(ExpenseCategory, ExpenseCategory.id == Expense.category_id)
        .where(*_visible(actor))
    )


def _view(row: Any) -> ExpenseView:
    expense, user, project_name, category_name = row
    return ExpenseView(expense, user, project_name, category_name)


def _conditions(selection: Selection) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if selection.id is not None:
        conditions.append(Expense.id == selection.id)
    if selection.user_id is not None:
        conditions.append(Expense.user_id == selection.user_id)
    if selection.category_id is not None:
        conditions.append(Expense.category_id == selection.category_id)
    if selection.project_id is not None:
        conditions.append(Expense.project_id == selection.project_id)
    if selection.date_from is not None:
        conditions.append(Expense.spent_on >= selection.date_from)
    if selection.date_to is not None:
        conditions.append(Expense.spent_on <= selection.date_to)
    if selection.status is not None:
        conditions.append(Expense.status == selection.status)
    return conditions


async def list_page(
    session: AsyncSession, actor: Actor, selection: Selection, params: PageParams
) -> tuple[Page[ExpenseView], Decimal]:
    """A page of the selected expenses, newest date first, and the sum of the amounts
    of all of them (every page). The sum adds whole cents: exact on SQLite too, which
    keeps NUMERIC values as doubles."""
    conditions = _conditions(selection)
    stmt = (
        readable(actor)
        .where(*conditions)
        .order_by(Expense.spent_on.desc(), Expense.created_at.desc(), Expense.id)
    )
    page: Page[Any] = await fetch_page(session, Paged.of(stmt), params)
    cents = await session.scalar(
        select(func.sum(func.round(Expense.amount * 100))).where(*_visible(actor), *conditions)
    )
    total = Decimal(int(cents or 0)).scaleb(-2)
    return Page([_view(row) for row in page.items], page.pagination), total


async def get(
    session: AsyncSession, actor: Actor, expense_id: uuid.UUID, *, lock: bool = False
) -> ExpenseView | None:
    stmt = readable(actor).where(Expense.id == expense_id)
    if lock:
        stmt = stmt.with_for_update(of=Expense)
    row = (await session.execute(stmt)).first()
    return None if row is None else _view(row)


async def add(session: AsyncSession, expense: Expense) -> None:
    await save(session, expense)


async def remove(session: AsyncSession, expense: Expense) -> None:
    await session.delete(expense)
    await session.flush()
