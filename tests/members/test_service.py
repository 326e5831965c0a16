from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import ApiClient, Factory
from webwork.auth.roles import Role
from webwork.bootstrap import bootstrap
from webwork.members import repository
from webwork.members.schemas import MemberInvite, MemberUpdate
from webwork.models import Membership, User


def test_update_body_parses_flags_roles_and_blanks() -> None:
    body = MemberUpdate.model_validate(
        {
            "rate_status": 1,
            "remove_avatar": True,
            "role": "Regular User",
            "weekly_hours_limit": "",
            "rate": "",
        }
    )
    assert body.rate_status == 1 and body.remove_avatar == 1 and body.role is Role.MEMBER
    assert body.weekly_hours_limit is None and body.rate is None
    assert body.provided() == {
        "rate_status": 1,
        "remove_avatar": 1,
        "role": Role.MEMBER,
        "weekly_hours_limit": None,
        "rate": None,
    }
    assert MemberUpdate.model_validate({"rate_status": False}).rate_status == 0
    assert MemberUpdate.model_validate({"timezone": " Europe/Paris "}).timezone == "Europe/Paris"


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "../etc/passwd", "", "utc+2"])
def test_timezone_must_be_iana(timezone: str) -> None:
    with pytest.raises(ValidationError):
        MemberUpdate.model_validate({"timezone": timezone})


def test_invite_email_is_stripped_and_checked() -> None:
    body = MemberInvite.model_validate(
        {"email": " a@example.com ", "firstname": "A", "lastname": "B", "role": "executive"}
    )
    assert body.email == "a@example.com" and body.role is Role.EXECUTIVE_MANAGER
    with pytest.raises(ValidationError):
        MemberInvite.model_validate({"email": "a@", "firstname": "A", "lastname": "B", "role": "member"})


async def test_credentials_decide_who_may_accept_anonymously(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    fresh = await factory.person(space, "member", status="invited")
    # The factory gives every person a key; a brand-new account has none.
    bare_user = await factory.user()
    bare = Membership(workspace_id=space.id, user_id=bare_user.id, role="member", status="invited")
    session.add(bare)
    await session.commit()
    assert await repository.has_credentials(session, fresh.user, fresh.membership)
    assert not await repository.has_credentials(session, bare_user, bare)
    with_password = await factory.user(password_hash="x")
    assert isinstance(with_password, User) and await repository.has_credentials(session, with_password, bare)


async def test_concurrent_invitations_of_one_email(committed_factory: Factory) -> None:
    """Simultaneous invitations of one email: one wins, the others get the 422, none a 500."""
    s = committed_factory.session
    boot = await bootstrap(s, email="race-owner@example.com", workspace_name="Race")
    await s.commit()
    api = ApiClient(committed_factory.http, boot.api_key)
    invite = {"email": "racer@example.com", "firstname": "R", "lastname": "C", "role": "member"}
    responses = await asyncio.gather(
        *(api.post("/members", params={"workspace_id": boot.workspace_id}, json=invite) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 422, 422, 422]
    for response in responses:
        if response.status_code == 422:
            assert response.json()["errors"] == {"email": ["The email has already been taken."]}


async def test_concurrent_invitations_to_two_workspaces_share_one_account(committed_factory: Factory) -> None:
    s = committed_factory.session
    first = await bootstrap(s, email="first-owner@example.com", workspace_name="First")
    second = await bootstrap(s, email="second-owner@example.com", workspace_name="Second")
    await s.commit()
    invite = {"email": "shared@example.com", "firstname": "S", "lastname": "H", "role": "member"}
    responses = await asyncio.gather(
        *(
            ApiClient(committed_factory.http, boot.api_key).post(
                "/members", params={"workspace_id": boot.workspace_id}, json=invite
            )
            for boot in (first, second)
        )
    )
    assert [r.status_code for r in responses] == [201, 201]
    assert len({r.json()["data"]["user_id"] for r in responses}) == 1
