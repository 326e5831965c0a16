"""`/members`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.config import Settings
from webwork.kit.envelope import Envelope, ErrorEnvelope, respond
from webwork.kit.mail import MailerDep
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import RequestBody
from webwork.members import service
from webwork.members.repository import Member
from webwork.members.schemas import MemberInvite, MemberInvited, MemberOut, MemberUpdate

router = APIRouter(prefix="/members", tags=["Members"])


def _out(actor: Actor, member: Member) -> MemberOut:
    return MemberOut.of(
        member.membership,
        member.user,
        actor.workspace,
        member.team_ids,
        show_rate=actor.may_see_rate_of(member.user.id),
    )


def public_address(request: Request) -> str:
    """The base of links: WEBWORK_PUBLIC_URL, else the address `serve` was started on;
    never the request's Host header, which whoever calls can set."""
    settings: Settings = request.app.state.settings
    return settings.public_address()


PublicAddressDep = Annotated[str, Depends(public_address)]
MAIL_FAILED: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorEnvelope, "description": "The mail could not be sent; nothing was saved"}
}


@router.get("", response_model=Envelope[list[MemberOut]])
async def list_members(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    email: Annotated[str | None, Query(description="Exact email (case-insensitive)")] = None,
    status: Annotated[str | None, Query(description="active, inactive, left, unknown or invited")] = None,
    role: Annotated[str | None, Query(description="Role code or label")] = None,
) -> JSONResponse:
    result = await service.list_members(session, actor, page, email=email, status=status, role=role)
    items = [_out(actor, m) for m in result.items]
    return respond(items, "Members retrieved successfully", pagination=result.pagination)


@router.post(
    "",
    status_code=201,
    response_model=Envelope[MemberInvited],
    responses=MAIL_FAILED,
    summary="Invite Member",
    description="Creates the member as `invited` and mails the invitation link to the address. "
    "The answer shows the link too, but for an account without credentials the link alone "
    "is not enough to accept: see `POST /invitations/{token}/accept`.",
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


@router.get("/{member_id}", response_model=Envelope[MemberOut])
async def get_member(member_id: int, actor: ActorDep, session: SessionDep) -> JSONResponse:
    member = await service.get_member(session, actor, member_id)
    return respond(_out(actor, member), "Member retrieved successfully")


@router.put("/{member_id}", response_model=Envelope[MemberOut])
async def update_member(
    member_id: int, actor: ActorDep, session: SessionDep, body: MemberUpdate
) -> JSONResponse:
    member = await service.update(session, actor, member_id, body)
    return respond(_out(actor, member), "Member updated successfully")


@router.delete("/{member_id}", response_model=Envelope[MemberOut])
async def archive_member(
    member_id: int,
    actor: AdminActor,
    session: SessionDep,
    _body: Annotated[RequestBody | None, Body()] = None,
) -> JSONResponse:
    member = await service.archive(session, actor, member_id)
    return respond(_out(actor, member), "Member deleted successfully")


@router.post("/{member_id}/restore", response_model=Envelope[MemberOut])
async def restore_member(
    member_id: int,
    actor: AdminActor,
    session: SessionDep,
    _body: Annotated[RequestBody | None, Body()] = None,
) -> JSONResponse:
    member = await service.restore(session, actor, member_id)
    return respond(_out(actor, member), "Member restored successfully")
