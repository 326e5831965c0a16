"""An independent computation of the time reports' totals, in Python, from the entries
themselves: each entry cut at its member's local midnights (``kit.days``, zoneinfo),
whole minutes per member, day, project, contract and task, sums of those."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from webwork.kit.days import seconds_by_local_day

CellKey = tuple[int, date, int | None, int | None, int | None]


@dataclass(frozen=True)
class Recorded:
    user_id: int
    timezone: str
    project_id: int | None
    contract_id: int | None
    task_id: int | None
    start: datetime
    end: datetime


def cell_seconds(entries: list[Recorded], first: date, last: date) -> dict[CellKey, int]:
    cells: dict[CellKey, int] = defaultdict(int)
    for e in entries:
        for day, seconds in seconds_by_local_day(e.start, e.end, e.timezone).items():
            if first <= day <= last:
                cells[(e.user_id, day, e.project_id, e.contract_id, e.task_id)] += seconds
    return cells


def user_day_minutes(cells: dict[CellKey, int]) -> dict[tuple[date, int], int]:
    found: dict[tuple[date, int], int] = defaultdict(int)
    for (user_id, day, *_), seconds in cells.items():
        found[(day, user_id)] += seconds // 60
    return {key: minutes for key, minutes in found.items()}


def project_minutes(cells: dict[CellKey, int]) -> dict[tuple[date, int, int | None, int | None], int]:
    found: dict[tuple[date, int, int | None, int | None], int] = defaultdict(int)
    for (user_id, day, project_id, contract_id, _), seconds in cells.items():
        found[(day, user_id, project_id, contract_id)] += seconds // 60
    return dict(found)


def amount(cells: dict[CellKey, int], rates: dict[int, Decimal]) -> Decimal:
    """Each cell's whole minutes at its contract's hourly rate, to the cent, summed."""
    total = Decimal(0)
    for (_, _, _, contract_id, _), seconds in cells.items():
        rate = rates.get(contract_id) if contract_id is not None else None
        if rate is not None:
            total += (Decimal(seconds // 60) / 60 * rate).quantize(Decimal("0.01"))
    return total
