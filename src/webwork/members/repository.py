"""All SQL of the members domain. Member rows a caller reads start from
``readable(actor)``; the other statements answer questions of a rule about one workspace
or one account (is this email taken here, which roles are active, is a change of email
waiting for its code), or serve the public invitation routes, where the token in the
link is the only scope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    bindparam,
    delete,
    exists,
    func,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.api_keys import digest
from webwork.auth.prebuilt import PerRole, Scope, viewer_params
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.auth.visibility import active_member_ids, restrict, visible_user_ids
from webwork.kit.db import column_rows, save
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.members.schedules import NO_SCHEDULE, StoredSchedule
from webwork.members.schemas import MemberView
from webwork.models import (
    ApiKey,
    EmailChange,
    InvitationCode,
    LeaveSettings,
    Membership,
    Team,
    TeamMember,
    User,
    Workspace,
)
from webwork.models.statuses import MembershipStatus, WorkspaceStatus

# The rows of mailed confirmation codes (``members/confirmation.py``).
CodeRow = InvitationCode | EmailChange


def readable(actor: Scope) -> Select[Membership, User]:
    """The members of the actor's workspace that the actor's role may see."""
    return (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            restrict(Membership.user_id, visible_user_ids(actor)),
        )
    )


# The workspace's schedule beside each member (one settings row per workspace, by its
# key), so that a member's schedule in effect costs no statement of its own.
_WORKSPACE_SCHEDULE = (
    LeaveSettings.work_start,
    LeaveSettings.work_end,
    LeaveSettings.work_days,
    LeaveSettings.grace_minutes,
)


def _with_workspace_schedule(stmt: Select[Membership, User]) -> Select[Any]:
    return stmt.outerjoin(LeaveSettings, LeaveSettings.workspace_id == Membership.workspace_id).add_columns(
        *_WORKSPACE_SCHEDULE
    )


def _listing(viewer: Scope, by_email: bool, by_status: bool, by_role: bool) -> Paged:
    stmt = _with_workspace_schedule(readable(viewer))
    if by_email:
        stmt = stmt.where(func.lower(User.email) == bindparam("email"))
    if by_status:
        stmt = stmt.where(Membership.status == bindparam("status"))
    if by_role:
        stmt = stmt.where(Membership.role == bindparam("role"))
    return Paged.of(stmt.order_by(Membership.id))


_LISTING = PerRole(_listing)
_ONE = PerRole(
    lambda viewer: _with_workspace_schedule(readable(viewer)).where(
        Membership.user_id == bindparam("user_id")
    )
)
_TEAM_IDS = (
    select(TeamMember.user_id, TeamMember.team_id)
    .join(Team, Team.id == TeamMember.team_id)
    .where(
        Team.workspace_id == bindparam("workspace_id"),
        TeamMember.user_id.in_(bindparam("user_ids", expanding=True)),
    )
    .order_by(TeamMember.team_id)
)


async def list_page(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    normalized_email: str | None,
    status: str | None,
    role: Role | None,
) -> Page[MemberView]:
    """A page of the members the actor sees, with their teams: two statements."""
    values: dict[str, Any] = viewer_params(actor)
    if normalized_email:
        values["email"] = normalized_email
    if status:
        values["status"] = status
    if role is not None:
        values["role"] = role.value
    paged = _LISTING(actor, bool(normalized_email), bool(status), role is not None)
    page = await fetch_page(session, paged, params, values)
    teams = await team_ids_by_user(session, actor.workspace_id, (row[1].id for row in page.items))
    return Page(
        [MemberView(m, u, teams.get(u.id, []), StoredSchedule(*rest)) for m, u, *rest in page.items],
        page.pagination,
    )


async def get(session: AsyncSession, actor: Actor, user_id: int) -> MemberView | None:
    row = (await session.execute(_ONE(actor), {**viewer_params(actor), "user_id": user_id})).first()
    if row is None:
        return None
    membership, user, *rest = row
    teams = await team_ids_by_user(session, actor.workspace_id, [user.id])
    return MemberView(membership, user, teams.get(user.id, []), StoredSchedule(*rest))


async def workspace_schedule(session: AsyncSession, workspace_id: int) -> StoredSchedule:
    """The workspace's own schedule (all null without a settings row)."""
    rows = await column_rows(
        session, select(*_WORKSPACE_SCHEDULE).where(LeaveSettings.workspace_id == workspace_id)
    )
    return StoredSchedule(*rows[0]) if rows else NO_SCHEDULE


_MEMBER_SCHEDULE = (
    Membership.work_start,
    Membership.work_end,
    Membership.work_days,
    Membership.grace_minutes,
)
_SCHEDULES = PerRole(
    lambda viewer: (
        _with_workspace_schedule(readable(viewer))
        .with_only_columns(Membership.user_id, *_MEMBER_SCHEDULE, *_WORKSPACE_SCHEDULE)
        .where(Membership.user_id.in_(bindparam("user_ids", expanding=True)))
    )
)


async def schedules(
    session: AsyncSession, actor: Actor, user_ids: Iterable[int]
) -> dict[int, tuple[StoredSchedule, StoredSchedule]]:
    """user id -> (the member's own schedule, the workspace's) of each of ``user_ids``
    the actor sees, in one statement."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = await column_rows(session, _SCHEDULES(actor), {**viewer_params(actor), "user_ids": ids})
    return {row[0]: (StoredSchedule(*row[1:5]), StoredSchedule(*row[5:9])) for row in rows}


async def team_ids_by_user(
    session: AsyncSession, workspace_id: int, user_ids: Iterable[int]
) -> dict[int, list[int]]:
    """One query for any number of users: user id -> ids of their teams here."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.execute(_TEAM_IDS, {"workspace_id": workspace_id, "user_ids": ids})
    result: dict[int, list[int]] = {}
    for user_id, team_id in rows:
        result.setdefault(user_id, []).append(team_id)
    return result


async def active_roles(session: AsyncSession, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Role]:
    """The role of each of ``user_ids`` that is an active member of the workspace."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        active_member_ids(workspace_id).add_columns(Membership.role).where(Membership.user_id.in_(wanted))
    )
    return {user_id: Role(role) for user_id, role in rows}


async def roles(session: AsyncSession, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Role]:
    """The role of each of ``user_ids`` that is a member of the workspace, in any status."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Membership.user_id, Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id.in_(wanted)
        )
    )
    return {user_id: Role(role) for user_id, role in rows}


async def membership_of(session: AsyncSession, workspace_id: int, user_id: int) -> Membership | None:
    """The membership in any status; used for uniqueness, not for showing."""
    membership: Membership | None = await session.scalar(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )
    return membership


async def belongs_elsewhere(session: AsyncSession, workspace_id: int, user_id: int) -> bool:
    """Whether the user is an active member of another workspace too (their identity is
    shared). A pending invitation there shows names of its own, and an archived
    membership nobody acts in: neither limits this workspace."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Membership.user_id == user_id,
                    Membership.workspace_id != workspace_id,
                    Membership.status == MembershipStatus.ACTIVE,
                )
            )
        )
    )


async def invitation(session: AsyncSession, token: str) -> tuple[Membership, User, Workspace] | None:
    """A pending invitation by its token (stored as a digest); used ones are gone."""
    row = (
        await session.execute(
            select(Membership, User, Workspace)
            .join(User, User.id == Membership.user_id)
            .join(Workspace, Workspace.id == Membership.workspace_id)
            .where(
                Membership.invitation_token == digest(token),
                Membership.status == MembershipStatus.INVITED,
                Workspace.status == WorkspaceStatus.ACTIVE,
            )
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def has_credentials(session: AsyncSession, user: User, membership: Membership) -> bool:
    """Whether someone already holds this account: a password, a live API key, or an
    active membership elsewhere. Such an account must not be handed a key by a link."""
    return await _held(session, user, membership, elsewhere=Membership.status == MembershipStatus.ACTIVE)


async def is_unclaimed(session: AsyncSession, user: User, membership: Membership) -> bool:
    """Whether nobody holds the account and only this membership knows it: no password,
    no live API key, no membership in another workspace (in any status). Then the
    address it was invited at can be corrected without asking anyone."""
    return not await _held(session, user, membership, elsewhere=true())


async def _held(
    session: AsyncSession, user: User, membership: Membership, *, elsewhere: ColumnElement[bool]
) -> bool:
    """A password, a live API key, or another membership matching ``elsewhere``."""
    if user.password_hash is not None:
        return True
    key = exists().where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
    other = exists().where(Membership.user_id == user.id, Membership.id != membership.id, elsewhere)
    return bool(await session.scalar(select(key | other)))


async def change_email(session: AsyncSession, user: User, email: str) -> bool:
    """Give the user ``email`` unless another account holds it; the unique constraint
    decides, in a SAVEPOINT, so a concurrent change cannot slip in after a check. On
    False the caller refuses the request (its unit of work rolls back)."""
    try:
        async with session.begin_nested():
            user.email = email
            await session.flush()
    except IntegrityError:
        return False
    return True


async def invitation_code(session: AsyncSession, membership_id: int) -> InvitationCode | None:
    code: InvitationCode | None = await session.scalar(
        select(InvitationCode)
        .where(InvitationCode.membership_id == membership_id)
        .execution_options(populate_existing=True)
    )
    return code


async def email_change(session: AsyncSession, user_id: int) -> EmailChange | None:
    """The user's change of email waiting for its code, if any."""
    change: EmailChange | None = await session.scalar(
        select(EmailChange).where(EmailChange.user_id == user_id).execution_options(populate_existing=True)
    )
    return change


async def drop_email_change(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(EmailChange).where(EmailChange.user_id == user_id))


async def replace_code(
    session: AsyncSession, stored: CodeRow, sent_before: datetime, values: Mapping[str, Any]
) -> bool:
    """Overwrite the code if it was sent before ``sent_before``, in one statement, so two
    requests at once cannot both mail a new code."""
    table = type(stored)
    result = await session.execute(
        update(table)
        .where(table.id == stored.id, table.created_at <= sent_before)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def spend_attempt(session: AsyncSession, stored: CodeRow, max_attempts: int) -> bool:
    """Count one attempt unless all are spent, in one statement, so concurrent guesses
    cannot all read the same count."""
    table = type(stored)
    result = await session.execute(
        update(table)
        .where(table.id == stored.id, table.attempts < max_attempts)
        .values(attempts=table.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def drop_invitation_code(session: AsyncSession, membership_id: int) -> None:
    await session.execute(delete(InvitationCode).where(InvitationCode.membership_id == membership_id))


async def add(session: AsyncSession, *rows: Membership) -> None:
    await save(session, *rows)
