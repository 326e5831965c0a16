"""Expenses: money members spent, and the categories a workspace sorts them into.

- Categories are read by every member and written by owners and executive managers (the
  router). Names are unique per workspace (a duplicate is a 422 on ``name``); a category
  some expense uses cannot be deleted (409: recategorise or delete those expenses first).
- An expense belongs to a member: the caller by default; owners and executive managers
  add one for anyone they may act on, team managers for the members of their teams and
  project managers on the projects they manage (``permissions.may_act_on``). A project
  needs the member's contract on it, a category must be the workspace's (422 otherwise).
- Expenses are pending until an owner or executive manager approves or rejects them;
  only pending ones are decided, changed or deleted (409 otherwise), by the member they
  belong to or whoever added them, and by owners and executive managers."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.contracts import service as contracts
from webwork.expenses import repository
from webwork.expenses.schemas import (
    CategoryCreate,
    CategoryUpdate,
    ExpenseCreate,
    ExpenseFilters,
    ExpenseUpdate,
    ExpenseView,
    Selection,
)
from webwork.kit import clock
from webwork.kit.days import check_date_range
from webwork.kit.errors import Conflict, Forbidden, ensure_pending, found, invalid
from webwork.kit.ids import parse_uuid
from webwork.kit.pagination import Page, PageParams
from webwork.kit.types import FIRST_DAY, LAST_DAY, decimal_to_number
from webwork.members import service as members
from webwork.models import Expense, ExpenseCategory
from webwork.models.statuses import ExpenseStatus
from webwork.projects import service as projects
from webwork.teams import service as teams
from webwork.time_entries import assignment
from webwork.webhooks import service as webhooks

STATUSES = tuple(ExpenseStatus)
NOT_FOUND = "Expense not found."
CATEGORY_NOT_FOUND = "Expense category not found."
NAME_TAKEN = "The workspace already has an expense category of this name."
WHAT = "expenses"


# --- categories ---------------------------------------------------------------------


async def category_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[ExpenseCategory]:
    return await repository.category_page(session, actor, params)


async def get_category(session: AsyncSession, actor: Actor, category_id: str) -> ExpenseCategory:
    key = parse_uuid(category_id)
    return found(await repository.category(session, actor, key) if key else None, CATEGORY_NOT_FOUND)


async def create_category(session: AsyncSession, actor: Actor, body: CategoryCreate) -> ExpenseCategory:
    if await repository.category_named(session, actor, body.name) is not None:
        raise invalid("name", NAME_TAKEN)
    category = ExpenseCategory(workspace_id=actor.workspace_id, name=body.name)
    if not await repository.add_category(session, category):
        raise invalid("name", NAME_TAKEN)
    return category


async def update_category(
    session: AsyncSession, actor: Actor, category_id: str, body: CategoryUpdate
) -> ExpenseCategory:
    category = await get_category(session, actor, category_id)
    if body.name != category.name:
        if await repository.category_named(session, actor, body.name) is not None:
            raise invalid("name", NAME_TAKEN)
        if not await repository.rename_category(session, category, body.name):
            raise invalid("name", NAME_TAKEN)
    return category


async def delete_category(session: AsyncSession, actor: Actor, category_id: str) -> ExpenseCategory:
    category = await get_category(session, actor, category_id)
    if await repository.category_in_use(session, category.id):
        raise Conflict(
            "The category is used by expenses; change or delete those expenses first.", code="category_in_use"
        )
    await repository.remove_category(session, category)
    return category


# --- reading expenses ---------------------------------------------------------------


def _selection(filters: ExpenseFilters) -> Selection:
    """The filters checked: UUIDs parsed, dates in range, a known status (422 each)."""
    ids: dict[str, uuid.UUID | None] = {}
    for field in ("id", "category_id"):
        raw = getattr(filters, field)
        ids[field] = parse_uuid(raw) if raw else None
        if raw and ids[field] is None:
            raise invalid(field, f"The {field.replace('_', ' ')} field must be a valid UUID.")
    # Either bound alone is an open range: the other is the first or last day there is.
    check_date_range(filters.date_from or FIRST_DAY, filters.date_to or LAST_DAY)
    if filters.status and filters.status not in STATUSES:
        raise invalid("status", "The selected status is invalid (pending, approved, rejected).")
    return Selection(
        id=ids["id"],
        user_id=filters.user_id,
        category_id=ids["category_id"],
        project_id=filters.project_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        status=filters.status or None,
    )


async def list_page(
    session: AsyncSession, actor: Actor, filters: ExpenseFilters, params: PageParams
) -> tuple[Page[ExpenseView], Decimal]:
    """A page of the expenses the actor sees that the filters select, and the total
    amount of all of them."""
    return await repository.list_page(session, actor, _selection(filters), params)


async def get(session: AsyncSession, actor: Actor, expense_id: str, *, lock: bool = False) -> ExpenseView:
    key = parse_uuid(expense_id)
    return found(await repository.get(session, actor, key, lock=lock) if key else None, NOT_FOUND)


# --- writing expenses ---------------------------------------------------------------


async def _ensure_may_add_for(
    session: AsyncSession, actor: Actor, user_id: int, project_id: int | None
) -> None:
    """Anyone but a project viewer adds their own; for someone else, the rank rule with
    what the actor manages of it: the member's team, or the expense's project."""
    permissions.ensure_may_write(actor)
    if user_id == actor.user_id:
        return
    if not permissions.may_act(actor, user_id):
        refusal = "You may only add expenses for yourself."
        raise Forbidden(permissions.out_of_rank(actor, WHAT) if actor.is_admin else refusal)
    if actor.is_admin:
        return
    reach = permissions.Reach(
        in_managed_team=await teams.manages_member(session, actor, user_id),
        within_managed_projects=project_id is not None
        and await projects.is_project_manager_of(session, actor, project_id),
    )
    await members.ensure_in_rank(session, actor, [user_id], reach, WHAT)


async def _category_id(session: AsyncSession, actor: Actor, raw: str | None) -> uuid.UUID | None:
    """The workspace's category ``raw`` names (422 on ``category_id`` for anything else)."""
    if raw is None:
        return None
    key = parse_uuid(raw)
    category = await repository.category(session, actor, key) if key else None
    if category is None:
        raise invalid("category_id", "The selected category_id is invalid.")
    return category.id


async def _check_project(session: AsyncSession, actor: Actor, user_id: int, project_id: int | None) -> None:
    if project_id is not None and not await contracts.holds_contract(session, actor, user_id, project_id):
        raise invalid("project_id", "The member holds no contract on the selected project.")


async def create(session: AsyncSession, actor: Actor, body: ExpenseCreate) -> ExpenseView:
    """A pending expense of the caller or of a member they may add one for, dated today
    (in the member's timezone) unless ``date`` says otherwise."""
    user_id = body.user_id or actor.user_id
    await _ensure_may_add_for(session, actor, user_id, body.project_id)
    member = await assignment.load_member(session, actor, user_id)
    await _check_project(session, actor, member.id, body.project_id)
    expense = Expense(
        workspace_id=actor.workspace_id,
        user_id=member.id,
        category_id=await _category_id(session, actor, body.category_id),
        project_id=body.project_id,
        name=body.expense_name,
        spent_on=body.date or _today(member.timezone),
        amount=body.amount,
        note=body.text,
        is_billable=body.is_billable,
        status=ExpenseStatus.PENDING,
        created_by=actor.user_id,
    )
    await repository.add(session, expense)
    webhooks.emit(session, actor.workspace, "expense.created", _event(expense))
    return await get(session, actor, str(expense.id))


def _event(expense: Expense) -> dict[str, Any]:
    """What an expense's webhook events carry (``amount`` a JSON number, as the API writes money)."""
    return {
        "id": expense.id,
        "user_id": expense.user_id,
        "project_id": expense.project_id,
        "name": expense.name,
        "date": expense.spent_on,
        "amount": decimal_to_number(expense.amount),
        "status": expense.status,
    }


def _today(timezone: str) -> date:
    return clock.utcnow().astimezone(ZoneInfo(timezone)).date()


async def _pending_for_change(session: AsyncSession, actor: Actor, expense_id: str, verb: str) -> ExpenseView:
    """The expense, locked, if the actor may change it (its member or whoever added it,
    and owners and executive managers of those they may act on) and it is pending."""
    permissions.ensure_may_write(actor)  # viewers see no expense, yet a write is a 403
    view = await get(session, actor, expense_id, lock=True)
    expense = view.expense
    own = actor.user_id in (expense.user_id, expense.created_by)
    if not own and not (actor.is_admin and permissions.may_act(actor, expense.user_id)):
        raise Forbidden(f"You may not {verb} this expense.")
    _ensure_pending(expense, f"{verb}d")
    return view


def _ensure_pending(expense: Expense, past: str) -> None:
    ensure_pending(expense.status, ExpenseStatus.PENDING, "expenses", past)


async def update(session: AsyncSession, actor: Actor, expense_id: str, body: ExpenseUpdate) -> ExpenseView:
    """Only the fields sent change; a new project needs the member's contract on it."""
    view = await _pending_for_change(session, actor, expense_id, "update")
    expense = view.expense
    changes = body.provided()
    if "project_id" in changes:
        await _check_project(session, actor, expense.user_id, body.project_id)
        expense.project_id = body.project_id
    if "category_id" in changes:
        expense.category_id = await _category_id(session, actor, body.category_id)
    if "note" in changes or "description" in changes:
        expense.note = body.note if "note" in changes else body.description
    for field, column in (("expense_name", "name"), ("date", "spent_on"), ("amount", "amount")):
        if field in changes:
            setattr(expense, column, changes[field])
    if "is_billable" in changes:
        expense.is_billable = bool(body.is_billable)
    await session.flush()
    webhooks.emit(session, actor.workspace, "expense.updated", _event(expense))
    return await get(session, actor, expense_id)


async def delete(session: AsyncSession, actor: Actor, expense_id: str) -> ExpenseView:
    view = await _pending_for_change(session, actor, expense_id, "delete")
    await repository.remove(session, view.expense)
    webhooks.emit(session, actor.workspace, "expense.deleted", _event(view.expense))
    return view


async def _decide(
    session: AsyncSession, actor: Actor, expense_id: str, status: ExpenseStatus, verb: str
) -> ExpenseView:
    """Decide on the expense, locked, if the actor (an owner or executive manager: the
    router) may act on its member and it is still pending."""
    view = await get(session, actor, expense_id, lock=True)
    expense = view.expense
    if not permissions.may_act(actor, expense.user_id):
        raise Forbidden(permissions.out_of_rank(actor, WHAT))
    _ensure_pending(expense, f"{verb}d")
    expense.status = status
    expense.decided_by = actor.user_id
    expense.decided_at = clock.utcnow()
    webhooks.emit(session, actor.workspace, f"expense.{status}", _event(expense))
    return view


async def approve(session: AsyncSession, actor: Actor, expense_id: str) -> ExpenseView:
    view = await _decide(session, actor, expense_id, ExpenseStatus.APPROVED, "approve")
    await session.flush()
    return view


async def reject(session: AsyncSession, actor: Actor, expense_id: str, reason: str | None) -> ExpenseView:
    """Turn down a pending expense; the reason (or comment) saying why is required."""
    if reason is None:
        raise invalid("reason", "The reason field is required.")
    view = await _decide(session, actor, expense_id, ExpenseStatus.REJECTED, "reject")
    view.expense.reject_reason = reason
    await session.flush()
    return view
