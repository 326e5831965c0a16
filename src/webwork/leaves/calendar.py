"""Leave arithmetic without the database: which days of a leave are working days, what
a leave amounts to, and a policy's balance from the sums the repository adds up.

Balance of a member on a policy as of ``date_to`` (year ``Y`` = date_to's year):

- ``entitled``: yearly accrual grants the whole ``duration`` on January 1 of ``Y``;
  monthly accrual ``duration * m / 12`` where ``m`` is date_to's month (each started
  month counts), rounded to 0.01. Nobody's allowance is pro-rated by when they joined.
- ``carried_over`` into ``Y``: ``min(carry_over, max(0, duration - used(Y - 1)))``: the
  unused part of last year's full allowance, capped. Only last year's own allowance
  carries: days carried into a year and not used there expire with it (no chain).
  A policy is taken to apply in every year (it has no start date).
- ``used``/``pending``: the amounts of approved/pending leave starting in ``Y`` (a leave
  counts wholly in the year it starts); rejected and cancelled leave counts nowhere.
- ``accrued = entitled + carried_over``; ``remaining = accrued - used - pending`` (what may
  still be asked for); ``taken``: approved leave starting within date_from..date_to.

A request is refused beyond ``remaining`` of the year it starts in, unless the policy
allows a negative balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
HALF = Decimal("0.5")


def cents(value: Decimal | float | int | None) -> Decimal:
    """A sum read back from either database as an exact amount of hundredths (SQLite
    sums NUMERIC as floating point)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def working_days(first: date, last: date, work_days: frozenset[int], holidays: frozenset[date]) -> list[date]:
    """The dates first..last that fall on a work day (ISO weekday) and are no holiday."""
    days = []
    day = first
    while day <= last:
        if day.isoweekday() in work_days and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Sums:
    """What the repository adds up for one member and policy."""

    used: Decimal
    pending: Decimal
    used_last_year: Decimal
    taken: Decimal


@dataclass(frozen=True)
class Balance:
    entitled: Decimal
    carried_over: Decimal
    accrued: Decimal
    used: Decimal
    pending: Decimal
    remaining: Decimal
    taken: Decimal


def entitled(duration: Decimal, accrual: str, as_of: date) -> Decimal:
    if accrual == "monthly":
        return (duration * as_of.month / 12).quantize(CENT, rounding=ROUND_HALF_UP)
    return duration


def balance(duration: Decimal, accrual: str, carry_over: Decimal, as_of: date, sums: Sums) -> Balance:
    """The module's rule, on the sums of one member and policy."""
    granted = entitled(duration, accrual, as_of)
    carried = min(carry_over, max(ZERO, duration - sums.used_last_year))
    accrued = granted + carried
    return Balance(
        entitled=granted,
        carried_over=carried,
        accrued=accrued,
        used=sums.used,
        pending=sums.pending,
        remaining=accrued - sums.used - sums.pending,
        taken=sums.taken,
    )


def spelled(amount: Decimal, unit: str) -> str:
    """``10 days``, ``1 day``, ``7.5 hours``, ``-2 days``."""
    number = amount.normalize()
    text = f"{number:f}"
    noun = unit[:-1] if number == 1 else unit
    return f"{text} {noun}"
