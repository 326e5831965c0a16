"""`/time-entries`: owners and executive managers list, add, correct and remove time
(the owner's time only the owner)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import AdminActor, SessionDep
from webwork.kit.envelope import Envelope, MessageEnvelope, respond
from webwork.kit.pagination import PageDep
from webwork.kit.types import Day, Id
from webwork.time_entries import service
from webwork.time_entries.recording import METHOD_LABELS, whole_minutes
from webwork.time_entries.schemas import (
    TimeEntryCreate,
    TimeEntryCreated,
    TimeEntryDelete,
    TimeEntryItem,
    TimeEntryUpdate,
)

router = APIRouter(prefix="/time-entries", tags=["Time Entries"])


class EntryFields(Protocol):
    """What an entry's answer is made of: a :class:`TimeEntry`, or a listed row."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def user_id(self) -> int: ...
    @property
    def contract_id(self) -> int | None: ...
    @property
    def project_id(self) -> int | None: ...
    @property
    def task_id(self) -> int | None: ...
    @property
    def activity_description(self) -> str | None: ...
    @property
    def method(self) -> str: ...
    @property
    def start_at(self) -> dt.datetime: ...
    @property
    def end_at(self) -> dt.datetime | None: ...
    @property
    def duration_seconds(self) -> int | None: ...
    @property
    def activity_level(self) -> int | None: ...


def entry_item(
    entry: EntryFields, project_name: str | None, task_title: str | None, timezone: str
) -> dict[str, Any]:
    """An entry as :class:`TimeEntryItem` documents it, built as plain values directly
    (the UUID, date and UTC timestamps encoded by the response, see
    ``kit.envelope.RENDER_OPTIONS``): a list builds hundreds, and a model per row
    (validated, then dumped) cost more than reading them. ``tests/time_entries``
    checks the two agree."""
    assert entry.end_at is not None
    return {
        "id": entry.id,
        "user_id": entry.user_id,
        "contract_id": entry.contract_id,
        "project_id": entry.project_id,
        "project_name": project_name,
        "task_id": entry.task_id,
        "task_title": task_title,
        "activity_description": entry.activity_description,
        "method": METHOD_LABELS.get(entry.method, entry.method),
        "date": service.local_date(entry.start_at, timezone),
        "start_time": entry.start_at,
        "end_time": entry.end_at,
        "duration_minutes": whole_minutes(entry.duration_seconds or 0),
        "activity_level": entry.activity_level,
    }


@router.get(
    "",
    response_model=Envelope[list[TimeEntryItem]],
    operation_id="getTimeEntries",
    summary="List a member's time entries of one day",
)
async def get_time_entries(
    actor: AdminActor,
    session: SessionDep,
    page: PageDep,
    user_id: Annotated[Id, Query(description="Filter by user ID")],
    date: Annotated[Day, Query(description="Local date of the member (Y-m-d)")],
    project_id: Annotated[Id | None, Query()] = None,
    task_id: Annotated[Id | None, Query()] = None,
) -> JSONResponse:
    """The finished entries of a member that touch the member's local ``date``,
    optionally of one project or task, oldest first and paginated. Owners and executive
    managers only."""
    result, member = await service.list_page(
        session, actor, user_id=user_id, day=date, project_id=project_id, task_id=task_id, params=page
    )
    items = [
        entry_item(entry, entry.project_name, entry.task_title, member.timezone) for entry in result.items
    ]
    return respond(items, "Time entries retrieved successfully", pagination=result.pagination)


# The hosted documentation's example of a manual entry (``../REFERENCE.md``: exact).
NEW_ENTRY = {
    "workspace_id": 1,
    "user_id": 100,
    "contract_id": 20,
    "task_id": 5,
    "notes": "Working on feature implementation",
    "date": "2026-01-29",
    "start_time": "09:00",
    "end_time": "17:00",
}
ENTRY_CREATED = {
    "success": True,
    "message": "8 hr successfully added for John Doe.",
    "saved_minutes": 480,
    "data": {
        "user_id": 100,
        "contract_id": 20,
        "project_id": 10,
        "project_name": "Website Redesign",
        "task_id": 5,
        "task_title": "Update homepage design",
        "activity_description": "Working on feature implementation",
        "method": "Manually added time",
        "date": "2026-01-29",
        "start_time": "2026-01-29T09:00:00Z",
        "end_time": "2026-01-29T17:00:00Z",
        "duration_minutes": 480,
    },
    "meta": {"api_version": "2.0.0", "timestamp": "2026-01-29T12:00:00Z"},
}


@router.post(
    "",
    status_code=201,
    response_model=Envelope[TimeEntryCreated],
    operation_id="createTimeEntry",
    summary="Add time manually",
    responses={201: {"content": {"application/json": {"example": ENTRY_CREATED}}}},
    openapi_extra={"requestBody": {"content": {"application/json": {"example": NEW_ENTRY}}}},
)
async def create_time_entry(actor: AdminActor, session: SessionDep, body: TimeEntryCreate) -> JSONResponse:
    """Record ``date start_time..end_time`` (the member's wall clock) for a member. Time
    overlapping the member's other entries and time beyond the weekly limits is not
    saved: ``saved_minutes`` says what was, the message why the rest was not (422 when
    nothing can be saved). ``data`` describes the request as saved: ``start_time`` and
    ``end_time`` span the saved parts, and a request cut in the middle is saved as
    several entries, listed in ``time_entry_ids``; each keeps the ``activity_level``
    (0..100) sent."""
    created = await service.create(session, actor, body)
    recorded = created.recorded
    # Plain values, as entry_item builds a listed entry (tests check TimeEntryCreated agrees).
    on = created.assignment.row()
    data = {
        "user_id": created.member.id,
        "contract_id": on["contract_id"],
        "project_id": on["project_id"],
        "project_name": created.assignment.project_name,
        "task_id": on["task_id"],
        "task_title": created.assignment.task_title,
        "activity_description": created.description,
        "method": METHOD_LABELS["manual"],
        "date": created.day,
        "start_time": recorded.entries[0].start_at,
        "end_time": recorded.entries[-1].end_at,
        "duration_minutes": recorded.saved_minutes,
        "activity_level": body.activity_level,
        "time_entry_ids": [entry.id for entry in recorded.entries],
    }
    return respond(data, created.message(), status_code=201, extra={"saved_minutes": recorded.saved_minutes})


@router.put(
    "/{time_entry_id}",
    response_model=Envelope[TimeEntryItem],
    operation_id="updateTimeEntry",
    summary="Correct a time entry",
)
async def update_time_entry(
    time_entry_id: str, actor: AdminActor, session: SessionDep, body: TimeEntryUpdate
) -> JSONResponse:
    """Change an entry's date, times, project, task, notes or activity level; a time left out keeps its
    old value. The corrected entry must fit whole: no overlap with the member's other
    time, within the weekly limits (422 otherwise), and neither its old nor its new
    period locked by an approved timesheet (409). ``data`` is the entry as it now is."""
    shown = await service.update(session, actor, time_entry_id, body)
    item = entry_item(shown.entry, shown.project_name, shown.task_title, shown.timezone)
    return respond(item, "Time entry updated successfully")


@router.delete(
    "/{time_entry_id}",
    response_model=MessageEnvelope,
    operation_id="deleteTimeEntry",
    summary="Delete a time entry",
)
async def delete_time_entry(
    time_entry_id: str,
    actor: AdminActor,
    session: SessionDep,
    body: Annotated[TimeEntryDelete | None, Body()] = None,
) -> JSONResponse:
    """Remove an entry, or discard a running timer, unless its period is locked by an
    approved timesheet (409)."""
    await service.delete(session, actor, time_entry_id)
    return respond(message="Time entry deleted successfully", include_data=False)
