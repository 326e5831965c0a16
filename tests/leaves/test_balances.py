"""The balance added up in SQL against a plain-Python reading of the rule in
``webwork.leaves.calendar``: random policies, leave of three years in every status, and
a random day the balance is asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Factory
from webwork.auth.roles import Role
from webwork.kit.pagination import PageParams
from webwork.leaves import service
from webwork.leaves.calendar import working_days
from webwork.models import Leave, LeavePolicy, LeavePolicyMember

STATUSES = ("pending", "approved", "rejected", "cancelled")


@dataclass(frozen=True)
class Taken:
    start: date
    status: str
    amount: Decimal


def model(
    duration: Decimal, accrual: str, carry_over: Decimal, leave: list[Taken], first: date, as_of: date
) -> dict[str, Decimal]:
    """The rule, read literally."""
    year = as_of.year

    def total(status: str, keep: object) -> Decimal:
        return sum((t.amount for t in leave if t.status == status and keep(t.start)), Decimal(0))  # type: ignore[operator]

    granted = duration
    if accrual == "monthly":
        granted = (duration * as_of.month / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    used_before = total("approved", lambda d: d.year == year - 1)
    carried = min(carry_over, max(Decimal(0), duration - used_before))
    used = total("approved", lambda d: d.year == year)
    pending = total("pending", lambda d: d.year == year)
    return {
        "entitled": granted,
        "carried_over": carried,
        "used": used,
        "pending": pending,
        "remaining": granted + carried - used - pending,
        "taken": total("approved", lambda d: first <= d <= as_of),
    }


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
amounts = st.integers(min_value=1, max_value=20).map(lambda n: Decimal(n) / 2)
leaves = st.lists(st.tuples(days, st.sampled_from(STATUSES), amounts), max_size=12)
policies = st.tuples(
    st.integers(min_value=0, max_value=60).map(Decimal),
    st.sampled_from(("yearly", "monthly")),
    st.integers(min_value=0, max_value=10).map(Decimal),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy=policies, taken=leaves, as_of=days, back=st.integers(min_value=0, max_value=400))
async def test_the_sql_balance_is_the_rule(
    factory: Factory,
    policy: tuple[Decimal, str, Decimal],
    taken: list[tuple[date, str, Decimal]],
    as_of: date,
    back: int,
) -> None:
    duration, accrual, carry_over = policy
    space = await factory.space()
    member = await factory.person(space, Role.MEMBER)
    row = LeavePolicy(
        workspace_id=space.id,
        name="P",
        time_unit="days",
        duration=duration,
        accrual=accrual,
        carry_over=carry_over,
    )
    factory.session.add(row)
    await factory.session.flush()
    factory.session.add(LeavePolicyMember(policy_id=row.id, user_id=member.id))
    for start, status, amount in taken:
        factory.session.add(
            Leave(
                workspace_id=space.id,
                user_id=member.id,
                policy_id=row.id,
                start_date=start,
                end_date=start,
                days=amount,
                hours=amount * 8,
                amount=amount,
                status=status,
            )
        )
    await factory.session.commit()
    first = max(date(2024, 1, 1), as_of - timedelta(days=back))
    page = await service.balances(
        factory.session, space.actor(), PageParams(), date_from=first, date_to=as_of, user_id=member.id
    )
    (found,) = page.items[0].leave_information
    expected = model(duration, accrual, carry_over, [Taken(*t) for t in taken], first, as_of)
    assert {key: getattr(found, key) for key in expected} == expected
    assert found.accrued == expected["entitled"] + expected["carried_over"]


def test_working_days_skip_the_weekend_and_holidays() -> None:
    week = frozenset({1, 2, 3, 4, 5})
    assert working_days(date(2026, 3, 9), date(2026, 3, 15), week, frozenset({date(2026, 3, 11)})) == [
        date(2026, 3, 9),
        date(2026, 3, 10),
        date(2026, 3, 12),
        date(2026, 3, 13),
    ]
    assert working_days(date(2026, 3, 14), date(2026, 3, 15), week, frozenset()) == []
