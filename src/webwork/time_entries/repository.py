"""All SQL of time entries, and of the rows a recording names: the member, the contract
with its project, the task.

Entries are read through :func:`readable`, so an entry of another workspace, or of a
member the actor may not see, is not found. The rows a recording names are looked up in
the actor's workspace by statements built once, with the ids as parameters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    Table,
    and_,
    bindparam,
    false,
    insert,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.prebuilt import PerRole, Scope, viewer_params
from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.kit import clock
from webwork.kit.db import UTCDateTime, column_rows, write_rows
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Contract, Membership, Project, Task, TimeEntry, Timesheet, User
from webwork.models.statuses import MembershipStatus
from webwork.time_entries.bounds import MAX_SPAN
from webwork.time_locks.repository import approved_touching


def finished_touching(
    start: datetime | ColumnElement[datetime],
    end: datetime | ColumnElement[datetime],
    earliest_start: datetime | ColumnElement[datetime] | None = None,
) -> ColumnElement[bool]:
    """Finished entries sharing time with [start, end). No entry lasts longer than
    :data:`~webwork.time_entries.bounds.MAX_SPAN`, so ``start_at`` is bounded on both
    sides (``earliest_start``, by default ``start - MAX_SPAN``) and the (workspace,
    member, start) index walks the window, not everything the member recorded before."""
    if earliest_start is None:
        assert isinstance(start, datetime), "a placeholder start needs its earliest_start placeholder"
        earliest_start = start - MAX_SPAN
    return and_(TimeEntry.start_at < end, TimeEntry.start_at > earliest_start, TimeEntry.end_at > start)


_START = bindparam("start", type_=UTCDateTime())
_END = bindparam("end", type_=UTCDateTime())
_EARLIEST_START = bindparam("earliest_start", type_=UTCDateTime())


def _window(start: datetime, end: datetime) -> dict[str, datetime]:
    return {"start": start, "end": end, "earliest_start": start - MAX_SPAN}


def readable(actor: Scope) -> Select[TimeEntry]:
    """The entries (running timers included) the actor may see: of the workspace, of the
    members the actor's role sees."""
    return select(TimeEntry).where(
        TimeEntry.workspace_id == actor.workspace_id, restrict(TimeEntry.user_id, visible_user_ids(actor))
    )


def _entry(viewer: Scope, for_update: bool) -> Select[TimeEntry]:
    stmt = readable(viewer).where(TimeEntry.id == bindparam("entry_id"))
    return stmt.with_for_update() if for_update else stmt


_ENTRY = PerRole(_entry)


async def get(
    session: AsyncSession, actor: Actor, entry_id: uuid.UUID, *, for_update: bool = False
) -> TimeEntry | None:
    found: TimeEntry | None = await session.scalar(
        _ENTRY(actor, for_update), {**viewer_params(actor), "entry_id": entry_id}
    )
    return found


class DayEntry(NamedTuple):
    """A listed entry: the columns its answer shows, read as a row (no ORM object, a
    list only serialises them)."""

    id: uuid.UUID
    user_id: int
    contract_id: int | None
    project_id: int | None
    task_id: int | None
    activity_description: str | None
    method: str
    start_at: datetime
    end_at: datetime | None
    duration_seconds: int | None
    activity_level: int | None
    project_name: str | None
    task_title: str | None


_DAY_COLUMNS = (
    TimeEntry.id,
    TimeEntry.user_id,
    TimeEntry.contract_id,
    TimeEntry.project_id,
    TimeEntry.task_id,
    TimeEntry.activity_description,
    TimeEntry.method,
    TimeEntry.start_at,
    TimeEntry.end_at,
    TimeEntry.duration_seconds,
    TimeEntry.activity_level,
    Project.name,
    Task.title,
)


def _day(viewer: Scope, by_project: bool, by_task: bool) -> Paged:
    stmt = (
        readable(viewer)
        .with_only_columns(*_DAY_COLUMNS)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .where(TimeEntry.user_id == bindparam("user_id"), finished_touching(_START, _END, _EARLIEST_START))
        .order_by(TimeEntry.start_at, TimeEntry.id)
    )
    if by_project:
        stmt = stmt.where(TimeEntry.project_id == bindparam("project_id"))
    if by_task:
        stmt = stmt.where(TimeEntry.task_id == bindparam("task_id"))
    return Paged.of(stmt, columns_only=True)


_DAY = PerRole(_day)


async def list_for_day(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int,
    window: tuple[datetime, datetime],
    project_id: int | None,
    task_id: int | None,
    params: PageParams,
) -> Page[DayEntry]:
    """Finished entries of one user touching [window) with their project name and task
    title, in one query per page."""
    values: dict[str, Any] = {**viewer_params(actor), **_window(*window), "user_id": user_id}
    if project_id is not None:
        values["project_id"] = project_id
    if task_id is not None:
        values["task_id"] = task_id
    paged = _DAY(actor, project_id is not None, task_id is not None)
    page = await fetch_page(session, paged, params, values)
    return Page([DayEntry(*row) for row in page.items], page.pagination)


_LOCK_START = bindparam("lock_start", type_=UTCDateTime())
_LOCK_END = bindparam("lock_end", type_=UTCDateTime())


def _touching(viewer: Scope, excluding: bool, locks: bool) -> CompoundSelect[Any]:
    columns = (false().label("locked"), TimeEntry.contract_id, TimeEntry.start_at, TimeEntry.end_at)
    member = readable(viewer).with_only_columns(*columns).where(TimeEntry.user_id == bindparam("user_id"))
    if excluding:
        member = member.where(TimeEntry.id.not_in(bindparam("exclude", expanding=True)))
    finished = member.where(finished_touching(_START, _END, _EARLIEST_START))
    running = member.where(TimeEntry.end_at.is_(None))
    if not locks:
        return union_all(finished, running)
    spans = select(true(), null(), Timesheet.locked_from, Timesheet.locked_until)
    return union_all(finished, running, spans.where(approved_touching(_LOCK_START, _LOCK_END)))


_TOUCHING = PerRole(_touching)


class Touching(NamedTuple):
    entries: list[tuple[int | None, datetime, datetime | None]]
    locked: bool


async def touching(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    window: tuple[datetime, datetime],
    exclude: Sequence[uuid.UUID] = (),
    *,
    lock: tuple[datetime, datetime] | None = None,
) -> Touching:
    """(contract_id, start, end) of the member's entries touching [window), but those
    named in ``exclude``; ``end`` is None for a running timer. With ``lock``, also
    whether [lock) touches an approved timesheet's locked span, in the same statement:
    every save asks both, and a statement costs more than its SQL.

    The running timer is read apart, by ``end_at IS NULL`` alone (the partial index of
    running timers), and its start compared here: with ``start_at < end`` in the SQL,
    SQLite would walk the member's whole past on the start index instead."""
    start, end = window
    values: dict[str, Any] = {**viewer_params(actor), **_window(start, end), "user_id": user_id}
    if exclude:
        values["exclude"] = list(exclude)
    if lock is not None:
        values.update(workspace_id=actor.workspace_id, lock_start=lock[0], lock_end=lock[1])
    rows = await column_rows(session, _TOUCHING(actor, bool(exclude), lock is not None), values)
    entries = [
        (row[1], row[2], row[3])
        for row in rows
        if not row[0] and (row[3] is not None or clock.as_utc(row[2]) < end)
    ]
    return Touching(entries, any(row[0] for row in rows))


# A Core insert with every column of the table bound, built once: a save's entries go in
# one executemany, without the ORM's unit of work (the hottest write of the API).
_TABLE = cast(Table, TimeEntry.__table__)
_INSERT = insert(_TABLE).values({column.name: bindparam(column.name) for column in _TABLE.columns})


async def insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """New entries, in one statement, stamped with the time of the save."""
    now = clock.utcnow()
    stamped = [{**row, "created_at": now, "updated_at": now} for row in rows]
    await write_rows(session, _INSERT, stamped)


async def delete(session: AsyncSession, entry: TimeEntry) -> None:
    await session.delete(entry)
    await session.flush()


def _member(viewer: Scope, active: bool) -> Select[Membership, User]:
    stmt = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == viewer.workspace_id,
            Membership.user_id == bindparam("user_id"),
            restrict(Membership.user_id, visible_user_ids(viewer)),
        )
    )
    return stmt.where(Membership.status == MembershipStatus.ACTIVE) if active else stmt


_MEMBER = PerRole(_member)


async def member(
    session: AsyncSession, actor: Actor, user_id: int, *, active: bool
) -> tuple[Membership, User] | None:
    """The membership and user of ``user_id`` in the workspace, if the actor may see
    them (and, with ``active``, if the membership is active)."""
    row = (
        await session.execute(_MEMBER(actor, active), {**viewer_params(actor), "user_id": user_id})
    ).first()
    return None if row is None else (row[0], row[1])


class ContractTerms(NamedTuple):
    """What recording time needs of a contract: whose it is, whether it is active, and
    its weekly limit."""

    id: int
    user_id: int
    status: str
    weekly_hours_limit: Decimal | None


class ProjectState(NamedTuple):
    """What recording time needs of a project: its name and whether it is open."""

    id: int
    name: str
    status: int
    deleted_at: datetime | None


_CONTRACT = (
    select(*(getattr(Contract, name) for name in ContractTerms._fields))
    .add_columns(*(getattr(Project, name) for name in ProjectState._fields))
    .join(Project, Project.id == Contract.project_id)
    .where(Contract.workspace_id == bindparam("workspace_id"), Contract.id == bindparam("contract_id"))
)
_TERMS = len(ContractTerms._fields)
_CONTRACT_ON_PROJECT = select(Contract.id).where(
    Contract.workspace_id == bindparam("workspace_id"),
    Contract.project_id == bindparam("project_id"),
    Contract.user_id == bindparam("user_id"),
)
_TASK = select(Task).where(
    Task.workspace_id == bindparam("workspace_id"), Task.id == bindparam("task_id"), Task.deleted_at.is_(None)
)


async def contract(
    session: AsyncSession, actor: Actor, contract_id: int
) -> tuple[ContractTerms, ProjectState] | None:
    """A contract of the workspace with its project, read as columns (every save of time
    on a contract asks)."""
    rows = await column_rows(
        session, _CONTRACT, {"workspace_id": actor.workspace_id, "contract_id": contract_id}
    )
    if not rows:
        return None
    return ContractTerms(*rows[0][:_TERMS]), ProjectState(*rows[0][_TERMS:])


async def contract_id_on_project(
    session: AsyncSession, actor: Actor, project_id: int, user_id: int
) -> int | None:
    """The id of the user's contract on a project of the workspace."""
    params = {"workspace_id": actor.workspace_id, "project_id": project_id, "user_id": user_id}
    found: int | None = await session.scalar(_CONTRACT_ON_PROJECT, params)
    return found


async def task(session: AsyncSession, actor: Actor, task_id: int) -> Task | None:
    """A task of the workspace that is not deleted."""
    found: Task | None = await session.scalar(_TASK, {"workspace_id": actor.workspace_id, "task_id": task_id})
    return found
