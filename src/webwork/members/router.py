"""`/members`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from webwork.auth import visibility
from webwork.auth.deps import ActorDep, AdminActor, AnyRoleDep, SessionDep
from webwork.auth.principal import Actor
from webwork.auth.roles import ROLE_NAMES
from webwork.config import Settings
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import Id, Keyword, Line, choices
from webwork.members import service
from webwork.members.schemas import (
    MEMBER_STATUSES,
    EmailConfirm,
    MemberFilters,
    MemberInvite,
    MemberInvited,
    MemberOut,
    MemberUpdate,
    MemberUpdated,
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


def _invited(actor: Actor, invited: service.Invited) -> MemberInvited:
    return MemberInvited(
        **_out(actor, invited.member).model_dump(exclude_unset=True), invitation_link=invited.link
    )


@router.get("", response_model=Envelope[list[MemberOut]], operation_id="getMembers", summary="List members")
async def get_members(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    email: Annotated[Line | None, Query(max_length=254, description="Exact email (case-insensitive)")] = None,
    status: Annotated[
        Keyword | None,
        Query(
            description="active, inactive, left, unknown or invited",
            json_schema_extra=choices(*MEMBER_STATUSES, blank=True),
        ),
    ] = None,
    role: Annotated[
        Keyword | None,
        Query(description="Role code or label", json_schema_extra=choices(*ROLE_NAMES, blank=True)),
    ] = None,
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
    operation_id="inviteMember",
    summary="Invite a member",
    description="Creates the member as `invited` and mails the invitation link to the address "
    "(owners and executive managers). The answer shows the link too, but for an account "
    "without credentials the link alone is not enough to accept: see "
    "`POST /invitations/{token}/accept`. Until the invitation is accepted this workspace "
    "sees the `firstname` and `lastname` it sent (and no avatar), whether or not the "
    "address already has an account. The mail leaves after the member is saved: if it "
    "cannot be sent, the answer is still 201, the failure is logged, and "
    "`POST /members/{id}/resend-invitation` sends it again.",
)
async def invite_member(
    actor: AdminActor,
    session: SessionDep,
    body: MemberInvite,
    address: PublicAddressDep,
) -> JSONResponse:
    invited = await service.invite(session, actor, body, address)
    return respond(_invited(actor, invited), "Member invited successfully", status_code=201)


@router.post(
    "/{member_id}/resend-invitation",
    response_model=Envelope[MemberInvited],
    operation_id="resendInvitation",
    summary="Send an invitation again",
)
async def resend_invitation(
    member_id: Id,
    actor: AdminActor,
    session: SessionDep,
    address: PublicAddressDep,
    _body: OptionalBody = None,
) -> JSONResponse:
    """Mails a pending invitation again with a new link (owners and executive managers):
    the previous link, and a confirmation code sent for it, stop working. For a mail
    that could not be sent (the failure is logged) or was lost. 409 if the member has no
    pending invitation (accepted, or archived: restore it first)."""
    invited = await service.resend_invitation(session, actor, member_id, address)
    return respond(_invited(actor, invited), "Invitation sent again successfully")


@router.get(
    "/{member_id}", response_model=Envelope[MemberOut], operation_id="getMember", summary="Get a member"
)
async def get_member(member_id: Id, actor: AnyRoleDep, session: SessionDep) -> JSONResponse:
    """One member by user id, if the caller's role sees them (404 otherwise). A project
    viewer sees only themself (their own record is the one member operation open to
    them, with changing it and confirming its new email)."""
    member = await service.get(session, actor, member_id)
    return respond(_out(actor, member), "Member retrieved successfully")


UPDATED = "Member updated successfully"
EMAIL_PENDING = f"{UPDATED}. The email changes once the code mailed to the new address is confirmed."
INVITATION_CORRECTED = f"{UPDATED}. A new invitation was sent to the new address."


@router.put(
    "/{member_id}",
    response_model=Envelope[MemberUpdated],
    operation_id="updateMember",
    summary="Update a member",
)
async def update_member(
    member_id: Id,
    actor: AnyRoleDep,
    session: SessionDep,
    body: MemberUpdate,
    address: PublicAddressDep,
) -> JSONResponse:
    """Only the fields sent change. Owners and executive managers change anyone but the
    owner; others only themselves, and not their role, rates or limits. The name, email
    and avatar of a member who is active in another workspace too are changed only by
    that member (403); the names of a pending invitation are this workspace's own (it
    sees them instead of the account's until the invitation is accepted).

    A new `email` is proven before it is used: a confirmation code (valid 15 minutes, 5
    attempts) is mailed to it, the answer's `email` is still the old one and its
    `pending_email` the new one, and the email changes when the member, signed in,
    posts the code to `POST /members/{id}/email/confirm`. Sending the new email again
    mails a new code (at most once a minute, 429 before); sending the current one
    cancels the change. The exception: an owner or executive manager correcting the
    address of an invitation not yet accepted (an account without credentials, in no
    other workspace) changes it at once; the invitation is mailed again to the new
    address and the answer's `invitation_link` is its new link (the old one stops
    working)."""
    updated = await service.update(session, actor, member_id, body, address)
    shown = _out(actor, updated.member).model_dump(exclude_unset=True)
    if updated.invitation_link is not None:
        out = MemberUpdated(**shown, pending_email=None, invitation_link=updated.invitation_link)
        return respond(out, INVITATION_CORRECTED)
    out = MemberUpdated(**shown, pending_email=updated.pending_email)
    return respond(out, UPDATED if updated.pending_email is None else EMAIL_PENDING)


@router.post(
    "/{member_id}/email/confirm",
    response_model=Envelope[MemberOut],
    operation_id="confirmMemberEmail",
    summary="Confirm a new email",
)
async def confirm_member_email(
    member_id: Id, actor: AnyRoleDep, session: SessionDep, body: EmailConfirm
) -> JSONResponse:
    """Makes the email sent to `PUT /members/{id}` the member's, with the code mailed to
    it: only the member themself, signed in (403 for anyone else). A wrong, expired or
    used-up code is a 422 on `code` (5 wrong codes use a code up); an address that
    another account took meanwhile is a 422 on `email` (a pending change reserves
    nothing)."""
    member = await service.confirm_email(session, actor, member_id, body.code)
    return respond(_out(actor, member), "Email changed successfully")


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
