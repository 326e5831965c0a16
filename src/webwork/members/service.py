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
from webwork.auth import passwords, permissions
from webwork.auth.api_keys import digest
from webwork.auth.principal import Actor, Principal
from webwork.auth.roles import ROLE_INVALID, Role, parse_role
from webwork.kit import clock
from webwork.kit.db import add_unless_taken
from webwork.kit.errors import Conflict, Forbidden, found, invalid
from webwork.kit.mail import send_after_commit
from webwork.kit.pagination import Page, PageParams
from webwork.members import confirmation, mails, repository
from webwork.members.schedules import SCHEDULE_FIELDS, WORK_END_INVALID, Schedule, resolve, stored_days
from webwork.members.schemas import MEMBER_STATUSES, MemberFilters, MemberInvite, MemberUpdate, MemberView
from webwork.models import Membership, User, Workspace
from webwork.models.statuses import MembershipStatus
from webwork.users import service as users
from webwork.webhooks import service as webhooks

EMAIL_TAKEN = "The email has already been taken."
OWNER_ROLE_NOT_ASSIGNABLE = "The owner role cannot be assigned."
OWNER_ROLE_FIXED = "The workspace owner's role cannot be changed."
PROFILE_SHARED = (
    "This member also belongs to other workspaces; only they can change their name, email and avatar."
)
OWN_RECORD_ONLY = "You can only update your own member record."
NAME_FIELDS = ("firstname", "lastname")
# Fields only owners and executive managers may change, on anyone.
ADMIN_FIELDS = ("role", "rate_status", "weekly_hours_limit", "rate", *SCHEDULE_FIELDS)
# Fields of the membership (per workspace) besides the role; null clears the limit, the
# rate and the parts of a schedule (the workspace's apply again).
MEMBERSHIP_FIELDS = ("timezone", "rate_status", "weekly_hours_limit", "rate", *SCHEDULE_FIELDS)
CLEARABLE_FIELDS = ("weekly_hours_limit", "rate", *SCHEDULE_FIELDS)


def invitation_link(public_address: str, token: str) -> str:
    return f"{public_address}/api/v2/invitations/{token}"


def invitation_page(public_address: str, token: str) -> str:
    """The page where the invited person joins in a browser."""
    return f"{public_address}/invite/{token}"


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
    await repository.add(session, membership)
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


async def ensure_in_rank(
    session: AsyncSession, actor: Actor, user_ids: Iterable[int], reach: permissions.Reach, what: str
) -> None:
    """403 (``permissions.out_of_rank``) unless the actor may act on each of
    ``user_ids`` that has a membership here (in any status), given what the actor
    manages of the change (``reach``): the rank rule of a write about them. An id that
    names no member is left to the caller's own checks."""
    roles = await repository.roles(session, actor.workspace_id, user_ids)
    if not all(permissions.may_act_on(actor, user_id, role, reach) for user_id, role in roles.items()):
        raise Forbidden(permissions.out_of_rank(actor, what))


async def get(session: AsyncSession, actor: Actor, user_id: int) -> MemberView:
    return found(await repository.get(session, actor, user_id), "Member not found.")


async def schedule_for(session: AsyncSession, actor: Actor, user_ids: Iterable[int]) -> dict[int, Schedule]:
    """The work schedule in effect of each of ``user_ids`` the actor sees (in any
    status), in one statement: the attendance report asks for a page of members at once.
    An id missing from the answer names no member the actor sees."""
    stored = await repository.schedules(session, actor, user_ids)
    return {user_id: resolve(own, workspace) for user_id, (own, workspace) in stored.items()}


@dataclass(frozen=True)
class Invited:
    member: MemberView
    link: str


async def invite(session: AsyncSession, actor: Actor, data: MemberInvite, public_address: str) -> Invited:
    """Create (or reuse, never altering or showing its profile) the user and an
    ``invited`` membership with a one-time token, and mail the link to the invited
    address once saved; only the token's digest is stored. The membership keeps the
    names sent, which this workspace sees until the invitation is accepted: the answer
    is the same whether or not the address already has an account (but for its id)."""
    if data.role is Role.OWNER:
        raise invalid("role", OWNER_ROLE_NOT_ASSIGNABLE)
    existing = await users.get_by_email(session, data.email)
    if existing is not None and await repository.membership_of(session, actor.workspace_id, existing.id):
        raise invalid("email", EMAIL_TAKEN)
    user = existing or await _create_user(session, data)
    membership = Membership(
        workspace_id=actor.workspace_id,
        user_id=user.id,
        role=data.role.value,
        status=MembershipStatus.INVITED,
        invited_firstname=data.firstname,
        invited_lastname=data.lastname,
        invited_by=actor.user_id,
    )
    token = _new_invitation_token(membership)
    # Always an INSERT (never add_membership's reactivation): a concurrent invitation
    # of the same email to this workspace fails here instead of being overwritten.
    if not await add_unless_taken(session, membership):
        raise invalid("email", EMAIL_TAKEN)
    link = _mail_invitation(session, actor, membership, user, token, public_address)
    webhooks.emit(session, actor.workspace, "member.invited", _event(membership, user.email))
    schedule = await repository.workspace_schedule(session, actor.workspace_id)
    return Invited(MemberView(membership, user, [], schedule), link)


def _new_invitation_token(membership: Membership) -> str:
    """A new one-time token; the membership keeps its digest (an older link stops working)."""
    token = secrets.token_urlsafe(32)
    membership.invitation_token = digest(token)
    return token


def _mail_invitation(
    session: AsyncSession,
    actor: Actor,
    membership: Membership,
    user: User,
    token: str,
    public_address: str,
) -> str:
    """Queue the invitation mail (sent after the commit); answers the link."""
    link = invitation_link(public_address, token)
    page = invitation_page(public_address, token)
    message = mails.invitation(actor.user, actor.workspace, user, Role(membership.role), link, page)
    send_after_commit(session, message, regarding=mails.regarding(user.id, actor.workspace_id))
    return link


async def resend_invitation(
    session: AsyncSession, actor: Actor, user_id: int, public_address: str
) -> Invited:
    """Mail a pending invitation again, with a new link (the old one stops working, and
    so does a confirmation code sent for it): the way to recover from a mail that could
    not be sent, or was lost."""
    member = await get(session, actor, user_id)
    membership = member.membership
    if membership.status != MembershipStatus.INVITED or membership.invitation_token is None:
        raise Conflict("The member has no pending invitation.")
    link = await _reissue_invitation(session, actor, member, public_address)
    await session.flush()
    return Invited(member, link)


async def _reissue_invitation(
    session: AsyncSession, actor: Actor, member: MemberView, public_address: str
) -> str:
    token = _new_invitation_token(member.membership)
    await repository.drop_invitation_code(session, member.membership.id)
    member.membership.updated_at = clock.utcnow()
    return _mail_invitation(session, actor, member.membership, member.user, token, public_address)


async def _create_user(session: AsyncSession, data: MemberInvite) -> User:
    """The invited person's account; if another request created it meanwhile, theirs."""
    try:
        async with session.begin_nested():
            return await users.create(session, data.email, data.firstname, data.lastname)
    except IntegrityError:
        user = await users.get_by_email(session, data.email)
        if user is None:
            raise
        return user


@dataclass(frozen=True)
class Updated:
    member: MemberView
    # The new address a confirmation code was mailed to; the email shown is still the old.
    pending_email: str | None = None
    # The new link of an invitation whose address was corrected (and mailed again).
    invitation_link: str | None = None


async def update(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    data: MemberUpdate,
    public_address: str,
) -> Updated:
    """Only the fields sent change (see ``_ensure_may_update`` for who may change what).
    A new email waits for the code mailed to it (see ``_change_email``)."""
    member = await get(session, actor, user_id)
    changes = _changes(data)
    await _ensure_may_update(session, actor, member, changes)
    _update_membership(member.membership, changes)
    _ensure_schedule_holds(member, changes)
    _update_profile(member, changes)
    updated = Updated(member)
    if "email" in changes:
        updated = await _change_email(session, actor, member, changes["email"], public_address)
    await session.flush()
    webhooks.emit(session, actor.workspace, "member.updated", _event(member.membership, member.user.email))
    return updated


def _changes(data: MemberUpdate) -> dict[str, Any]:
    """The fields sent; null means "leave as is", except where it clears the value. Work
    days come in their stored form, so that they compare with what is stored."""
    changes = {k: v for k, v in data.provided().items() if v is not None or k in CLEARABLE_FIELDS}
    if changes.get("work_days") is not None:
        changes["work_days"] = stored_days(changes["work_days"])
    return changes


def _ensure_schedule_holds(member: MemberView, changes: dict[str, Any]) -> None:
    """A working day ends after it starts, as the member's schedule now resolves (a part
    left out is the member's, or the workspace's): 422 on the time sent."""
    if "work_start" not in changes and "work_end" not in changes:
        return
    schedule = member.schedule
    if schedule.work_end <= schedule.work_start:
        raise invalid("work_end" if "work_end" in changes else "work_start", WORK_END_INVALID)


async def _ensure_may_update(
    session: AsyncSession, actor: Actor, member: MemberView, changes: dict[str, Any]
) -> None:
    """Everyone changes their own record, but only owners and executive managers its
    roles, rates, limits and work schedules; someone else's record only those who may act on its member
    with nothing managed (``permissions.may_act_on``): owners anyone's, executive
    managers anyone's but the owner's. A profile that other workspaces show too is
    changed only by its user."""
    is_self = member.user.id == actor.user_id
    role = Role(member.membership.role)
    if not is_self and not permissions.may_act_on(actor, member.user.id, role, permissions.Reach()):
        refusal = permissions.out_of_rank(actor, "record") if actor.is_admin else OWN_RECORD_ONLY
        raise Forbidden(refusal)
    if not actor.is_admin and any(
        _differs(member.membership, k, changes[k]) for k in ADMIN_FIELDS if k in changes
    ):
        raise Forbidden(
            "Only owners and executive managers can change roles, rates, limits and work schedules."
        )
    if not is_self and await _changes_shared_profile(session, actor, member, changes):
        raise Forbidden(PROFILE_SHARED)


def _update_membership(membership: Membership, changes: dict[str, Any]) -> None:
    """Role, timezone, rates, limits and work schedule: what this workspace alone decides."""
    if "role" in changes:
        _assign_role(membership, changes["role"])
    for field in MEMBERSHIP_FIELDS:
        if field in changes:
            setattr(membership, field, changes[field])
    # A new email waits for its code (or, for an invitation, is the account's): the
    # record shown here has not changed for it.
    if any(field != "email" for field in changes):
        membership.updated_at = clock.utcnow()


def _update_profile(member: MemberView, changes: dict[str, Any]) -> None:
    """Names and avatar: the user's own, shown by every workspace they are in; while an
    invitation is pending, the names it was sent with, which only this workspace shows
    (its avatar is none)."""
    membership, user = member.membership, member.user
    invited = _shows_invited_names(membership)
    for field in NAME_FIELDS:
        if field in changes:
            target, attribute = (membership, f"invited_{field}") if invited else (user, field)
            setattr(target, attribute, changes[field])
    if changes.get("remove_avatar") == 1 and not invited:
        user.avatar = None


def _shows_invited_names(membership: Membership) -> bool:
    return membership.invited_firstname is not None


def _differs(membership: Membership, field: str, value: Any) -> bool:
    current = getattr(membership, field)
    if field == "role":
        return bool(value.value != current)
    return bool(value != current)


async def _changes_shared_profile(
    session: AsyncSession, actor: Actor, member: MemberView, changes: dict[str, Any]
) -> bool:
    """Whether the update touches the user's profile (email, names, avatar) while
    another workspace also holds the user: then only the user themself may change it.
    The names of a pending invitation are this workspace's, not the user's."""
    user = member.user
    on_account = not _shows_invited_names(member.membership)
    touches = ("email" in changes and users.normalize_email(changes["email"]) != user.email) or (
        on_account
        and (
            any(name in changes and changes[name] != getattr(user, name) for name in NAME_FIELDS)
            or (changes.get("remove_avatar") == 1 and user.avatar is not None)
        )
    )
    return touches and await repository.belongs_elsewhere(session, actor.workspace_id, user.id)


async def _change_email(
    session: AsyncSession, actor: Actor, member: MemberView, email: str, public_address: str
) -> Updated:
    """An address is proven before it is used: the new one gets a confirmation code and
    becomes the account's once the account, signed in, confirms it (``confirm_email``);
    until then the old one is shown, invited and bootstrapped, and nothing reserves the
    new one. Sending the current address drops a pending change.

    The exception: an owner or executive manager corrects the address of an invitation
    nobody holds yet (no credentials, no other workspace) at once, and the invitation
    goes again, with a new link, to the corrected address."""
    user, membership = member.user, member.membership
    normalized = users.normalize_email(email)
    if normalized == user.email:
        await repository.drop_email_change(session, user.id)
        return Updated(member)
    if (
        actor.is_admin
        and membership.status == MembershipStatus.INVITED
        and await repository.is_unclaimed(session, user, membership)
    ):
        if not await repository.change_email(session, user, normalized):
            raise invalid("email", EMAIL_TAKEN)
        link = await _reissue_invitation(session, actor, member, public_address)
        return Updated(member, invitation_link=link)
    if await users.get_by_email(session, normalized) is not None:
        raise invalid("email", EMAIL_TAKEN)
    confirm_url = f"{public_address}/api/v2/members/{user.id}/email/confirm?workspace_id={actor.workspace_id}"
    regarding = mails.regarding(user.id, actor.workspace_id)
    await confirmation.send_email_change(session, user, normalized, confirm_url, regarding)
    return Updated(member, pending_email=normalized)


async def confirm_email(session: AsyncSession, actor: Actor, user_id: int, code: str) -> MemberView:
    """The account itself, signed in, brings the code mailed to its new address: both
    that it wants the change and that it reads that address. The address must still be
    free: a pending change reserved nothing."""
    member = await get(session, actor, user_id)
    if member.user.id != actor.user_id:
        raise Forbidden("Only the member can confirm a change of their own email.")
    new_email = await confirmation.confirm_email_change(session, member.user, code)
    if not await repository.change_email(session, member.user, new_email):
        raise invalid("email", EMAIL_TAKEN)
    await repository.drop_email_change(session, member.user.id)
    await session.flush()
    return member


async def archive(session: AsyncSession, actor: Actor, user_id: int) -> MemberView:
    """The membership becomes ``inactive``; its history stays, and it can be restored.
    Owners and executive managers archive (the router) anyone but the owner, who is
    never archived: the rank rule (``permissions``) holds without asking it."""
    member = await get(session, actor, user_id)
    await archive_membership(session, member.membership)
    # The hosted API's event for DELETE /members/{id} (member.deleted), and the state it
    # leaves the member in (member.archived): subscribers of either learn of it.
    for event in ("member.deleted", "member.archived"):
        webhooks.emit(session, actor.workspace, event, _event(member.membership, member.user.email))
    return member


async def archive_membership(session: AsyncSession, membership: Membership, who: str = "member") -> None:
    """The rules of :func:`archive` on a membership already read (``/project-viewers``
    archives its viewers through them too); ``who`` names it in the 409."""
    if membership.role == Role.OWNER.value:
        raise Forbidden("The workspace owner cannot be archived.")
    if membership.status == MembershipStatus.INACTIVE:
        raise Conflict(f"The {who} is already archived.")
    membership.status = MembershipStatus.INACTIVE
    membership.deleted_at = clock.utcnow()
    await session.flush()


async def restore(session: AsyncSession, actor: Actor, user_id: int) -> MemberView:
    """An archived member becomes active again, or ``invited`` again if they never
    accepted: the invitation's link is still what lets them in."""
    member = await get(session, actor, user_id)
    await restore_membership(session, member.membership)
    if member.membership.status == MembershipStatus.ACTIVE:
        webhooks.emit(
            session, actor.workspace, "member.activated", _event(member.membership, member.user.email)
        )
    return member


async def restore_membership(session: AsyncSession, membership: Membership, who: str = "member") -> None:
    """The rules of :func:`restore` on a membership already read; ``who`` names it in the 409."""
    if membership.status != MembershipStatus.INACTIVE:
        raise Conflict(f"The {who} is not archived.")
    invited = membership.invitation_token is not None
    membership.status = MembershipStatus.INVITED if invited else MembershipStatus.ACTIVE
    membership.deleted_at = None
    await session.flush()


def _event(membership: Membership, email: str) -> dict[str, Any]:
    """What a member's webhook events carry."""
    return {
        "user_id": membership.user_id,
        "email": email,
        "role": membership.role,
        "status": membership.status,
    }


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
    public_address: str,
    password: str | None = None,
) -> Accepted | CodeSent:
    """Activate the membership. Whoever invited also holds the link, so the link alone
    never hands over an account, and what it answers never tells whether the address
    had one: the invited account signed in as itself accepts at once; anyone else proves
    the address with the code mailed to it (asked for by accepting without a code),
    whether or not the account existed. With the code, an account nobody held gets its
    first API key (shown once) and the names it was invited with; one already held gets
    no key (its holder signs in with what they have) and keeps its names. The workspace
    then shows the account's own names. ``password`` (with the code) becomes the
    password of an account nobody held; one already held keeps its own."""
    invitation = await get_invitation(session, token)
    membership, user, workspace = invitation.membership, invitation.user, invitation.workspace
    api_key: str | None = None
    if principal is None or principal.user_id != user.id:
        if code is None:
            link = invitation_link(public_address, token)
            expires_at = await confirmation.send(session, membership, user, workspace, token, link)
            return CodeSent(user.id, workspace.id, user.email, expires_at)
        await confirmation.confirm(session, membership, user, token, code)
        if not await repository.has_credentials(session, user, membership):
            _, api_key = await api_keys.create(session, user, f"invitation to {workspace.name}"[:100])
            if password is not None:
                user.password_hash = passwords.hash_password(password)
            if _shows_invited_names(membership):
                user.firstname = membership.invited_firstname or ""
                user.lastname = membership.invited_lastname or ""
    await repository.drop_invitation_code(session, membership.id)
    membership.status = MembershipStatus.ACTIVE
    membership.invitation_token = None
    membership.invited_firstname = membership.invited_lastname = None
    await session.flush()
    webhooks.emit(session, workspace, "member.activated", _event(membership, user.email))
    return Accepted(user.id, workspace.id, api_key)
