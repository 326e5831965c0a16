"""``service.SummedDays`` renders the tracked hours' days itself (joined from pieces
orjson rendered, not from a dict per row): on random sums, names of any characters and
rates, given as the statement gives them (priced and sorted cells), the bytes must be
what ``kit.envelope.render`` makes of the rows the models (``UserDay`` with
``ProjectTime``) build from an independent summing here, and the export's member rows
and the totals the same numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assertions import ok
from tests.factories import Factory
from webwork.kit.envelope import render
from webwork.kit.money import in_cents, priced, priced_cents
from webwork.reports import service
from webwork.reports.localdays import day_number
from webwork.reports.repository import Cells, DayRow, ProjectDays
from webwork.reports.schemas import ProjectTime, UserDay
from webwork.reports.service import AmountsSeen, Rates, RunningTotals, SummedDays, full_name

FIRST, LAST = date(2024, 3, 9), date(2024, 3, 12)
USERS = (11, 12, 13, 14)
PROJECTS = (1, 2, 3)
CONTRACTS = (21, 22, 23)

text = st.text(max_size=6)
sums = st.lists(
    st.tuples(
        st.sampled_from(USERS),
        st.integers(day_number(FIRST), day_number(LAST)),
        st.sampled_from((*PROJECTS, None)),
        st.sampled_from((*CONTRACTS, None)),
        st.sampled_from((31, 32, None)),
        st.integers(0, 86_400),
    ),
    max_size=30,
    unique_by=lambda cell: cell[:5],  # one cell per member, day, project, contract, task
)
rates = st.one_of(st.none(), st.decimals(0, 100_000, places=2, allow_nan=False, allow_infinity=False))


def expected_days(cells: Cells, rates: Rates) -> dict[date, list[dict[str, Any]]]:
    """The rows the models make of the sums: every cell's whole minutes and amount (to
    the cent) summed per member, day, project and contract, members by name then id,
    projects by id then contract (none last); amounts only where the caller may see
    them."""
    per_project: dict[tuple[int, int, int | None, int | None], list[Any]]
    per_project = defaultdict(lambda: [0, Decimal(0)])
    for user_id, number, project_id, contract_id, _task, seconds in cells.sums:
        found = per_project[(number, user_id, project_id, contract_id)]
        found[0] += seconds // 60
        rate = None if contract_id is None else cells.rates[contract_id]
        billable = project_id is None or cells.projects[project_id][1]
        if rate is not None and billable:
            found[1] += priced(seconds // 60, rate)
    names = {user_id: full_name(*cells.users[user_id]) for _, user_id, _, _ in per_project}
    days: dict[date, list[dict[str, Any]]] = {}
    for n in range((LAST - FIRST).days + 1):
        number = day_number(FIRST) + n
        users = sorted({u for d, u, _, _ in per_project if d == number}, key=lambda u: (names[u].lower(), u))
        rows = []
        for user_id in users:
            keys = sorted(
                ((p, c) for d, u, p, c in per_project if (d, u) == (number, user_id)),
                key=lambda k: (k[0] is None, k[0] or 0, k[1] is None, k[1] or 0),
            )
            shown = rates.of_user(user_id)
            projects = []
            user_amount = Decimal(0)
            for project_id, contract_id in keys:
                whole, amount = per_project[(number, user_id, project_id, contract_id)]
                user_amount += amount
                project = ProjectTime(
                    project_id=project_id,
                    project_name=None if project_id is None else cells.projects[project_id][0],
                    contract_id=contract_id,
                    total_minutes=whole,
                )
                if shown:
                    project.total_amount = rates.shown(amount)
                projects.append(project)
            row = UserDay(
                user_id=user_id,
                user_name=names[user_id],
                total_minutes=sum(p.total_minutes for p in projects),
                projects=projects,
            )
            if shown:
                row.total_amount = rates.shown(user_amount)
            rows.append(row.model_dump(mode="json", exclude_unset=True))
        days[FIRST + timedelta(days=n)] = rows
    return days


def statement_rows(cells: Cells) -> ProjectDays:
    """The cells as ``repository.project_days`` reads them: priced, sorted (none
    last)."""
    rows: list[DayRow] = []
    for user_id, number, project_id, contract_id, _task, total in cells.sums:
        rate = None if contract_id is None else cells.rates[contract_id]
        billable = project_id is None or cells.projects[project_id][1]
        whole = total // 60
        cents = priced_cents(whole, in_cents(rate)) if rate is not None and billable else 0
        rows.append((user_id, number, project_id, contract_id, whole, cents))
    rows.sort(key=lambda r: (r[0], r[1], r[2] is None, r[2] or 0, r[3] is None, r[3] or 0))
    projects = {project_id: name for project_id, (name, _) in cells.projects.items()}
    return ProjectDays(rows, cells.users, projects)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    found=sums,
    names=st.lists(st.tuples(text, text, text), min_size=len(USERS), max_size=len(USERS)),
    project_names=st.lists(text, min_size=len(PROJECTS), max_size=len(PROJECTS)),
    billable=st.lists(st.booleans(), min_size=len(PROJECTS), max_size=len(PROJECTS)),
    contract_rates=st.lists(rates, min_size=len(CONTRACTS), max_size=len(CONTRACTS)),
    caller=st.integers(0, 2),
)
async def test_days_render_as_the_models_dump(
    factory: Factory,
    found: list[Any],
    names: list[tuple[str, str, str]],
    project_names: list[str],
    billable: list[bool],
    contract_rates: list[Decimal | None],
    caller: int,
) -> None:
    space = await factory.space()
    actor = space.actor() if caller < 2 else space.actor(await factory.person(space))
    shown = Rates.of(actor, ["EUR"] if caller == 1 else None)
    seen = AmountsSeen({user_id: shown.of_user(user_id) for user_id in USERS}, list(shown.shown(Decimal(0))))
    cells = Cells(
        sums=found,
        users=dict(zip(USERS, names, strict=True)),
        projects={p: (name, bill) for p, name, bill in zip(PROJECTS, project_names, billable, strict=True)},
        rates=dict(zip(CONTRACTS, contract_rates, strict=True)),
    )
    expected = expected_days(cells, shown)

    totals = RunningTotals()
    read = statement_rows(cells)
    rendered = SummedDays(read, seen, FIRST, LAST, totals).json()
    assert len(rendered) == len(expected)
    for day, rows in zip(rendered, expected.values(), strict=True):
        assert day == render(rows)
    every = [row for rows in expected.values() for row in rows]
    assert totals.minutes == sum(row["total_minutes"] for row in every)
    amounts = [Decimal(str(amount)) for row in every for amount in row.get("total_amount", {}).values()]
    if caller != 1:  # another currency shows {}, whatever the amounts
        assert totals.amount == sum(amounts, Decimal(0))

    exported = SummedDays(read, seen, FIRST, LAST, RunningTotals()).members()
    assert [(m.day, m.user_id, m.user_name, m.total_minutes, m.total_amount) for m in exported] == [
        (day, row["user_id"], row["user_name"], row["total_minutes"], row.get("total_amount"))
        for day, rows in expected.items()
        for row in rows
    ]


async def test_a_large_report_is_rendered_in_a_process_with_the_same_answer(
    factory: Factory,
    app: FastAPI,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock: Callable[[datetime], None],
) -> None:
    """On PostgreSQL, whose driver would decode a large report's rows on the event loop
    (SQLite's reads them in its own thread: rendered in a thread too)."""
    frozen_clock(datetime(2024, 4, 1, tzinfo=UTC))
    space = await factory.space()
    member = await factory.person(space, firstname="Ünal", lastname='"Quote"')
    project = await factory.project(space, name="Straße\n", is_billable=True)
    contract = await factory.contract(project, member, rate=Decimal("47.5"))
    for day in (9, 10, 11):
        start = datetime(2024, 3, day, 22, tzinfo=UTC)
        await factory.entry(member, start, start + timedelta(hours=3, seconds=7), contract=contract)
        await factory.entry(space.owner, start, start + timedelta(minutes=13))
    params = {**space.ws, "start_date": FIRST.isoformat(), "end_date": LAST.isoformat()}
    in_thread = ok(await space.owner.api.get("/reports/tracked-hours", params=params))

    offloaded: list[Any] = []
    run = app.state.offload.run

    async def spied(function: Callable[[Any], Any], argument: Any) -> Any:
        offloaded.append(function)
        return await run(function, argument)

    monkeypatch.setattr(app.state.offload, "run", spied)
    monkeypatch.setattr(service, "OFFLOAD_MEMBER_DAYS", 1)
    in_process = ok(await space.owner.api.get("/reports/tracked-hours", params=params))
    assert offloaded == ([service.render_days] if database_url.startswith("postgresql") else [])
    assert in_process["data"] == in_thread["data"]
    (row,) = [row for row in in_process["data"]["2024-03-10"] if row["user_id"] == member.id]
    assert row["user_name"] == 'Ünal "Quote"' and row["projects"][0]["project_name"] == "Straße\n"
    assert in_process["meta"]["totals"] == in_thread["meta"]["totals"]
