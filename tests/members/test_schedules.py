"""Work schedules: the workspace's (``/leaves/settings``: work days, hours, grace) and a
member's own parts of it (``PUT /members/{id}``), shown in the member item as
``work_schedule``, and ``members.service.schedule_for`` (what the attendance report
reads), in one statement."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import Factory, Person, QueryCounter, Space
from webwork.auth.roles import Role
from webwork.members import service
from webwork.members.schedules import Schedule
from webwork.models import Membership

DEFAULT = {"work_start": "09:00", "work_end": "17:00", "work_days": [1, 2, 3, 4, 5], "grace_minutes": 10}


async def schedule_of(space: Space, person: Person) -> dict[str, Any]:
    member: dict[str, Any] = ok(await space.owner.api.get(f"/members/{person.id}", params=space.ws))["data"]
    return member["work_schedule"]  # type: ignore[no-any-return]


async def put(who: Person, person: Person, space: Space, **fields: Any) -> Any:
    return await who.api.put(f"/members/{person.id}", json={**space.ws, **fields})


async def test_members_show_the_workspace_default_until_they_have_their_own(factory: Factory) -> None:
    space = await factory.space()
    john = await factory.person(space)
    assert await schedule_of(space, john) == {**DEFAULT, "is_default": True}
    listed = ok(await space.owner.api.get("/members", params=space.ws))["data"]
    assert all(m["work_schedule"] == {**DEFAULT, "is_default": True} for m in listed)
    changed = ok(
        await space.owner.api.put(
            "/leaves/settings",
            json={
                **space.ws,
                "work_start": "08:30",
                "work_end": "16:30",
                "grace_minutes": 0,
                "work_days": [1, 2],
            },
        )
    )["data"]
    assert (
        changed["work_start"] == "08:30" and changed["work_end"] == "16:30" and changed["grace_minutes"] == 0
    )
    expected = {"work_start": "08:30", "work_end": "16:30", "work_days": [1, 2], "grace_minutes": 0}
    assert await schedule_of(space, john) == {**expected, "is_default": True}
    settings = ok(await john.api.get("/leaves/settings", params=space.ws))["data"]
    assert {k: settings[k] for k in ("work_start", "work_end", "grace_minutes")} == {
        "work_start": "08:30",
        "work_end": "16:30",
        "grace_minutes": 0,
    }


async def test_an_override_replaces_its_part_and_null_gives_it_back(factory: Factory) -> None:
    space = await factory.space()
    john = await factory.person(space)
    resp = ok(await put(space.owner, john, space, work_start="07:00", work_days=[7, 6]))
    assert resp["data"]["work_schedule"] == {
        **DEFAULT,
        "work_start": "07:00",
        "work_days": [6, 7],
        "is_default": False,
    }
    ok(await put(space.owner, john, space, work_end="15:00", grace_minutes=120))
    assert await schedule_of(space, john) == {
        "work_start": "07:00",
        "work_end": "15:00",
        "work_days": [6, 7],
        "grace_minutes": 120,
        "is_default": False,
    }
    # The workspace's later changes reach the parts the member does not override.
    ok(await space.owner.api.put("/leaves/settings", json={**space.ws, "work_days": [1, 3]}))
    ok(await put(space.owner, john, space, work_days=None, grace_minutes=None))
    shown = await schedule_of(space, john)
    assert shown["work_days"] == [1, 3] and shown["grace_minutes"] == 10 and not shown["is_default"]
    ok(await put(space.owner, john, space, work_start=None, work_end=None))
    assert await schedule_of(space, john) == {**DEFAULT, "work_days": [1, 3], "is_default": True}
    # Other fields leave the schedule as it is.
    ok(await put(space.owner, john, space, work_start="10:00"))
    ok(await put(space.owner, john, space, timezone="Asia/Tokyo"))
    assert (await schedule_of(space, john))["work_start"] == "10:00"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"work_start": "9:00"}, "work_start"),
        ({"work_start": "24:00"}, "work_start"),
        ({"work_end": "17:60"}, "work_end"),
        ({"work_end": "noon"}, "work_end"),
        ({"work_start": "18:00"}, "work_start"),  # after the workspace's 17:00 end
        ({"work_end": "09:00"}, "work_end"),  # not after the 09:00 start
        ({"work_start": "12:00", "work_end": "11:00"}, "work_end"),
        ({"work_days": [0]}, "work_days"),
        ({"work_days": [8]}, "work_days"),
        ({"work_days": [1, 1]}, "work_days"),
        ({"work_days": []}, "work_days"),
        ({"work_days": [1, 2, 3, 4, 5, 6, 7, 1]}, "work_days"),
        ({"work_days": [True]}, "work_days"),
        ({"grace_minutes": -1}, "grace_minutes"),
        ({"grace_minutes": 121}, "grace_minutes"),
        ({"grace_minutes": "ten"}, "grace_minutes"),
    ],
)
async def test_invalid_schedules_are_422_on_the_field(
    factory: Factory, fields: dict[str, Any], field: str
) -> None:
    space = await factory.space()
    john = await factory.person(space)
    resp = err(await put(space.owner, john, space, **fields), 422)
    assert {key.split(".")[0] for key in resp["errors"]} == {field}, resp
    assert await schedule_of(space, john) == {**DEFAULT, "is_default": True}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"work_start": "7"}, "work_start"),
        ({"work_start": "17:00"}, "work_start"),
        ({"work_end": "08:00"}, "work_end"),
        ({"work_start": None}, "work_start"),
        ({"grace_minutes": 121}, "grace_minutes"),
        ({"work_days": [8]}, "work_days"),
    ],
)
async def test_invalid_workspace_defaults_are_422(
    factory: Factory, fields: dict[str, Any], field: str
) -> None:
    space = await factory.space()
    resp = err(await space.owner.api.put("/leaves/settings", json={**space.ws, **fields}), 422)
    assert {key.split(".")[0] for key in resp["errors"]} == {field}, resp


async def test_who_may_change_a_schedule(factory: Factory) -> None:
    """Owners and executive managers (the rank rule of member updates: an executive
    manager not the owner's); nobody else, not even their own."""
    space = await factory.space()
    john = await factory.person(space)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    ok(await put(executive, john, space, grace_minutes=5))
    ok(await put(executive, executive, space, grace_minutes=6))
    err(await put(executive, space.owner, space, grace_minutes=7), 403)
    ok(await put(space.owner, space.owner, space, grace_minutes=8))
    for role in (Role.MEMBER, Role.TEAM_MANAGER, Role.PROJECT_MANAGER, Role.PROJECT_VIEWER):
        person = await factory.person(space, role)
        err(await put(person, person, space, work_start="08:00"), 403)
        # someone they do not see is not found; someone they see is not theirs to change
        assert (await put(person, john, space, grace_minutes=1)).status_code in (403, 404)
    assert (await schedule_of(space, john))["grace_minutes"] == 5
    err(await factory.anonymous.put(f"/members/{john.id}", json={**space.ws, "grace_minutes": 1}), 401)
    other = await factory.space()
    err(await put(other.owner, john, other, grace_minutes=1), 404)
    err(await put(other.owner, john, space, grace_minutes=1), 404)
    member = await factory.person(space)
    err(await member.api.put("/leaves/settings", json={**space.ws, "grace_minutes": 1}), 403)
    assert (await schedule_of(space, john))["grace_minutes"] == 5


async def test_sending_the_same_value_is_no_change(factory: Factory) -> None:
    """A member may send their record back as shown: unchanged parts are no change."""
    space = await factory.space()
    john = await factory.person(space)
    ok(await put(space.owner, john, space, work_days=[2, 1]))
    ok(await put(john, john, space, work_days=[1, 2], timezone="Europe/Paris"))


async def test_schedule_for_reads_every_member_in_one_statement(
    factory: Factory, session: AsyncSession, query_counter: QueryCounter
) -> None:
    space = await factory.space()
    john = await factory.person(space)
    jane = await factory.person(space, status="inactive")
    ok(
        await space.owner.api.put(
            "/leaves/settings", json={**space.ws, "work_end": "18:00", "grace_minutes": 15}
        )
    )
    ok(await put(space.owner, john, space, work_start="06:00", work_days=[3]))
    other = await factory.space()
    stranger = await factory.person(other)
    actor = space.actor()
    query_counter.reset()
    found = await service.schedule_for(
        session, actor, [john.id, jane.id, space.owner.id, stranger.id, 999_999]
    )
    assert query_counter.count == 1, query_counter.statements
    assert found == {
        john.id: Schedule(time(6), time(18), (3,), 15, is_default=False),
        jane.id: Schedule(time(9), time(18), (1, 2, 3, 4, 5), 15, is_default=True),
        space.owner.id: Schedule(time(9), time(18), (1, 2, 3, 4, 5), 15, is_default=True),
    }
    query_counter.reset()
    assert await service.schedule_for(session, actor, []) == {} and query_counter.count == 0
    # Without settings the built-in default; grace 0 is a value, not a missing one.
    bare = await service.schedule_for(session, other.actor(), [stranger.id])
    assert bare == {stranger.id: Schedule(time(9), time(17), (1, 2, 3, 4, 5), 10, is_default=True)}
    membership = await session.get(Membership, stranger.membership.id)
    assert membership is not None
    membership.grace_minutes = 0
    await session.commit()
    assert (await service.schedule_for(session, other.actor(), [stranger.id]))[stranger.id].grace_minutes == 0


async def test_schedule_for_sees_what_the_actor_sees(factory: Factory, session: AsyncSession) -> None:
    """A member's own view: themself only (the visibility rule of members)."""
    space = await factory.space()
    john = await factory.person(space)
    jane = await factory.person(space)
    found = await service.schedule_for(session, space.actor(john), [john.id, jane.id])
    assert set(found) == {john.id}


async def test_an_invited_member_shows_the_workspace_schedule(factory: Factory) -> None:
    space = await factory.space()
    ok(await space.owner.api.put("/leaves/settings", json={**space.ws, "work_start": "08:00"}))
    invited = ok(
        await space.owner.api.post(
            "/members",
            json={
                **space.ws,
                "email": "new@example.com",
                "firstname": "N",
                "lastname": "W",
                "role": "member",
            },
        ),
        201,
    )["data"]
    assert invited["work_schedule"] == {**DEFAULT, "work_start": "08:00", "is_default": True}
