"""How much time one recording may cover, and when.

One manual entry, time request or stopped timer covers at most :data:`MAX_SPAN`, never
ends later than now plus :data:`CLOCK_SKEW` (clients' clocks drift a little), and lies on
dates :data:`FIRST_DAY`..:data:`LAST_DAY`: dates both databases store, far from
``datetime``'s limits, so no request reaches an overflow, and the rules that walk a
recording's days and weeks never walk more than two weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from webwork.kit import clock
from webwork.kit.errors import invalid
from webwork.kit.types import FIRST_DAY, LAST_DAY

MAX_SPAN = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime.combine(FIRST_DAY, time(0), tzinfo=UTC)
DAY_RANGE = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"


def check_day(value: date, field: str) -> date:
    """A date a recording may lie on (for schema validators: raises ``ValueError``)."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"The {field.replace('_', ' ')} must be {DAY_RANGE}.")
    return value


@dataclass(frozen=True)
class Fields:
    """The request fields a 422 about a recording's start and end names."""

    start: str = "start_time"
    end: str = "end_time"

    @property
    def start_label(self) -> str:
        return self.start.replace("_", " ")

    @property
    def end_label(self) -> str:
        return self.end.replace("_", " ")


def check_span(start: datetime, end: datetime, fields: Fields = Fields()) -> None:
    """422 unless [start, end) starts on or after :data:`EARLIEST`, covers at most
    :data:`MAX_SPAN` and ends by now plus :data:`CLOCK_SKEW`."""
    begin, finish = fields.start_label, fields.end_label
    if start < EARLIEST:
        raise invalid(fields.start, f"The {begin} must be on or after {FIRST_DAY.isoformat()}.")
    if end - start > MAX_SPAN:
        hours = int(MAX_SPAN.total_seconds()) // 3600
        raise invalid(fields.end, f"The {finish} must be at most {hours} hours after the {begin}.")
    if end > clock.utcnow() + CLOCK_SKEW:
        raise invalid(fields.end, f"The {finish} must not be in the future.")
