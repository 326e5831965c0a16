"""The operator's `bootstrap`: keeps what it is not asked to change, and says what it did."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory
from webwork.auth.roles import Role
from webwork.bootstrap import bootstrap, key_hint
from webwork.kit.errors import ValidationFailed
from webwork.models import Membership, User


async def _role_and_status(session: AsyncSession, workspace_id: int, user_id: int) -> tuple[str, str]:
    row = (
        await session.execute(
            select(Membership.role, Membership.status)
            .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return row[0], row[1]


async def test_an_existing_membership_keeps_its_role_without_role(
    factory: Factory, session: AsyncSession
) -> None:
    space = await factory.space()
    done = await bootstrap(session, email=space.owner.user.email, workspace_id=space.id)
    assert done.user_id == space.owner.id and done.api_key.startswith("wwk_")
    assert await _role_and_status(session, space.id, space.owner.id) == ("owner", "active")
    assert f"kept the role Owner in workspace {space.id}" in done.changes


async def test_a_given_role_is_applied_and_reported(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    worker = await factory.person(space, "member")
    done = await bootstrap(session, email=worker.user.email, workspace_id=space.id, role=Role.TEAM_MANAGER)
    assert await _role_and_status(session, space.id, worker.id) == ("team_manager", "active")
    assert f"changed the role in workspace {space.id}: Regular User -> Team manager" in done.changes


async def test_the_owner_role_is_neither_given_nor_taken(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    worker = await factory.person(space, "member")
    with pytest.raises(ValidationFailed, match=re.escape("The workspace owner's role cannot be changed.")):
        await bootstrap(session, email=space.owner.user.email, workspace_id=space.id, role=Role.MEMBER)
    with pytest.raises(ValidationFailed, match=re.escape("The owner role cannot be assigned.")):
        await bootstrap(session, email=worker.user.email, workspace_id=space.id, role=Role.OWNER)
    with pytest.raises(ValidationFailed, match=re.escape("The owner role cannot be assigned.")):
        await bootstrap(session, email="new@example.com", workspace_id=space.id, role=Role.OWNER)


@pytest.mark.parametrize("status", ["inactive", "invited"])
async def test_an_archived_or_invited_membership_is_not_activated(
    factory: Factory, session: AsyncSession, status: str
) -> None:
    space = await factory.space()
    person = await factory.person(space, "member", status=status)
    done = await bootstrap(session, email=person.user.email, workspace_id=space.id)
    assert await _role_and_status(session, space.id, person.id) == ("member", status)
    assert any(f"membership in workspace {space.id} is {status}" in line for line in done.changes)


async def test_a_new_member_and_an_existing_user(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    known = await factory.user(firstname="Real", lastname="Name")
    done = await bootstrap(
        session, email=known.email.upper(), firstname="Other", lastname="Person", workspace_id=space.id
    )
    assert await _role_and_status(session, space.id, known.id) == ("member", "active")
    assert done.changes[0] == f"user {known.id} <{known.email}> already exists; its name is left as it is"
    assert f"added to workspace {space.id} as Regular User" in done.changes
    await session.refresh(known)
    assert (known.firstname, known.lastname) == ("Real", "Name")


@pytest.mark.parametrize("email", ["not-an-email", "a@", " ", "x@example..com"])
async def test_the_email_is_validated_as_the_api_does(session: AsyncSession, email: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape("The email field must be a valid email address.")):
        await bootstrap(session, email=email, workspace_name="W")
    assert await session.scalar(select(User).where(User.email == email.strip().lower())) is None


async def test_key_hint_names_the_first_workspace_and_its_owner(
    factory: Factory, session: AsyncSession
) -> None:
    loner = await factory.user()
    assert await key_hint(session) == f"bootstrap --email {loner.email} --workspace 'My workspace'"
    first, _ = await factory.space(), await factory.space()
    assert await key_hint(session) == f"bootstrap --email {first.owner.user.email} --workspace-id {first.id}"
