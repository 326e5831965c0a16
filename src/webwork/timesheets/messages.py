"""The wording of timesheet answers, as the hosted API words them."""

from __future__ import annotations

from datetime import date, datetime


def timesheet_changed(past: str) -> str:
    return f"Timesheet {past} successfully"


def timesheet_decided(
    past: str, by: str, at: datetime, member: str, period: tuple[date, date], reason: str | None
) -> str:
    """ "Timesheet approved by Jane Doe at 2024-01-15 10:30:00 | Member: John Smith |
    Period: 2024-01-01 to 2024-01-15", and " | Reason: <reason>" for a rejection."""
    first, last = period
    text = (
        f"Timesheet {past} by {by} at {at:%Y-%m-%d %H:%M:%S}"
        f" | Member: {member} | Period: {first.isoformat()} to {last.isoformat()}"
    )
    return text if reason is None else f"{text} | Reason: {reason}"
