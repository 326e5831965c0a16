"""A change of email takes effect only once the code mailed to the new address is
confirmed by the account itself, signed in; until then the old address is the one
shown, invited and bootstrapped. The one exception: an owner or executive manager
corrects the address of an invitation nobody holds yet, which re-sends it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.conftest import Outbox
from tests.factories import Factory, Person, Space
from webwork.bootstrap import bootstrap
from webwork.kit.clock import utcnow
from webwork.models import EmailChange, User

VICTIM = "victim@example.com"
LINK = "http://testserver/api/v2/invitations/"
PENDING_MESSAGE = (
    "Member updated successfully. The email changes once the code mailed to the new address is confirmed."
)


async def _put(person: Person | Space, member_id: int, ws: dict[str, int], **body: Any) -> Any:
    api = person.owner.api if isinstance(person, Space) else person.api
    return await api.put(f"/members/{member_id}", params=ws, json=body)


async def _confirm(person: Person, ws: dict[str, int], code: str) -> Any:
    return await person.api.post(f"/members/{person.id}/email/confirm", params=ws, json={"code": code})


async def _email(session: AsyncSession, user_id: int) -> str:
    email = await session.scalar(
        select(User.email).where(User.id == user_id).execution_options(populate_existing=True)
    )
    assert email is not None
    return email


async def _invite(space: Space, email: str, **fields: Any) -> dict[str, Any]:
    body = {"email": email, "firstname": "Vic", "lastname": "Tim", "role": "member"} | fields
    data: dict[str, Any] = ok(await space.owner.api.post("/members", params=space.ws, json=body), 201)["data"]
    return data


async def test_an_own_change_waits_for_the_code_sent_to_the_new_address(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    me = await factory.person(space, "member", email="me@example.com")
    body = ok(await _put(me, me.id, space.ws, email="New@Example.com", timezone="Asia/Tokyo"))
    assert body["message"] == PENDING_MESSAGE
    assert body["data"]["email"] == "me@example.com" and body["data"]["pending_email"] == "new@example.com"
    assert body["data"]["timezone"] == "Asia/Tokyo"  # the rest of the update is saved
    assert await _email(session, me.id) == "me@example.com"
    assert ok(await me.api.get(f"/members/{me.id}", params=space.ws))["data"]["email"] == "me@example.com"
    [mail] = outbox.sent
    assert mail.to == "new@example.com" and f"/members/{me.id}/email/confirm" in mail.body
    code = outbox.code_for("new@example.com")

    wrong = err(await _confirm(me, space.ws, "ABCDE-00000"), 422)
    assert wrong["errors"] == {"code": ["The confirmation code is invalid."]}
    confirmed = ok(await _confirm(me, space.ws, code.lower().replace("-", " ")))
    assert confirmed["message"] == "Email changed successfully"
    assert confirmed["data"]["email"] == "new@example.com"
    assert await _email(session, me.id) == "new@example.com"
    assert await session.scalar(select(EmailChange).execution_options(populate_existing=True)) is None
    again = err(await _confirm(me, space.ws, code), 422)
    assert again["errors"] == {
        "code": ["No change of email is waiting for a code; send the new email first."]
    }


async def test_an_update_without_a_new_email_has_no_pending_email(factory: Factory, outbox: Outbox) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    body = ok(await _put(me, me.id, space.ws, email=me.user.email.upper(), firstname="Same"))
    assert body["message"] == "Member updated successfully" and body["data"]["pending_email"] is None
    assert outbox.sent == []


async def test_the_attack_an_unproven_address_reaches_nothing(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    """The attacker claims the victim's address; invitations and the operator's
    bootstrap for that address later must reach a new account, never the attacker's."""
    home, other = await factory.space(), await factory.space()
    attacker = await factory.person(home, "member")
    ok(await _put(attacker, attacker.id, home.ws, email=VICTIM))
    assert await _email(session, attacker.id) == attacker.user.email
    assert [m.to for m in outbox.sent] == [VICTIM]  # only the victim receives the code
    attackers_code = outbox.code_for(VICTIM)  # say the attacker got hold of it anyway

    invited = await _invite(other, VICTIM)
    assert invited["id"] != attacker.id and invited["email"] == VICTIM
    token = invited["invitation_link"][len(LINK) :]
    # The victim, not the attacker, accepts: the account is new, so a code is mailed.
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    accepted = ok(
        await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": outbox.code_for(VICTIM)})
    )
    assert accepted["data"]["user_id"] == invited["id"] and accepted["data"]["api_key"]
    err(await attacker.api.get("/members", params=other.ws), 404)

    booted = await bootstrap(session, email=VICTIM, workspace_id=home.id)
    assert booted.user_id == invited["id"] != attacker.id

    # Even with the mailed code, the attacker can no longer take the address.
    taken = err(await _confirm(attacker, home.ws, attackers_code), 422)
    assert taken["errors"] == {"email": ["The email has already been taken."]}
    assert await _email(session, attacker.id) == attacker.user.email


async def test_bootstrap_never_finds_an_account_by_a_pending_address(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    attacker = await factory.person(space, "member")
    ok(await _put(attacker, attacker.id, space.ws, email=VICTIM))
    booted = await bootstrap(session, email=VICTIM, workspace_name="Victim's own")
    assert booted.user_id != attacker.id
    assert booted.changes[0].startswith("created user")


async def test_a_pending_change_neither_reserves_nor_claims_the_address(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    ok(await _put(me, me.id, space.ws, email=VICTIM))
    code = outbox.code_for(VICTIM)
    # The address is still free: someone else can take it first.
    other = await _invite(space, VICTIM)
    assert other["id"] != me.id
    refused = err(await _confirm(me, space.ws, code), 422)
    assert refused["errors"] == {"email": ["The email has already been taken."]}
    assert await _email(session, me.id) == me.user.email


async def test_an_admin_change_is_confirmed_by_the_member_signed_in(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    worker = await factory.person(space, "member")
    body = ok(await _put(executive, worker.id, space.ws, email="moved@example.com"))
    assert body["data"]["email"] == worker.user.email and body["data"]["pending_email"] == "moved@example.com"
    code = outbox.code_for("moved@example.com")
    denied = err(
        await executive.api.post(f"/members/{worker.id}/email/confirm", params=space.ws, json={"code": code}),
        403,
    )
    assert denied["message"] == "Only the member can confirm a change of their own email."
    assert await _email(session, worker.id) == worker.user.email
    ok(await _confirm(worker, space.ws, code))
    assert await _email(session, worker.id) == "moved@example.com"


async def test_a_new_code_at_most_once_a_minute_and_bound_to_its_address(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    ok(await _put(me, me.id, space.ws, email="first@example.com"))
    first = outbox.code_for("first@example.com")
    too_soon = err(await _put(me, me.id, space.ws, email="second@example.com", timezone="Asia/Tokyo"), 429)
    assert "less than a minute ago" in too_soon["message"]
    assert ok(await me.api.get(f"/members/{me.id}", params=space.ws))["data"]["timezone"] == "UTC"

    await session.execute(update(EmailChange).values(created_at=utcnow() - timedelta(minutes=2)))
    await session.commit()
    ok(await _put(me, me.id, space.ws, email="second@example.com"))
    err(await _confirm(me, space.ws, first), 422)  # the first address's code opens nothing
    ok(await _confirm(me, space.ws, outbox.code_for("second@example.com")))
    assert await _email(session, me.id) == "second@example.com"


async def test_codes_expire_and_wrong_ones_are_counted(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    ok(await _put(me, me.id, space.ws, email="new@example.com"))
    code = outbox.code_for("new@example.com")
    for _ in range(5):
        err(await _confirm(me, space.ws, "0000000000"), 422)
    attempts = await session.scalar(select(EmailChange.attempts).execution_options(populate_existing=True))
    assert attempts == 5
    spent = err(await _confirm(me, space.ws, code), 422)
    assert spent["errors"] == {
        "code": ["Too many wrong confirmation codes; send the new email again to get a new code."]
    }
    await session.execute(
        update(EmailChange).values(
            created_at=utcnow() - timedelta(minutes=2), expires_at=utcnow() - timedelta(seconds=1)
        )
    )
    await session.commit()
    expired = err(await _confirm(me, space.ws, code), 422)
    assert expired["errors"] == {
        "code": ["The confirmation code has expired; send the new email again to get a new code."]
    }
    assert await _email(session, me.id) == me.user.email


async def test_sending_the_current_email_cancels_a_pending_change(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    ok(await _put(me, me.id, space.ws, email="new@example.com"))
    code = outbox.code_for("new@example.com")
    kept = ok(await _put(me, me.id, space.ws, email=me.user.email))
    assert kept["data"]["pending_email"] is None
    err(await _confirm(me, space.ws, code), 422)
    assert await _email(session, me.id) == me.user.email


async def test_an_unaccepted_invitation_is_corrected_and_sent_again(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    invited = await _invite(space, "typo@exmaple.com")
    old_token = invited["invitation_link"][len(LINK) :]
    outbox.sent.clear()
    body = ok(await _put(executive, invited["id"], space.ws, email="right@example.com"))
    assert body["message"] == "Member updated successfully. A new invitation was sent to the new address."
    data = body["data"]
    assert data["email"] == "right@example.com" and data["pending_email"] is None
    assert data["id"] == invited["id"] and data["status"] == "invited"
    assert data["invitation_link"].startswith(LINK) and data["invitation_link"] != invited["invitation_link"]
    assert await _email(session, invited["id"]) == "right@example.com"
    [mail] = outbox.sent
    assert mail.to == "right@example.com" and data["invitation_link"] in mail.body
    err(await factory.anonymous.get(f"/invitations/{old_token}"), 404)
    new_token = data["invitation_link"][len(LINK) :]
    ok(await factory.anonymous.post(f"/invitations/{new_token}/accept"), 202)
    ok(
        await factory.anonymous.post(
            f"/invitations/{new_token}/accept", json={"code": outbox.code_for("right@example.com")}
        )
    )
    # Corrected to an address another account holds: refused, as before.
    again = await _invite(space, "typo2@example.com")
    taken = err(await _put(space, again["id"], space.ws, email=space.owner.user.email), 422)
    assert taken["errors"] == {"email": ["The email has already been taken."]}


async def test_only_an_invitation_nobody_holds_is_corrected_directly(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    space = await factory.space()
    # Invited, but the account has a key (it is held by someone): the code flow.
    holder = await factory.person(space, "member", status="invited")
    body = ok(await _put(space, holder.id, space.ws, email="elsewhere@example.com"))
    assert body["data"]["email"] == holder.user.email
    assert body["data"]["pending_email"] == "elsewhere@example.com"
    assert "invitation_link" not in body["data"]
    # Invited and held by no one, but invited to another workspace too: the code flow.
    other = await factory.space()
    shared = await _invite(space, "shared@example.com")
    await _invite(other, "shared@example.com")
    body = ok(await _put(space, shared["id"], space.ws, email="fixed@example.com"))
    assert body["data"]["email"] == "shared@example.com"
    assert body["data"]["pending_email"] == "fixed@example.com"
    assert await _email(session, shared["id"]) == "shared@example.com"
