"""Time at an hourly rate, in money: one rounding rule, in Python and in SQL.

Whole minutes at a rate (``Money``: at least zero, whole cents) are
``minutes * rate / 60``, rounded half to even to the cent. Computed exactly in integer
cents (``minutes * rate_cents`` over 60): dividing the minutes by 60 first, as
``Decimal`` did, rounds a 28-digit quotient, which misses the ties (2 minutes at 45.45
is 1.515 exactly, so 1.52; 1.51 that way). The same rule as an SQL expression lets a
report price its cells in the statement that sums them, and add up what Python would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement


def in_cents(rate: Decimal) -> int:
    """A rate of whole cents (``Money``) as an integer number of them."""
    return int(rate.scaleb(2).to_integral_value())


def priced_cents(minutes: int, rate_cents: int) -> int:
    """``minutes`` (at least zero) at an hourly rate of ``rate_cents``, in cents,
    rounded half to even."""
    quotient, remainder = divmod(minutes * rate_cents, 60)
    if remainder > 30 or (remainder == 30 and quotient % 2 == 1):
        return quotient + 1
    return quotient


def priced(minutes: int, rate: Decimal) -> Decimal:
    """``minutes`` at an hourly ``rate``, rounded half to even to the cent."""
    return Decimal(priced_cents(minutes, in_cents(rate))).scaleb(-2)


def priced_cents_sql(minutes: ColumnElement[Any], rate_cents: ColumnElement[Any]) -> ColumnElement[int]:
    """:func:`priced_cents` in SQL, for integers of at least zero (where SQL's integer
    division and remainder are Python's), in fewer operations: half a unit (30) up,
    then one back where that lands on a tie's odd neighbour (``(n + 30) % 120 == 60``:
    ``n`` was 30 past an even multiple of 60)."""
    halved = minutes * rate_cents + 30
    return halved // 60 - case((halved % 120 == 60, 1), else_=0)
