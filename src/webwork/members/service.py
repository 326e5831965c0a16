"""Members of a workspace: the rules of who may see, invite, change and archive whom."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.api_keys import service as api_keys
from webwork.auth import permissions
from webwork.auth.api_keys import digest
from webwork.auth.principal import Actor, Principal
from webwork.auth.roles import ROLE_INVALID, Role, parse_role
from webwork.kit import clock
from webwork.kit.db import add_unless_taken
from webwork.kit.errors import Conflict, Forbidden, found, invalid
from webwork.kit.mail import Mailer
from webwork.kit.pagination import Page, PageParams
from webwork.members import confirmation, mails, repository
from webwork.members.schemas import MEMBER_STATUSES, MemberFilters, MemberInvite, MemberUpdate, MemberView
from webwork.models import Membership, User, Workspace
from webwork.models.statuses import MembershipStatus
from webwork.users import service as users

EMAIL_TAKEN = "The email has already been taken."
OWNER_ROLE_NOT_ASSIGNABLE = "The owner role cannot be assigned."
OWNER_ROLE_FIXED = "The workspace owner's role cannot be changed."
PROFILE_SHARED = (
    "This member also belongs to other workspaces; only they can change their name, email and avatar."
)
NAME_FIELDS = ("firstname", "lastname")
# Fields only owners and executive managers may change, on anyone.
ADMIN_FIELDS = ("role", "rate_status", "weekly_hours_limit", "rate")
# Fields of the membership (per workspace) besides the role; the last two are cleared by null.
MEMBERSHIP_FIELDS = ("timezone", "rate_status", "weekly_hours_limit", "rate")
CLEARABLE_FIELDS = ("weekly_hours_limit", "rate")


def invitation_link(public_address: str, token: str) -> str:
    return f"{public_address}/api/v2/invitations/{token}"


def _assign_role(membership: Membership, role: Role) -> None:
    """The owner's role is fixed and no one else is given it: one owner per workspace."""
    is_owner = membership.role == Role.OWNER.value
    if is_owner and role is not Role.OWNER:
        raise invalid("role", OWNER_ROLE_FIXED)
    if role is Role.OWNER and not is_owner:
        raise invalid("role", OWNER_ROLE_NOT_ASSIGNABLE)
    membership.role = role.value


@dataclass(frozen=True)
class Enrolled:
    membership: Membership
    previous_role: Role | None  # None: the membership is new


async def enroll(session: AsyncSession, workspace: Workspace, user: User, role: Role | None) -> Enrolled:
    """The operator's way in: a new active membership (a member unless ``role`` says
    otherwise), or the existing one with its role changed only when ``role`` is given.
    Its status is left alone: restoring an archived member and accepting an invitation
    have rules of their own."""
    membership = await repository.membership_of(session, workspace.id, user.id)
    if membership is not None:
        previous = Role(membership.role)
        if role is not None:
            _assign_role(membership, role)
            await session.flush()
        return Enrolled(membership, previous)
    membership = Membership(workspace_id=workspace.id, user_id=user.id, role=Role.MEMBER.value)
    _assign_role(membership, role or Role.MEMBER)
    session.add(membership)
    await session.flush()
    return Enrolled(membership, None)


async def list_page(
    session: AsyncSession, actor: Actor, filters: MemberFilters, params: PageParams
) -> Page[MemberView]:
    return await repository.list_page(
        session,
        actor,
        params,
        normalized_email=users.normalize_email(filters.email) if filters.email else None,
        status=_status_filter(filters.status),
        role=_role_filter(filters.role),
    )


def _status_filter(value: str | None) -> str | None:
    if value and value not in MEMBER_STATUSES:
        raise invalid("status", "The selected status is invalid.")
    return value or None


def _role_filter(value: str | None) -> Role | None:
    if not value:
        return None
    role = parse_role(value)
    if role is None:
        raise invalid("role", ROLE_INVALID)
    return role


async def active_roles(session: AsyncSession, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Role]:
    """The role of each of ``user_ids`` that is an active member of the workspace; an
    id missing from the answer names no active member."""
    return await repository.active_roles(session, workspace_id, user_ids)


async def roles(session: AsyncSession, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Role]:
    """The role of each of ``user_ids`` that is a member of the workspace (active or
    not): what the rank rule of a write about them needs (``permissions.may_act_on``)."""
    return await repository.roles(session, workspace_id, user_ids)


async def role_of(session: AsyncSession, workspace_id: int, user_id: int) -> Role:
    """:func:`roles` of one person who has a membership here, as whoever holds a
    contract or a task assignment does."""
    return found((await roles(session, workspace_id, [user_id])).get(user_id), "Member not found.")


async def get(session: AsyncSession, actor: Actor, user_id: int) -> MemberView:
    return found(await repository.get(session, actor, user_id), "Member not found.")


@dataclass(frozen=True)
class Invited:
    member: MemberView
    link: str


async def invite(
    session: AsyncSession, actor: Actor, data: MemberInvite, mailer: Mailer, public_address: str
) -> Invited:
    """Create (or reuse, never altering its profile) the user and an ``invited``
    membership with a one-time token, and mail the link to the invited address; only
    the token's digest is stored."""
    if data.role is Role.OWNER:
        raise invalid("role", OWNER_ROLE_NOT_ASSIGNABLE)
    existing = await users.get_by_email(session, data.email)
    if existing is not None and await repository.membership_of(session, actor.workspace_id, existing.id):
        raise invalid("email", EMAIL_TAKEN)
    user = existing or await _create_user(session, data)
    token = secrets.token_urlsafe(32)
    membership = Membership(
        workspace_id=actor.workspace_id,
        user_id=user.id,
        role=data.role.value,
        status=MembershipStatus.INVITED,
        invitation_token=digest(token),
    )
    # Always an INSERT (never add_membership's reactivation): a concurrent invitation
    # of the same email to this workspace fails here instead of being overwritten.
    if not await add_unless_taken(session, membership):
        raise invalid("email", EMAIL_TAKEN)
    link = invitation_link(public_address, token)
    await mailer.send(mails.invitation(actor.user, actor.workspace, user, data.role, link))
    return Invited(MemberView(membership, user, []), link)


async def _create_user(session: AsyncSession, data: MemberInvite) -> User:
    """The invited person's account; if another request created it meanwhile, theirs."""
    try:
        async with session.begin_nested():
            return await users.get_or_create(session, data.email, data.firstname, data.lastname)
    except IntegrityError:
        user = await users.get_by_email(session, data.email)
        if user is None:
            raise
        return user


async def update(session: AsyncSession, actor: Actor, user_id: int, data: MemberUpdate) -> MemberView:
    """Only the fields sent change (see ``_ensure_may_update`` for who may change what)."""
    member = await get(session, actor, user_id)
    changes = _changes(data)
    await _ensure_may_update(session, actor, member, changes)
    _update_membership(member.membership, changes)
    await _update_profile(session, member.user, changes)
    await session.flush()
    return member


def _changes(data: MemberUpdate) -> dict[str, Any]:
    """The fields sent; null means "leave as is", except where it clears the value."""
    return {k: v for k, v in data.provided().items() if v is not None or k in CLEARABLE_FIELDS}


async def _ensure_may_update(
    session: AsyncSession, actor: Actor, member: MemberView, changes: dict[str, Any]
) -> None:
    """Everyone changes their own record, but only owners and executive managers its
    roles, rates and limits; someone else's record only those who may act on its member
    with nothing managed (``permissions.may_act_on``): owners anyone's, executive
    managers anyone's but the owner's. A profile that other workspaces show too is
    changed only by its user."""
    is_self = member.user.id == actor.user_id
    role = Role(member.membership.role)
    if not is_self and not permissions.may_act_on(actor, member.user.id, role, permissions.Reach()):
        if actor.is_admin:
            raise Forbidden("Only the workspace owner can change the owner's record.")
        raise Forbidden("You can only update your own member record.")
    if not actor.is_admin and any(
        _differs(member.membership, k, changes[k]) for k in ADMIN_FIELDS if k in changes
    ):
        raise Forbidden("Only owners and executive managers can change roles, rates and limits.")
    if not is_self and await _changes_shared_profile(session, actor, member.user, changes):
        raise Forbidden(PROFILE_SHARED)


def _update_membership(membership: Membership, changes: dict[str, Any]) -> None:
    """Role, timezone, rates and limits: what this workspace alone decides."""
    if "role" in changes:
        _assign_role(membership, changes["role"])
    for field in MEMBERSHIP_FIELDS:
        if field in changes:
            setattr(membership, field, changes[field])
    if changes:
        membership.updated_at = clock.utcnow()


async def _update_profile(session: AsyncSession, user: User, changes: dict[str, Any]) -> None:
    """Email, names and avatar: the user's own, shown by every workspace they are in."""
    if "email" in changes:
        await _change_email(session, user, changes["email"])
    for field in NAME_FIELDS:
        if field in changes:
            setattr(user, field, changes[field])
    if changes.get("remove_avatar") == 1:
        user.avatar = None


def _differs(membership: Membership, field: str, value: Any) -> bool:
    current = getattr(membership, field)
    if field == "role":
        return bool(value.value != current)
    return bool(value != current)


async def _changes_shared_profile(
    session: AsyncSession, actor: Actor, user: User, changes: dict[str, Any]
) -> bool:
    """Whether the update touches the user's profile (email, names, avatar) while
    another workspace also holds the user: then only the user themself may change it."""
    touches = (
        ("email" in changes and users.normalize_email(changes["email"]) != user.email)
        or any(name in changes and changes[name] != getattr(user, name) for name in NAME_FIELDS)
        or (changes.get("remove_avatar") == 1 and user.avatar is not None)
    )
    return touches and await repository.belongs_elsewhere(session, actor.workspace_id, user.id)


async def _change_email(session: AsyncSession, user: User, email: str) -> None:
    normalized = users.normalize_email(email)
    if normalized == user.email:
        return
    holder = await users.get_by_email(session, normalized)
    if holder is not None and holder.id != user.id:
        raise invalid("email", EMAIL_TAKEN)
    user.email = normalized


async def archive(session: AsyncSession, actor: Actor, user_id: int) -> MemberView:
    """The membership becomes ``inactive``; its history stays, and it can be restored.
    Owners and executive managers archive (the router) anyone but the owner, who is
    never archived: the rank rule (``permissions``) holds without asking it."""
    member = await get(session, actor, user_id)
    if member.membership.role == Role.OWNER.value:
        raise Forbidden("The workspace owner cannot be archived.")
    if member.membership.status == MembershipStatus.INACTIVE:
        raise Conflict("The member is already archived.")
    member.membership.status = MembershipStatus.INACTIVE
    member.membership.deleted_at = clock.utcnow()
    await session.flush()
    return member


async def restore(session: AsyncSession, actor: Actor, user_id: int) -> MemberView:
    """An archived member becomes active again, or ``invited`` again if they never
    accepted: the invitation's link is still what lets them in."""
    member = await get(session, actor, user_id)
    if member.membership.status != MembershipStatus.INACTIVE:
        raise Conflict("The member is not archived.")
    invited = member.membership.invitation_token is not None
    member.membership.status = MembershipStatus.INVITED if invited else MembershipStatus.ACTIVE
    member.membership.deleted_at = None
    await session.flush()
    return member


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    user: User
    workspace: Workspace


async def get_invitation(session: AsyncSession, token: str) -> Invitation:
    return Invitation(*found(await repository.invitation(session, token), "Invitation not found."))


@dataclass(frozen=True)
class Accepted:
    user_id: int
    workspace_id: int
    api_key: str | None


@dataclass(frozen=True)
class CodeSent:
    user_id: int
    workspace_id: int
    email: str
    code_expires_at: datetime


async def accept_invitation(
    session: AsyncSession,
    token: str,
    principal: Principal | None,
    code: str | None,
    mailer: Mailer,
    public_address: str,
) -> Accepted | CodeSent:
    """Activate the membership. Whoever invited also holds the link, so the link alone
    never hands over an account: one someone already holds must accept signed in as
    itself; one without credentials proves its address with the code mailed to it (asked
    for by accepting without a code), and then gets its first API key (shown once)."""
    invitation = await get_invitation(session, token)
    membership, user, workspace = invitation.membership, invitation.user, invitation.workspace
    api_key: str | None = None
    if await repository.has_credentials(session, user, membership):
        if principal is None or principal.user_id != user.id:
            raise Forbidden(
                "This invitation is for an existing account: accept it signed in as that account.",
                code="sign_in_required",
            )
    elif code is None:
        link = invitation_link(public_address, token)
        expires_at = await confirmation.send(session, mailer, membership, user, workspace, token, link)
        return CodeSent(user.id, workspace.id, user.email, expires_at)
    else:
        await confirmation.confirm(session, membership, user, token, code)
        _, api_key = await api_keys.create(session, user, f"invitation to {workspace.name}"[:100])
    await repository.drop_invitation_code(session, membership.id)
    membership.status = MembershipStatus.ACTIVE
    membership.invitation_token = None
    await session.flush()
    return Accepted(user.id, workspace.id, api_key)
