"""`/members`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from webwork.auth import visibility
from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.config import Settings
from webwork.kit.envelope import Envelope, ErrorEnvelope, respond, respond_page
from webwork.kit.mail import MailerDep
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import Id, Keyword, Line
from webwork.members import service
from webwork.members.schemas import (
    MemberFilters,
    MemberInvite,
    MemberInvited,
    MemberOut,
    MemberUpdate,
    MemberView,
)

router = APIRouter(prefix="/members", tags=["Members"])


def _out(actor: Actor, member: MemberView) -> MemberOut:
    with_rate = visibility.may_see_rate(actor, member.user.id)
    return MemberOut.of(member, currency=actor.workspace.currency, with_rate=with_rate)


async def public_address(request: Request) -> str:
    """The base of links: WEBWORK_PUBLIC_URL, else the address `serve` was started on;
    never the request's Host header, which whoever calls can set."""
    settings: Settings = request.app.state.settings
    return settings.public_address()


PublicAddressDep = Annotated[str, Depends(public_address)]
MAIL_FAILED: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorEnvelope, "description": "The mail could not be sent; nothing was saved"}
}


@router.get("", response_model=Envelope[list[MemberOut]], operation_id="getMembers", summary="List members")
async def get_members(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    email: Annotated[Line | None, Query(max_length=254, description="Exact email (case-insensitive)")] = None,
    status: Annotated[Keyword | None, Query(description="active, inactive, left, unknown or invited")] = None,
    role: Annotated[Keyword | None, Query(description="Role code or label")] = None,
) -> JSONResponse:
    """The members of the workspace that the caller's role sees: everyone for owners and
    executive managers, the members of their teams for team managers, those contracted on
    their projects for project managers, themselves for others. `rate` is present only
    where the caller may see it."""
    result = await service.list_page(session, actor, MemberFilters(email, status, role), page)
    return respond_page(result, lambda member: _out(actor, member), "Members retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[MemberInvited],
    responses=MAIL_FAILED,
    operation_id="inviteMember",
    summary="Invite a member",
    description="Creates the member as `invited` and mails the invitation link to the address "
    "(owners and executive managers). The answer shows the link too, but for an account "
    "without credentials the link alone is not enough to accept: see "
    "`POST /invitations/{token}/accept`.",
)
async def invite_member(
    actor: AdminActor,
    session: SessionDep,
    body: MemberInvite,
    mailer: MailerDep,
    address: PublicAddressDep,
) -> JSONResponse:
    invited = await service.invite(session, actor, body, mailer, address)
    out = MemberInvited(
        **_out(actor, invited.member).model_dump(exclude_unset=True), invitation_link=invited.link
    )
    return respond(out, "Member invited successfully", status_code=201)


@router.get(
    "/{member_id}", response_model=Envelope[MemberOut], operation_id="getMember", summary="Get a member"
)
async def get_member(member_id: Id, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One member by user id, if the caller's role sees them (404 otherwise)."""
    member = await service.get(session, actor, member_id)
    return respond(_out(actor, member), "Member retrieved successfully")


@router.put(
    "/{member_id}", response_model=Envelope[MemberOut], operation_id="updateMember", summary="Update a member"
)
async def update_member(
    member_id: Id, actor: ActorDep, session: SessionDep, body: MemberUpdate
) -> JSONResponse:
    """Only the fields sent change. Owners and executive managers change anyone but the
    owner; others only themselves, and not their role, rates or limits. The name, email
    and avatar of a member who also belongs to another workspace are changed only by
    that member (403)."""
    member = await service.update(session, actor, member_id, body)
    return respond(_out(actor, member), "Member updated successfully")


@router.delete(
    "/{member_id}",
    response_model=Envelope[MemberOut],
    operation_id="deleteMember",
    summary="Delete (archive) a member",
)
async def delete_member(
    member_id: Id,
    actor: AdminActor,
    session: SessionDep,
    _body: OptionalBody = None,
) -> JSONResponse:
    """Archives the member (owners and executive managers): the status becomes
    `inactive`, the history stays, and `POST /members/{id}/restore` brings them back.
    The owner cannot be archived."""
    member = await service.archive(session, actor, member_id)
    return respond(_out(actor, member), "Member deleted successfully")


@router.post(
    "/{member_id}/restore",
    response_model=Envelope[MemberOut],
    operation_id="restoreMember",
    summary="Restore an archived member",
)
async def restore_member(
    member_id: Id,
    actor: AdminActor,
    session: SessionDep,
    _body: OptionalBody = None,
) -> JSONResponse:
    """Makes an archived member active again, or `invited` again if they never accepted
    their invitation (owners and executive managers); 409 if they are not archived."""
    member = await service.restore(session, actor, member_id)
    return respond(_out(actor, member), "Member restored successfully")
