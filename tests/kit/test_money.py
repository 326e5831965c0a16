"""``kit.money``: minutes at an hourly rate are the exact amount rounded half to even
to the cent, in Python and in SQL (the days of tracked hours are priced in their
statement, the groups, timesheets and exports in Python: they must add up alike)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit.money import in_cents, priced, priced_cents, priced_cents_sql

# A year of minutes; rates of Money (Numeric(12, 2), at least zero), in cents.
minutes = st.integers(0, 366 * 24 * 60)
rate_cents = st.one_of(st.integers(0, 100_000), st.integers(0, 10**12 - 1))


@given(minutes=minutes, rate=rate_cents)
def test_cents_are_the_exact_amount_rounded_half_to_even(minutes: int, rate: int) -> None:
    assert priced_cents(minutes, rate) == round(Fraction(minutes * rate, 60))


def test_a_tie_rounds_to_the_even_cent() -> None:
    # 2 minutes at 45.45 are 1.515 exactly; at 45.75, 1.525.
    assert priced(2, Decimal("45.45")) == Decimal("1.52")
    assert priced(2, Decimal("45.75")) == Decimal("1.52")
    assert priced(90, Decimal("50")) == Decimal("75.00")
    assert in_cents(Decimal("45.45")) == 4545


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(minutes, rate_cents), min_size=1, max_size=40))
async def test_sql_prices_as_python_does(session: AsyncSession, pairs: list[tuple[int, int]]) -> None:
    columns = [
        priced_cents_sql(literal(m, BigInteger), literal(r, BigInteger)).label(f"c{n}")
        for n, (m, r) in enumerate(pairs)
    ]
    found = (await session.execute(select(*columns))).one()
    assert list(found) == [priced_cents(m, r) for m, r in pairs]
