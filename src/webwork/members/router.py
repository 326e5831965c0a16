"""`/members`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.config import Settings
from webwork.kit.envelope import Envelope, respond
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


def _invitation_link(request: Request, token: str) -> str:
    """Based on WEBWORK_PUBLIC_URL when it is set (behind a proxy); otherwise on the
    address this request reached, so that `webwork serve --port N` links to itself."""
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/api/v2/invitations/{token}"


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


@router.post("", status_code=201, response_model=Envelope[MemberInvited])
async def invite_member(
    request: Request, actor: AdminActor, session: SessionDep, body: MemberInvite
) -> JSONResponse:
    invited = await service.invite(session, actor, body)
    out = MemberInvited(
        **_out(actor, invited.member).model_dump(exclude_unset=True),
        invitation_link=_invitation_link(request, invited.token),
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
