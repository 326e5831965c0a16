"""Which parts of a requested interval may be recorded: pure computation, no I/O.

Two rules cut a request [start, end):
1. time the person already recorded (in this workspace, running timers included) is not
   recorded twice: only the *free parts* remain;
2. weekly limits: the free parts are filled in chronological order while every limit
   still has room in the week each instant falls in.

Everything here works in whole seconds on aware UTC datetimes so that it can be
property-tested without a database (tests/time_entries/test_splitter.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

OVERLAP_REASON = "overlaps existing time"


@dataclass(frozen=True, order=True)
class Interval:
    """Half-open [start, end)."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return max(0, int((self.end - self.start).total_seconds()))


@dataclass(frozen=True)
class WeekBudget:
    """Room left under one limit in one week: ``window`` is the week's [start, end) in
    UTC, ``remaining_seconds`` what may still be recorded in it (never negative)."""

    window: Interval
    remaining_seconds: int


@dataclass(frozen=True)
class Limit:
    """A weekly limit with its budget for every week the request touches. An instant in
    no listed week is not limited by it. ``reason`` is shown when it cuts time."""

    reason: str
    weeks: Sequence[WeekBudget]


@dataclass(frozen=True)
class Split:
    saved: list[Interval]
    requested_seconds: int
    # seconds refused per reason, in the order the reasons first applied
    refused: dict[str, int] = field(default_factory=dict)

    @property
    def saved_seconds(self) -> int:
        return sum(part.seconds for part in self.saved)

    @property
    def reasons(self) -> list[str]:
        return [reason for reason, seconds in self.refused.items() if seconds > 0]


def merge(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of ``intervals`` (empty ones dropped)."""
    merged: list[Interval] = []
    for part in sorted(i for i in intervals if i.end > i.start):
        if merged and part.start <= merged[-1].end:
            if part.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, part.end)
        else:
            merged.append(part)
    return merged


def free_parts(request: Interval, busy: Sequence[Interval]) -> list[Interval]:
    """The parts of ``request`` that no interval of ``busy`` covers, in order."""
    parts: list[Interval] = []
    cursor = request.start
    for taken in merge(busy):
        if taken.end <= cursor:
            continue
        if taken.start >= request.end:
            break
        if taken.start > cursor:
            parts.append(Interval(cursor, min(taken.start, request.end)))
        cursor = max(cursor, taken.end)
        if cursor >= request.end:
            break
    if cursor < request.end:
        parts.append(Interval(cursor, request.end))
    return parts


def _boundaries(part: Interval, limits: Sequence[Limit]) -> list[datetime]:
    """Instants inside ``part`` where some limit's week changes."""
    cuts = {
        edge
        for limit in limits
        for week in limit.weeks
        for edge in (week.window.start, week.window.end)
        if part.start < edge < part.end
    }
    return sorted(cuts)


def _week_index(limit: Limit, instant: datetime) -> int | None:
    for index, week in enumerate(limit.weeks):
        if week.window.start <= instant < week.window.end:
            return index
    return None


def cut_by_limits(
    parts: Sequence[Interval], limits: Sequence[Limit]
) -> tuple[list[Interval], dict[str, int]]:
    """Fill ``parts`` chronologically while every limit has room in the current week.

    Returns the saved intervals and the seconds refused per limit reason (a piece cut
    by several limits at once is charged to the first, tightest one)."""
    remaining = [[week.remaining_seconds for week in limit.weeks] for limit in limits]
    saved: list[Interval] = []
    refused: dict[str, int] = {}
    for part in sorted(parts):
        edges = [part.start, *_boundaries(part, limits), part.end]
        for piece_start, piece_end in pairwise(edges):
            piece = Interval(piece_start, piece_end)
            room = piece.seconds
            binding: str | None = None
            slots: list[tuple[int, int]] = []
            for limit_index, limit in enumerate(limits):
                week = _week_index(limit, piece.start)
                if week is None:
                    continue
                slots.append((limit_index, week))
                available = max(0, remaining[limit_index][week])
                if available < room:
                    room, binding = available, limit.reason
            for limit_index, week in slots:
                remaining[limit_index][week] -= room
            if room > 0:
                end = piece.start + timedelta(seconds=room)
                if saved and saved[-1].end == piece.start:
                    saved[-1] = Interval(saved[-1].start, end)
                else:
                    saved.append(Interval(piece.start, end))
            if binding is not None:
                refused[binding] = refused.get(binding, 0) + piece.seconds - room
    return saved, refused


def split(request: Interval, busy: Sequence[Interval], limits: Sequence[Limit]) -> Split:
    """Apply both rules to ``request``: what may be saved and why the rest may not."""
    parts = free_parts(request, busy)
    refused: dict[str, int] = {}
    overlap = request.seconds - sum(part.seconds for part in parts)
    if overlap > 0:
        refused[OVERLAP_REASON] = overlap
    saved, limited = cut_by_limits(parts, limits)
    refused.update(limited)
    return Split(saved=saved, requested_seconds=request.seconds, refused=refused)
