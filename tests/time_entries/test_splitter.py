"""Properties of the pure overlap/limit splitter, for random existing time and requests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from webwork.time_entries.recording import whole_minutes
from webwork.time_entries.splitter import (
    OVERLAP_REASON,
    Interval,
    Limit,
    WeekBudget,
    free_parts,
    merge,
    split,
)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
WEEK = 7 * 24 * 3600
HORIZON = 3 * WEEK


def at(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def span(a: int, b: int) -> Interval:
    return Interval(at(a), at(b))


@st.composite
def intervals(draw: st.DrawFn, max_length: int = 2 * WEEK) -> Interval:
    start = draw(st.integers(0, HORIZON))
    length = draw(st.integers(1, max_length))
    return span(start, min(HORIZON + WEEK, start + length))


@st.composite
def limits(draw: st.DrawFn) -> Limit:
    weeks = [
        WeekBudget(span(w * WEEK, (w + 1) * WEEK), draw(st.integers(0, 60 * 3600)))
        for w in range(HORIZON // WEEK + 2)
    ]
    return Limit(reason=draw(st.sampled_from(["member limit", "contract limit"])), weeks=weeks)


def overlap(a: Interval, b: Interval) -> int:
    return max(0, int((min(a.end, b.end) - max(a.start, b.start)).total_seconds()))


@settings(max_examples=300, deadline=None)
@given(
    request=intervals(),
    busy=st.lists(intervals(max_length=3 * 24 * 3600), max_size=8),
    limit_list=st.lists(limits(), max_size=2),
)
def test_saved_parts_respect_every_rule(
    request: Interval, busy: list[Interval], limit_list: list[Limit]
) -> None:
    result = split(request, busy, limit_list)
    saved = result.saved
    # inside the request, ordered, non-empty, pairwise disjoint
    assert all(request.start <= p.start < p.end <= request.end for p in saved)
    assert all(a.end < b.start for a, b in itertools.pairwise(saved))
    # never over existing time
    assert all(overlap(p, b) == 0 for p in saved for b in busy)
    # never beyond any limit in any week
    for limit in limit_list:
        for week in limit.weeks:
            assert sum(overlap(p, week.window) for p in saved) <= week.remaining_seconds
    # the totals tell the truth
    assert result.saved_seconds == sum(p.seconds for p in saved)
    assert whole_minutes(result.saved_seconds) == sum(p.seconds for p in saved) // 60
    assert result.saved_seconds + sum(result.refused.values()) == request.seconds
    if result.saved_seconds < request.seconds:
        assert result.reasons


@settings(max_examples=200, deadline=None)
@given(request=intervals(), busy=st.lists(intervals(max_length=3 * 24 * 3600), max_size=8))
def test_without_limits_everything_free_is_saved(request: Interval, busy: list[Interval]) -> None:
    result = split(request, busy, [])
    covered = sum(overlap(request, b) for b in merge(busy))
    assert result.saved_seconds == request.seconds - covered
    assert (OVERLAP_REASON in result.reasons) == (covered > 0)


def test_overlap_in_the_middle_leaves_two_parts() -> None:
    parts = free_parts(span(0, 8 * 3600), [span(3 * 3600, 4 * 3600)])
    assert parts == [span(0, 3 * 3600), span(4 * 3600, 8 * 3600)]


def test_limit_fills_chronologically_and_per_week() -> None:
    # Saturday 20:00 -> Monday 04:00 with 2 h left in the first week and 3 h in the second.
    sat_20 = 5 * 24 * 3600 + 20 * 3600
    request = span(sat_20, sat_20 + 32 * 3600)
    limit = Limit(
        "member limit", [WeekBudget(span(0, WEEK), 2 * 3600), WeekBudget(span(WEEK, 2 * WEEK), 3 * 3600)]
    )
    result = split(request, [], [limit])
    assert result.saved == [span(sat_20, sat_20 + 2 * 3600), span(WEEK, WEEK + 3 * 3600)]
    assert result.refused == {"member limit": 27 * 3600}


def test_tightest_limit_is_the_reason() -> None:
    member = Limit("member", [WeekBudget(span(0, WEEK), 5 * 3600)])
    contract = Limit("contract", [WeekBudget(span(0, WEEK), 2 * 3600)])
    result = split(span(0, 8 * 3600), [], [member, contract])
    assert result.saved == [span(0, 2 * 3600)]
    assert result.reasons == ["contract"]
