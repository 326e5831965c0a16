"""Inviting an address tells the inviting workspace nothing about an account that may
already hold it, and a pending or archived membership in one workspace never limits
what another workspace, where the person is active, may change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.conftest import Outbox
from tests.factories import Factory, Space

SENT = {"firstname": "Sent", "lastname": "ByB", "role": "member"}
# What differs between two invitations whatever the addresses: who and when.
PER_INVITATION = {"id", "user_id", "email", "invitation_link", "created_at", "updated_at"}


async def _invite(space: Space, email: str, **fields: Any) -> dict[str, Any]:
    body = SENT | {"email": email} | fields
    data: dict[str, Any] = ok(await space.owner.api.post("/members", params=space.ws, json=body), 201)["data"]
    return data


async def _seen(space: Space, member_id: int) -> dict[str, Any]:
    data: dict[str, Any] = ok(await space.owner.api.get(f"/members/{member_id}", params=space.ws))["data"]
    return data


async def test_an_existing_account_and_a_new_address_are_invited_alike(
    factory: Factory, two_spaces: tuple[Space, Space], session: AsyncSession, outbox: Outbox
) -> None:
    a, b = two_spaces
    known = await factory.person(a, "member", firstname="Real", lastname="Name", timezone="Asia/Tokyo")
    known.user.avatar = "https://cdn.example.com/real.png"
    await session.commit()

    existing = await _invite(b, known.user.email.upper())
    fresh = await _invite(b, "nobody.yet@example.com")
    assert existing["id"] == known.id  # the id is the one thing that cannot differ
    assert set(existing) == set(fresh)
    assert {k: v for k, v in existing.items() if k not in PER_INVITATION} == {
        k: v for k, v in fresh.items() if k not in PER_INVITATION
    }
    assert (existing["firstname"], existing["lastname"], existing["fullname"]) == ("Sent", "ByB", "Sent ByB")
    assert existing["avatar"] is None and existing["timezone"] == "UTC"
    assert existing["email"] == known.user.email
    for view in (await _seen(b, known.id), *ok(await b.owner.api.get("/members", params=b.ws))["data"]):
        if view["id"] == known.id:
            assert (view["firstname"], view["lastname"], view["avatar"]) == ("Sent", "ByB", None)

    seen_by_a = await _seen(a, known.id)
    assert (seen_by_a["firstname"], seen_by_a["lastname"], seen_by_a["avatar"]) == (
        "Real",
        "Name",
        "https://cdn.example.com/real.png",
    )


async def test_b_renames_its_invitation_without_touching_the_account(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    known = await factory.person(a, "member", firstname="Real", lastname="Name")
    await _invite(b, known.user.email)
    renamed = ok(
        await b.owner.api.put(
            f"/members/{known.id}",
            params=b.ws,
            json={"firstname": "Typo", "lastname": "Fixed", "remove_avatar": 1},
        )
    )["data"]
    assert (renamed["firstname"], renamed["lastname"], renamed["fullname"]) == ("Typo", "Fixed", "Typo Fixed")
    seen_by_a = await _seen(a, known.id)
    assert (seen_by_a["firstname"], seen_by_a["lastname"]) == ("Real", "Name")


async def test_a_pending_or_archived_membership_elsewhere_does_not_limit_a(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    known = await factory.person(a, "member", firstname="Real", lastname="Name")
    await _invite(b, known.user.email)
    renamed = ok(await a.owner.api.put(f"/members/{known.id}", params=a.ws, json={"firstname": "Renamed"}))
    assert renamed["data"]["firstname"] == "Renamed"
    assert (await _seen(b, known.id))["firstname"] == "Sent"  # B still sees what it sent

    ok(await b.owner.api.delete(f"/members/{known.id}", params=b.ws))
    ok(
        await a.owner.api.put(
            f"/members/{known.id}", params=a.ws, json={"lastname": "Again", "remove_avatar": 1}
        )
    )
    assert (await _seen(a, known.id))["lastname"] == "Again"


async def test_once_accepted_b_sees_the_account_and_a_shares_it(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    known = await factory.person(a, "member", firstname="Real", lastname="Name")
    invited = await _invite(b, known.user.email)
    token = invited["invitation_link"].rsplit("/", 1)[-1]
    ok(await known.api.post(f"/invitations/{token}/accept"))
    seen_by_b = await _seen(b, known.id)
    assert (seen_by_b["firstname"], seen_by_b["lastname"], seen_by_b["status"]) == ("Real", "Name", "active")
    # Now the person is active in both: neither workspace renames them but themselves.
    for space in (a, b):
        err(await space.owner.api.put(f"/members/{known.id}", params=space.ws, json={"firstname": "X"}), 403)
    ok(await known.api.put(f"/members/{known.id}", params=b.ws, json={"firstname": "Self"}))
    assert (await _seen(a, known.id))["firstname"] == "Self"


async def test_a_new_account_takes_the_names_of_the_invitation_it_accepts(
    factory: Factory, outbox: Outbox
) -> None:
    space = await factory.space()
    invited = await _invite(space, "newcomer@example.com", firstname="Nwe", lastname="Comer")
    fixed = {"firstname": "New"}
    ok(await space.owner.api.put(f"/members/{invited['id']}", params=space.ws, json=fixed))
    token = invited["invitation_link"].rsplit("/", 1)[-1]
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    code = outbox.code_for("newcomer@example.com")
    ok(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": code}))
    seen = await _seen(space, invited["id"])
    assert (seen["firstname"], seen["lastname"], seen["status"]) == ("New", "Comer", "active")
