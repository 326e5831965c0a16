"""The one loader of what time is recorded on, called as every recording path calls it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory
from webwork.kit.errors import Forbidden
from webwork.time_entries.assignment import Unusable, load_assignment, load_member, visible_member


async def test_a_usable_assignment_names_its_rows(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await factory.contracted_task()
    chosen = await load_assignment(session, space.actor(), john.id, contract.id, task.id)
    assert chosen.row() == {"contract_id": contract.id, "project_id": project.id, "task_id": task.id}
    assert (chosen.project_name, chosen.task_title) == (project.name, task.title)
    nothing = await load_assignment(session, space.actor(), john.id, None, None)
    assert nothing.row() == {"contract_id": None, "project_id": None, "task_id": None}


async def test_every_rule_refuses_with_its_field_and_reason(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await factory.contracted_task()
    actor = space.actor()
    other = await factory.person(space)
    other_contract = await factory.contract(project, other)
    paused = await factory.contract(await factory.project(space), john, status="paused")
    archived = await factory.contract(await factory.project(space, status=0), john)
    foreign_task = await factory.task(await factory.project(space))
    deleted_task = await factory.task(project, deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
    *_, elsewhere_contract, elsewhere_task = await factory.contracted_task()
    cases = [
        ((None, task.id), "task_id", "a task can only be used with a contract (contract_id)"),
        ((other_contract.id, None), "contract_id", "the contract does not belong to this user"),
        ((paused.id, None), "contract_id", "the contract is not active"),
        ((archived.id, None), "contract_id", "the contract's project is archived"),
        ((contract.id, foreign_task.id), "task_id", "the task does not belong to the contract's project"),
        ((contract.id, deleted_task.id), "task_id", "the selected task id is invalid"),
        ((elsewhere_contract.id, None), "contract_id", "the selected contract id is invalid"),
        ((contract.id, elsewhere_task.id), "task_id", "the selected task id is invalid"),
    ]
    for (contract_id, task_id), field, reason in cases:
        with pytest.raises(Unusable) as refused:
            await load_assignment(session, actor, john.id, contract_id, task_id)
        assert refused.value.reason == reason
        assert refused.value.errors == {field: [f"{reason[0].upper()}{reason[1:]}."]}


async def test_an_unchecked_assignment_is_loaded_as_it_is(factory: Factory, session: AsyncSession) -> None:
    """A correction that keeps an entry's contract does not check it again."""
    space, john, *_ = await factory.contracted_task()
    paused = await factory.contract(await factory.project(space), john, status="paused")
    chosen = await load_assignment(session, space.actor(), john.id, paused.id, None, check=False)
    assert chosen.contract is not None and chosen.contract.id == paused.id
    with pytest.raises(Unusable):
        await load_assignment(session, space.actor(), john.id, 999_999, None, check=False)


async def test_members_are_those_the_actor_may_see(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.contracted_task()
    mary = await factory.person(space)
    stranger = await factory.person(await factory.space())
    refusal = "You may not see this member's tracker."
    assert (await load_member(session, space.actor(), john.id)).user.id == john.id
    assert (await visible_member(session, space.actor(john), john.id, refusal)).id == john.id
    with pytest.raises(Forbidden):
        await visible_member(session, space.actor(john), mary.id, refusal)
    # a stranger is hidden like a member the actor may not see; an owner is told the id is bad
    with pytest.raises(Forbidden):
        await visible_member(session, space.actor(john), stranger.id, refusal)
    with pytest.raises(Unusable) as bad:
        await visible_member(session, space.actor(), stranger.id, refusal)
    assert bad.value.errors == {"user_id": ["The selected user id is invalid."]}
