"""`/expenses` and `/expenses/categories`: money members spent, sorted into the
workspace's categories, and owners' and executive managers' decisions on it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.expenses import service
from webwork.expenses.schemas import (
    CategoryCreate,
    CategoryOut,
    CategoryUpdate,
    ExpenseCreate,
    ExpenseFilters,
    ExpenseListEnvelope,
    ExpenseOut,
    ExpenseReject,
    ExpenseUpdate,
)
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import Id, Keyword, OptionalDate, UuidText, choices, decimal_to_number

router = APIRouter(prefix="/expenses", tags=["Expenses"])

# The categories' routes come first; an expense's path only matches a UUID, so that
# "/expenses/categories" is never read as an expense id (PUT on it is a 405, not a 404).
ExpenseId = Annotated[uuid.UUID, Path(description="The expense's id")]


@router.get(
    "/categories",
    response_model=Envelope[list[CategoryOut]],
    operation_id="getExpenseCategories",
    summary="List expense categories",
)
async def get_expense_categories(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    """The workspace's expense categories by name, paginated; every member reads them."""
    result = await service.category_page(session, actor, page)
    return respond_page(result, CategoryOut.of, "Expense categories retrieved successfully")


@router.post(
    "/categories",
    status_code=201,
    response_model=Envelope[CategoryOut],
    operation_id="createExpenseCategory",
    summary="Create an expense category",
)
async def create_expense_category(
    body: CategoryCreate, actor: AdminActor, session: SessionDep
) -> JSONResponse:
    """Owners and executive managers add a category; its name must be new in the
    workspace (422 on `name` otherwise)."""
    category = await service.create_category(session, actor, body)
    return respond(CategoryOut.of(category), "Expense category created successfully", status_code=201)


@router.put(
    "/categories/{category_id}",
    response_model=Envelope[CategoryOut],
    operation_id="updateExpenseCategory",
    summary="Rename an expense category",
)
async def update_expense_category(
    category_id: UuidText, body: CategoryUpdate, actor: AdminActor, session: SessionDep
) -> JSONResponse:
    """Owners and executive managers rename a category (to a name no other category of
    the workspace has: 422); its expenses show the new name."""
    category = await service.update_category(session, actor, category_id, body)
    return respond(CategoryOut.of(category), "Expense category updated successfully")


@router.delete(
    "/categories/{category_id}",
    response_model=Envelope[CategoryOut],
    operation_id="deleteExpenseCategory",
    summary="Delete an expense category",
)
async def delete_expense_category(
    category_id: UuidText, actor: AdminActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Owners and executive managers delete a category no expense uses; one in use is
    kept (409 `category_in_use`), so that no expense loses its category unseen."""
    category = await service.delete_category(session, actor, category_id)
    return respond(CategoryOut.of(category), "Expense category deleted successfully")


@router.get(
    "",
    response_model=ExpenseListEnvelope,
    operation_id="getExpenses",
    summary="List expenses",
)
async def get_expenses(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    id: Annotated[UuidText | None, Query(description="One expense, by its UUID")] = None,
    user_id: Annotated[Id | None, Query(description="Only this member's expenses")] = None,
    category_id: Annotated[UuidText | None, Query(description="Only expenses of this category")] = None,
    project_id: Annotated[Id | None, Query(description="Only expenses on this project")] = None,
    date_from: Annotated[OptionalDate, Query(description="First date (inclusive)")] = None,
    date_to: Annotated[OptionalDate, Query(description="Last date (inclusive)")] = None,
    status: Annotated[
        Keyword | None,
        Query(
            description="pending | approved | rejected",
            json_schema_extra=choices(*service.STATUSES, blank=True),
        ),
    ] = None,
) -> JSONResponse:
    """The expenses the caller sees (everyone's for owners and executive managers, their
    members' for team and project managers, their own for members, none for project
    viewers) that the filters select, newest date first and paginated; `meta.total_amount`
    sums the amounts of all of them, not only the page's."""
    filters = ExpenseFilters(id, user_id, category_id, project_id, date_from, date_to, status)
    result, total = await service.list_page(session, actor, filters, page)
    return respond_page(
        result,
        ExpenseOut.of,
        "Expenses retrieved successfully",
        extra_meta={"total_amount": decimal_to_number(total)},
    )


@router.get(
    "/{expense_id:uuid}",
    response_model=Envelope[ExpenseOut],
    operation_id="getExpense",
    summary="Get an expense",
)
async def get_expense(expense_id: ExpenseId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One expense the caller sees, by its UUID (404 otherwise)."""
    view = await service.get(session, actor, str(expense_id))
    return respond(ExpenseOut.of(view), "Expense retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ExpenseOut],
    operation_id="createExpense",
    summary="Add an expense",
)
async def create_expense(body: ExpenseCreate, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """A pending expense of the caller, or of `user_id`: owners and executive managers
    add one for anyone (only the owner for the owner), team managers for their teams'
    members and project managers on the projects they manage, each for members ranked
    below them (403 otherwise). A `project_id` needs the member's contract on it, a
    `category_id` must be the workspace's (422 otherwise); `date` defaults to today."""
    view = await service.create(session, actor, body)
    return respond(ExpenseOut.of(view), "Expense created successfully", status_code=201)


@router.put(
    "/{expense_id:uuid}",
    response_model=Envelope[ExpenseOut],
    operation_id="updateExpense",
    summary="Update an expense",
)
async def update_expense(
    expense_id: ExpenseId, body: ExpenseUpdate, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    """Only the fields sent change, while the expense is pending (409 once decided): by
    its member or whoever added it, and by owners and executive managers (403 for
    anyone else)."""
    view = await service.update(session, actor, str(expense_id), body)
    return respond(ExpenseOut.of(view), "Expense updated successfully")


@router.delete(
    "/{expense_id:uuid}",
    response_model=Envelope[ExpenseOut],
    operation_id="deleteExpense",
    summary="Delete an expense",
)
async def delete_expense(
    expense_id: ExpenseId, actor: ActorDep, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Deletes a pending expense (409 once decided), as its member or whoever added it,
    or as an owner or executive manager (403 for anyone else)."""
    view = await service.delete(session, actor, str(expense_id))
    return respond(ExpenseOut.of(view), "Expense deleted successfully")


@router.put(
    "/{expense_id:uuid}/approve",
    response_model=Envelope[ExpenseOut],
    operation_id="approveExpense",
    summary="Approve an expense",
)
async def approve_expense(
    expense_id: ExpenseId, actor: AdminActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Owners and executive managers approve a pending expense (409 once decided; only
    the owner decides on the owner's)."""
    view = await service.approve(session, actor, str(expense_id))
    return respond(ExpenseOut.of(view), "Expense approved successfully")


@router.put(
    "/{expense_id:uuid}/reject",
    response_model=Envelope[ExpenseOut],
    operation_id="rejectExpense",
    summary="Reject an expense",
)
async def reject_expense(
    expense_id: ExpenseId, body: ExpenseReject, actor: AdminActor, session: SessionDep
) -> JSONResponse:
    """Owners and executive managers turn down a pending expense with a `reason` (or
    `comment`) saying why (409 once decided)."""
    view = await service.reject(session, actor, str(expense_id), body.text)
    return respond(ExpenseOut.of(view), "Expense rejected successfully")
