"""Invitations: what the link shows, who may accept it, and the mailed confirmation code
that a person without an account must bring (the inviter sees the link, never the mail)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.conftest import Outbox
from tests.factories import ApiClient, Factory, Space
from webwork.bootstrap import bootstrap
from webwork.kit.clock import utcnow
from webwork.members import confirmation
from webwork.models import InvitationCode, Membership

VICTIM = "victim@example.com"
LINK = "http://testserver/api/v2/invitations/"


async def _invite(space: Space, email: str = VICTIM, **fields: Any) -> tuple[dict[str, Any], str]:
    """Invite ``email`` into ``space``; the member as answered and the link's token."""
    body = {"email": email, "firstname": "Vic", "lastname": "Tim", "role": "member"} | fields
    data = ok(await space.owner.api.post("/members", params=space.ws, json=body), 201)["data"]
    assert data["invitation_link"].startswith(LINK)
    return data, data["invitation_link"][len(LINK) :]


async def _status(session: AsyncSession, space: Space, user_id: int) -> str:
    status = await session.scalar(
        select(Membership.status)
        .where(Membership.workspace_id == space.id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    assert status is not None
    return status


async def test_an_inviter_cannot_take_over_an_invited_account(
    factory: Factory, two_spaces: tuple[Space, Space], session: AsyncSession, outbox: Outbox
) -> None:
    """The probe: A invites an address, B invites it too and accepts B's own link."""
    a, b = two_spaces
    victim, _ = await _invite(a)
    _, b_token = await _invite(b, firstname="Evil", lastname="Name")
    answer = ok(await factory.anonymous.post(f"/invitations/{b_token}/accept"), 202)
    assert "api_key" not in answer["data"] and "wwk_" not in str(answer)
    signed_in = err(await b.owner.api.post(f"/invitations/{b_token}/accept"), 429)
    assert "wwk_" not in str(signed_in)
    assert [m.to for m in outbox.sent[-1:]] == [VICTIM]
    assert await _status(session, b, victim["id"]) == "invited"

    seen_by_a = ok(await a.owner.api.get(f"/members/{victim['id']}", params=a.ws))["data"]
    assert (seen_by_a["firstname"], seen_by_a["lastname"]) == ("Vic", "Tim")

    ok(await a.owner.api.delete(f"/members/{victim['id']}", params=a.ws))
    restored = ok(await a.owner.api.post(f"/members/{victim['id']}/restore", params=a.ws))
    assert restored["data"]["status"] == "invited"
    assert await _status(session, a, victim["id"]) == "invited"


async def test_invitation_mail_carries_the_link(factory: Factory, outbox: Outbox) -> None:
    space = await factory.space(name="Acme")
    data, token = await _invite(space)
    [mail] = outbox.to(VICTIM)
    assert data["invitation_link"] in mail.body and f"{data['invitation_link']}/accept" in mail.body
    assert "Acme" in mail.subject and "Regular User" in mail.body
    assert outbox.sent == [mail]
    assert token not in str(ok(await factory.anonymous.get(f"/invitations/{token}")))


async def test_new_account_accepts_with_the_mailed_code(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    data, token = await _invite(space, role="Team manager")
    outbox.sent.clear()

    sent = ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    assert sent["message"] == "A confirmation code was sent to the invited address."
    assert set(sent["data"]) == {"user_id", "workspace_id", "email", "code_expires_at"}
    assert sent["data"]["email"] == VICTIM and sent["data"]["workspace_id"] == space.id
    code = outbox.code_for(VICTIM)
    assert [m.to for m in outbox.sent] == [VICTIM]
    stored = await session.scalar(select(InvitationCode))
    assert stored is not None and code not in stored.digest

    wrong = err(
        await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": "ABCDE-00000"}), 422
    )
    assert wrong["errors"] == {"code": ["The confirmation code is invalid."]}
    assert await _status(session, space, data["id"]) == "invited"

    typed = code.replace("-", " ").lower()
    accepted = ok(await factory.anonymous.post(f"/invitations/{token}/accept", data={"code": typed}))
    assert accepted["message"] == "Invitation accepted successfully"
    assert accepted["data"]["user_id"] == data["id"] and accepted["data"]["workspace_id"] == space.id
    me = ok(await ApiClient(factory.http, accepted["data"]["api_key"]).get("/members", params=space.ws))
    assert [m["status"] for m in me["data"]] == ["active"]
    assert await session.scalar(select(InvitationCode).execution_options(populate_existing=True)) is None
    err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": code}), 404)


async def test_wrong_codes_are_counted_and_bounded(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    _, token = await _invite(space)
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    code = outbox.code_for(VICTIM)
    for _ in range(5):
        err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": "0000000000"}), 422)
    # The failed attempts were saved although each answer was an error.
    attempts = await session.scalar(select(InvitationCode.attempts).execution_options(populate_existing=True))
    assert attempts == 5
    spent = err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": code}), 422)
    assert spent["errors"] == {
        "code": ["Too many wrong confirmation codes; accept without a code to get a new one."]
    }

    await session.execute(update(InvitationCode).values(created_at=utcnow() - timedelta(minutes=2)))
    await session.commit()
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    fresh = outbox.code_for(VICTIM)
    assert fresh != code
    assert ok(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": fresh}))["data"][
        "api_key"
    ]


async def test_codes_expire_and_cannot_be_resent_at_once(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    _, token = await _invite(space)
    never = err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": "ABC"}), 422)
    assert never["errors"] == {
        "code": ["No confirmation code was sent for this invitation; accept without a code to get one."]
    }
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    code = outbox.code_for(VICTIM)
    again = err(await factory.anonymous.post(f"/invitations/{token}/accept"), 429, "rate_limited")
    assert "less than a minute ago" in again["message"]
    assert len(outbox.to(VICTIM)) == 2  # the invitation and one code

    await session.execute(update(InvitationCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    await session.commit()
    expired = err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": code}), 422)
    assert expired["errors"] == {
        "code": ["The confirmation code has expired; accept without a code to get a new one."]
    }


async def test_a_code_opens_only_its_own_invitation(
    factory: Factory, two_spaces: tuple[Space, Space], outbox: Outbox
) -> None:
    a, b = two_spaces
    _, a_token = await _invite(a)
    _, b_token = await _invite(b)
    ok(await factory.anonymous.post(f"/invitations/{b_token}/accept"), 202)
    code = outbox.code_for(VICTIM)
    ok(await factory.anonymous.post(f"/invitations/{a_token}/accept"), 202)
    err(await factory.anonymous.post(f"/invitations/{a_token}/accept", json={"code": code}), 422)


async def test_a_code_sent_before_an_email_change_is_void(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    data, token = await _invite(space)
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    code = outbox.code_for(VICTIM)
    corrected = ok(
        await space.owner.api.put(
            f"/members/{data['id']}", params=space.ws, json={"email": "other@example.com"}
        )
    )["data"]
    err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": code}), 404)
    new_token = corrected["invitation_link"][len(LINK) :]
    err(await factory.anonymous.post(f"/invitations/{new_token}/accept", json={"code": code}), 422)
    assert await _status(session, space, data["id"]) == "invited"


async def test_existing_account_accepts_signed_in_or_with_the_mailed_code_and_gets_no_key(
    factory: Factory, outbox: Outbox
) -> None:
    a, b = await factory.space(), await factory.space()
    data, token = await _invite(b, email=a.owner.user.email)
    assert data["id"] == a.owner.id
    # Someone else, signed in or not, is only mailed a code, as for a new address (once
    # a minute: the inviter asking again is told to wait, as anyone would be).
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    err(await b.owner.api.post(f"/invitations/{token}/accept"), 429)
    err(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": "AAAAA-AAAAA"}), 422)
    accepted = ok(await a.owner.api.post(f"/invitations/{token}/accept"))
    assert accepted["data"] == {"user_id": a.owner.id, "workspace_id": b.id, "api_key": None}
    ok(await a.owner.api.get("/members", params=b.ws))


async def test_the_code_accepts_for_an_account_already_held_without_handing_it_a_key(
    factory: Factory, outbox: Outbox
) -> None:
    a, b = await factory.space(), await factory.space()
    _, token = await _invite(b, email=a.owner.user.email, firstname="Fake", lastname="Name")
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    accepted = ok(
        await factory.anonymous.post(
            f"/invitations/{token}/accept", json={"code": outbox.code_for(a.owner.user.email)}
        )
    )
    assert accepted["data"] == {"user_id": a.owner.id, "workspace_id": b.id, "api_key": None}
    seen = ok(await a.owner.api.get(f"/members/{a.owner.id}", params=b.ws))["data"]
    assert (seen["firstname"], seen["lastname"]) == (a.owner.user.firstname, a.owner.user.lastname)


async def test_accepting_tells_the_inviter_nothing_about_an_existing_account(
    factory: Factory, outbox: Outbox
) -> None:
    """The inviter holds the link: every answer it can get from it is the same whether
    the address had an account or not (but for ids, addresses and times)."""
    a, b = await factory.space(), await factory.space()
    answers = []
    for email in (a.owner.user.email, "nobody.yet@example.com"):
        _, token = await _invite(b, email=email)
        calls = [
            b.owner.api.get(f"/invitations/{token}"),
            factory.anonymous.post(f"/invitations/{token}/accept"),
            factory.anonymous.post(f"/invitations/{token}/accept"),  # too soon: 429
            factory.anonymous.post(f"/invitations/{token}/accept", json={"code": "AAAAA-AAAAA"}),
            b.owner.api.post(f"/invitations/{token}/accept", json={"code": "AAAAA-AAAAA"}),
        ]
        shapes = []
        for call in calls:
            response = await call
            body = response.json()
            # A wait is counted in seconds ("ask again in 60 seconds"): numbers aside.
            message = re.sub(r"\d+", "N", body.get("message", ""))
            shapes.append((response.status_code, body.get("error"), message, sorted(body)))
        answers.append(shapes)
    assert answers[0] == answers[1]


async def test_inviting_an_existing_address_keeps_its_profile(
    factory: Factory, two_spaces: tuple[Space, Space], outbox: Outbox
) -> None:
    """B sees the names it sent, never the account's; A still sees the account's."""
    a, b = two_spaces
    known = await factory.person(a, "member", firstname="Real", lastname="Name")
    data, _ = await _invite(b, email=known.user.email.upper(), firstname="Fake", lastname="Other")
    assert (data["firstname"], data["lastname"]) == ("Fake", "Other")
    seen_by_a = ok(await a.owner.api.get(f"/members/{known.id}", params=a.ws))["data"]
    assert (seen_by_a["firstname"], seen_by_a["lastname"], seen_by_a["email"]) == (
        "Real",
        "Name",
        known.user.email,
    )


async def test_restoring_an_unaccepted_invitation_keeps_it_pending(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    data, token = await _invite(space)
    ok(await space.owner.api.delete(f"/members/{data['id']}", params=space.ws))
    err(await factory.anonymous.get(f"/invitations/{token}"), 404)
    restored = ok(await space.owner.api.post(f"/members/{data['id']}/restore", params=space.ws))
    assert restored["data"]["status"] == "invited" and restored["data"]["deleted_at"] is None
    ok(await factory.anonymous.get(f"/invitations/{token}"))
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    accepted = ok(
        await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": outbox.code_for(VICTIM)})
    )
    assert accepted["data"]["api_key"] and await _status(session, space, data["id"]) == "active"


async def test_concurrent_guesses_share_the_five_attempts(committed_factory: Factory, outbox: Outbox) -> None:
    s = committed_factory.session
    boot = await bootstrap(s, email="guess-owner@example.com", workspace_name="Guess")
    await s.commit()
    owner = ApiClient(committed_factory.http, boot.api_key)
    invite = {"email": VICTIM, "firstname": "V", "lastname": "T", "role": "member"}
    data = ok(await owner.post("/members", params={"workspace_id": boot.workspace_id}, json=invite), 201)[
        "data"
    ]
    accept = data["invitation_link"].removeprefix("http://testserver/api/v2") + "/accept"
    ok(await committed_factory.anonymous.post(accept), 202)
    guesses = await asyncio.gather(
        *(committed_factory.anonymous.post(accept, json={"code": f"0000{n:06d}"}) for n in range(8))
    )
    messages = sorted(err(r, 422)["errors"]["code"][0] for r in guesses)
    assert messages == sorted([confirmation.SPENT] * 3 + [confirmation.WRONG] * 5)
