"""`/leaves`: leave policies, the workspace's holidays and work week, members' leave
requests and the decisions on them, and balances."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import Day, Id, Keyword, OptionalDate, UuidText, choices
from webwork.leaves import service
from webwork.leaves.schemas import (
    HolidayCreate,
    HolidayOut,
    LeaveCreate,
    LeaveOut,
    LeaveReject,
    MemberBalance,
    PolicyCreate,
    PolicyOut,
    PolicyUpdate,
    SettingsOut,
    SettingsUpdate,
)

router = APIRouter(prefix="/leaves", tags=["Leaves"])


@router.get(
    "/policies",
    response_model=Envelope[list[PolicyOut]],
    operation_id="getLeavePolicies",
    summary="List leave policies",
)
async def get_leave_policies(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    """Every policy for owners and executive managers; for others the policies that apply
    to them (team managers: or to their teams' members), each listing only the members
    the caller sees."""
    result = await service.list_policies(session, actor, page)
    return respond_page(result, PolicyOut.of, "Leave policies retrieved successfully")


@router.post(
    "/policies",
    status_code=201,
    response_model=Envelope[PolicyOut],
    operation_id="createLeavePolicy",
    summary="Create a leave policy",
)
async def create_leave_policy(actor: AdminActor, session: SessionDep, body: PolicyCreate) -> JSONResponse:
    """An allowance of ``duration`` days or hours a year for ``member_ids`` (owners and
    executive managers), granted yearly up front or monthly, with up to ``carry_over``
    of last year's unused allowance moving into the next."""
    view = await service.create_policy(session, actor, body)
    return respond(PolicyOut.of(view), "Leave policy created successfully", status_code=201)


@router.get(
    "/policies/{policy_id}",
    response_model=Envelope[PolicyOut],
    operation_id="getLeavePolicy",
    summary="Get a leave policy",
)
async def get_leave_policy(policy_id: UuidText, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One policy the caller may see, by its UUID."""
    view = await service.get_policy(session, actor, policy_id)
    return respond(PolicyOut.of(view), "Leave policy retrieved successfully")


@router.put(
    "/policies/{policy_id}",
    response_model=Envelope[PolicyOut],
    operation_id="updateLeavePolicy",
    summary="Update a leave policy",
)
async def update_leave_policy(
    policy_id: UuidText, actor: AdminActor, session: SessionDep, body: PolicyUpdate
) -> JSONResponse:
    """Only the fields sent change (owners and executive managers); ``member_ids`` sent
    replaces the list; ``time_unit`` is fixed (422 for another value)."""
    view = await service.update_policy(session, actor, policy_id, body)
    return respond(PolicyOut.of(view), "Leave policy updated successfully")


@router.delete(
    "/policies/{policy_id}",
    response_model=Envelope[PolicyOut],
    operation_id="deleteLeavePolicy",
    summary="Delete a leave policy",
)
async def delete_leave_policy(
    policy_id: UuidText, actor: AdminActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Deletes a policy no leave was ever requested on (409 otherwise; owners and
    executive managers)."""
    view = await service.delete_policy(session, actor, policy_id)
    return respond(PolicyOut.of(view), "Leave policy deleted successfully")


@router.get(
    "/holidays",
    response_model=Envelope[list[HolidayOut]],
    operation_id="getHolidays",
    summary="List public holidays",
)
async def get_holidays(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    """The workspace's public holidays by date: days no leave counts."""
    result = await service.list_holidays(session, actor, page)
    return respond_page(result, HolidayOut.of, "Holidays retrieved successfully")


@router.post(
    "/holidays",
    status_code=201,
    response_model=Envelope[HolidayOut],
    operation_id="createHoliday",
    summary="Add a public holiday",
)
async def create_holiday(actor: AdminActor, session: SessionDep, body: HolidayCreate) -> JSONResponse:
    """One holiday a date (owners and executive managers); leave requested before keeps
    the days it was counted with."""
    holiday = await service.add_holiday(session, actor, body)
    return respond(HolidayOut.of(holiday), "Holiday created successfully", status_code=201)


@router.delete(
    "/holidays/{holiday_id}",
    response_model=Envelope[HolidayOut],
    operation_id="deleteHoliday",
    summary="Delete a public holiday",
)
async def delete_holiday(
    holiday_id: Id, actor: AdminActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Removes a holiday (owners and executive managers)."""
    holiday = await service.delete_holiday(session, actor, holiday_id)
    return respond(HolidayOut.of(holiday), "Holiday deleted successfully")


@router.get(
    "/settings",
    response_model=Envelope[SettingsOut],
    operation_id="getLeaveSettings",
    summary="Get the work week",
)
async def get_leave_settings(actor: ActorDep, session: SessionDep) -> JSONResponse:
    """The ISO weekdays worked (Monday..Friday unless changed) and the hours of a working
    day, with which leave is counted."""
    return respond(await service.get_settings(session, actor), "Leave settings retrieved successfully")


@router.put(
    "/settings",
    response_model=Envelope[SettingsOut],
    operation_id="updateLeaveSettings",
    summary="Set the work week",
)
async def update_leave_settings(actor: AdminActor, session: SessionDep, body: SettingsUpdate) -> JSONResponse:
    """Changes the work week or working day (owners and executive managers); leave
    requested before keeps its count."""
    return respond(await service.update_settings(session, actor, body), "Leave settings updated successfully")


@router.get(
    "/balances",
    response_model=Envelope[list[MemberBalance]],
    operation_id="getLeaveBalances",
    summary="List leave balances",
)
async def get_leave_balances(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    date_from: Annotated[Day, Query(description="First day of the window ``taken`` is counted in")],
    date_to: Annotated[Day, Query(description="The day the balances are as of (its year's allowance)")],
    user_id: Annotated[Id | None, Query()] = None,
) -> JSONResponse:
    """A page of members the caller sees, each with the balance of every policy applying
    to them as of ``date_to``: spelled (``balance``, ``total_balance``) and as numbers
    (entitled, carried over, accrued, used, pending, remaining, taken)."""
    result = await service.balances(
        session, actor, page, date_from=date_from, date_to=date_to, user_id=user_id
    )
    return respond(result.items, "Leave balances retrieved successfully", pagination=result.pagination)


@router.get("", response_model=Envelope[list[LeaveOut]], operation_id="getLeaves", summary="List leave")
async def get_leaves(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    id: Annotated[UuidText | None, Query(description="A leave's UUID")] = None,
    user_id: Annotated[Id | None, Query()] = None,
    policy_id: Annotated[UuidText | None, Query(description="A policy's UUID")] = None,
    is_paid: Annotated[
        Keyword | None, Query(description="yes | no", json_schema_extra=choices("yes", "no", blank=True))
    ] = None,
    date_from: Annotated[OptionalDate, Query(description="Leave ending on or after this day")] = None,
    date_to: Annotated[OptionalDate, Query(description="Leave starting on or before this day")] = None,
    status: Annotated[
        Keyword | None,
        Query(
            description="pending | approved | rejected | cancelled",
            json_schema_extra=choices(*service.STATUSES, blank=True),
        ),
    ] = None,
) -> JSONResponse:
    """The leave the caller sees (everyone's for owners and executive managers, their
    teams' members' for team managers, their own for others; project viewers are
    refused),
    latest first and paginated."""
    result = await service.list_page(
        session,
        actor,
        page,
        id=id,
        user_id=user_id,
        policy_id=policy_id,
        is_paid=is_paid,
        date_from=date_from,
        date_to=date_to,
        status=status,
    )
    return respond_page(result, LeaveOut.of, "Leaves retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[LeaveOut],
    operation_id="createLeave",
    summary="Request leave",
)
async def create_leave(body: LeaveCreate, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """Asks for leave from ``start`` to ``end`` on a policy applying to the member
    (members for themselves, owners and executive managers for anyone they may act on),
    counted in working days; it waits, pending, for a decision."""
    view = await service.create(session, actor, body)
    return respond(LeaveOut.of(view), "Leave requested successfully", status_code=201)


@router.get("/{leave_id}", response_model=Envelope[LeaveOut], operation_id="getLeave", summary="Get a leave")
async def get_leave(leave_id: UuidText, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One leave the caller sees, by its UUID."""
    view = await service.get(session, actor, leave_id)
    return respond(LeaveOut.of(view), "Leave retrieved successfully")


@router.put(
    "/{leave_id}/approve",
    response_model=Envelope[LeaveOut],
    operation_id="approveLeave",
    summary="Approve leave",
)
async def approve_leave(
    leave_id: UuidText, actor: ActorDep, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Approves pending leave (409 otherwise): owners, executive managers and the
    member's team managers, by the rank rule."""
    view = await service.approve(session, actor, leave_id)
    return respond(LeaveOut.of(view), "Leave approved successfully")


@router.put(
    "/{leave_id}/reject",
    response_model=Envelope[LeaveOut],
    operation_id="rejectLeave",
    summary="Reject leave",
)
async def reject_leave(
    leave_id: UuidText, body: LeaveReject, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    """Turns down pending leave with a ``reason`` (409 when not pending): whoever may
    approve it."""
    view = await service.reject(session, actor, leave_id, body.reason)
    return respond(LeaveOut.of(view), "Leave rejected successfully")


@router.put(
    "/{leave_id}/cancel",
    response_model=Envelope[LeaveOut],
    operation_id="cancelLeave",
    summary="Cancel leave",
)
async def cancel_leave(
    leave_id: UuidText, actor: ActorDep, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Withdraws leave: pending leave by its member or requester, pending or approved
    leave by an owner or executive manager. Cancelled leave counts in no balance."""
    view = await service.cancel(session, actor, leave_id)
    return respond(LeaveOut.of(view), "Leave cancelled successfully")
