"""How the API words what happened to time: saved whole or in part, refused, decided.

Every message about recorded time is made here, so a save reads the same whichever way
the time arrived (a manual entry, an approved time request, a stopped timer): "8 hr
successfully added for John Doe.", and when part of it could not be saved "6 hr
successfully added for John Doe. 2 hr were not added: overlaps existing time.". A
reason is a clause ("overlaps existing time"); :func:`sentence` makes it the start of a
sentence for a refusal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from webwork.time_entries.splitter import OVERLAP_REASON

if TYPE_CHECKING:
    from webwork.time_entries.recording import Recorded

NOTHING_SAVED = "nothing was saved"
NOT_CHANGED = "the time entry was not changed"
TOO_SHORT = "the timer ran for less than a second"


def format_duration(seconds: int) -> str:
    """``28800`` -> "8 hr", ``5400`` -> "1 hr 30 min", ``6`` -> "6 sec", ``0`` -> "0 min".
    Seconds are named only when there are some, so whole minutes read as the hosted API
    writes them and a part minute is never shown as "0 min"."""
    minutes, rest = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{amount} {unit}" for amount, unit in ((hours, "hr"), (minutes, "min"), (rest, "sec")) if amount
    ]
    return " ".join(parts) or "0 min"


def limit_reached(whose: str, hours: Decimal) -> str:
    """The reason a weekly limit gives: "the member's weekly limit of 10 hr is reached"."""
    return f"the {whose} weekly limit of {format_duration(int(hours * 3600))} is reached"


def longest_timer(span: timedelta) -> str:
    """The reason a timer left running too long gives for the rest of its time."""
    return f"a timer saves at most {int(span.total_seconds()) // 3600} hours"


def sentence(reason: str) -> str:
    """A reason as the start of a sentence."""
    if reason == OVERLAP_REASON:
        return "The time overlaps existing entries"
    return f"{reason[0].upper()}{reason[1:]}"


def refused(reasons: Sequence[str], outcome: str) -> list[str]:
    """The 422 messages of time that could not be saved or changed at all, one per
    reason: "The time overlaps existing entries; nothing was saved."."""
    return [f"{sentence(reason)}; {outcome}." for reason in reasons]


def added(recorded: Recorded, fullname: str) -> str:
    """What a save kept, and what it did not and why."""
    message = f"{format_duration(recorded.saved_seconds)} successfully added for {fullname}."
    if recorded.unsaved_seconds > 0:
        unsaved = format_duration(recorded.unsaved_seconds)
        verb = "was" if unsaved in ("1 hr", "1 min", "1 sec") else "were"
        message += f" {unsaved} {verb} not added: {'; '.join(recorded.reasons)}."
    return message


def done(action: str, recorded: Recorded, fullname: str) -> str:
    """``action`` ("Timer stopped successfully") alone when all of the time was saved,
    followed by :func:`added` when part of it was not."""
    return action if recorded.unsaved_seconds <= 0 else f"{action}. {added(recorded, fullname)}"


def done_saving_nothing(action: str, reasons: Sequence[str]) -> str:
    return f"{action}. Nothing was saved: {'; '.join(reasons)}."
