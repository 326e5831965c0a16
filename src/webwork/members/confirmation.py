"""The confirmation code that proves an invited person controls the invited address.

The inviter sees the invitation link (it is in the API answer), so for an account with
no credentials the link alone is not enough: accepting without a code mails one to the
address, accepting with it activates the membership. Only a digest is kept, computed
over the link's token, the user and the address too, so a code opens only the
invitation it was sent for, and only while the address is the one it was sent to.
Guessing is bounded: a code lives 15 minutes and takes 5 attempts, a new one can be
asked for once a minute, and 10 characters of base32 leave about 10^15 possibilities."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.api_keys import digest
from webwork.kit import clock
from webwork.kit.db import add_unless_taken
from webwork.kit.errors import RateLimited, ValidationFailed, invalid
from webwork.kit.mail import Mailer
from webwork.members import mails, repository
from webwork.models import InvitationCode, Membership, User, Workspace

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
LENGTH = 10
LIFETIME = timedelta(minutes=15)
RESEND_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5

NO_CODE = "No confirmation code was sent for this invitation; accept without a code to get one."
EXPIRED = "The confirmation code has expired; accept without a code to get a new one."
SPENT = "Too many wrong confirmation codes; accept without a code to get a new one."
WRONG = "The confirmation code is invalid."


class WrongCode(ValidationFailed):
    """A 422 whose counted attempt must be saved: that count is what bounds guessing."""

    keep_changes = True


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[: LENGTH // 2]}-{raw[LENGTH // 2 :]}"


def _digest(token: str, user: User, code: str) -> str:
    typed = "".join(code.split()).replace("-", "").upper()
    return digest(f"{token}\n{user.id}\n{user.email}\n{typed}")


def _too_soon(sent_at: datetime, now: datetime) -> RateLimited:
    wait = max(1, int((sent_at + RESEND_AFTER - now).total_seconds()))
    return RateLimited(
        f"A confirmation code was sent less than a minute ago; use it or ask again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


async def send(
    session: AsyncSession,
    mailer: Mailer,
    membership: Membership,
    user: User,
    workspace: Workspace,
    token: str,
    link: str,
) -> datetime:
    """Mail a new code (replacing the previous one); answers when it expires."""
    now = clock.utcnow()
    code = _new_code()
    values = {
        "digest": _digest(token, user, code),
        "attempts": 0,
        "expires_at": now + LIFETIME,
        "created_at": now,
    }
    existing = await repository.invitation_code(session, membership.id)
    if existing is None:
        if not await add_unless_taken(session, InvitationCode(membership_id=membership.id, **values)):
            raise _too_soon(now, now)  # a concurrent request has just sent one
    elif not await repository.replace_invitation_code(session, existing.id, now - RESEND_AFTER, values):
        raise _too_soon(existing.created_at, now)
    await mailer.send(mails.confirmation_code(workspace, user, code, link, LIFETIME))
    return now + LIFETIME


async def confirm(session: AsyncSession, membership: Membership, user: User, token: str, code: str) -> None:
    """Spend one attempt on ``code``; raise unless it is the code that was sent."""
    stored = await repository.invitation_code(session, membership.id)
    if stored is None:
        raise invalid("code", NO_CODE)
    if stored.expires_at <= clock.utcnow():
        raise invalid("code", EXPIRED)
    if not await repository.spend_attempt(session, stored.id, MAX_ATTEMPTS):
        raise invalid("code", SPENT)
    if not hmac.compare_digest(stored.digest, _digest(token, user, code)):
        raise WrongCode({"code": [WRONG]})
