"""Confirmation codes: a code mailed to an address proves that whoever brings it back
reads that address. Two things wait for one:

- accepting an invitation, for an account with no credentials: the inviter sees the
  invitation link (it is in the API answer), so the link alone is not enough; accepting
  without a code mails one to the invited address, accepting with it activates the
  membership;
- changing an account's email: the new address gets a code, and the address changes
  when the account, signed in, confirms it.

Only a digest is kept, computed over what the code is for too (the invitation's token,
the user and the address; or the user, the current and the new address), so a code
opens only what it was sent for, and only while the addresses are still those. Guessing
is bounded: a code lives 15 minutes and takes 5 attempts, a new one can be asked for
once a minute, and 10 characters of base32 leave about 10^15 possibilities. The mail
leaves after the commit (``kit.mail.send_after_commit``)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.api_keys import digest
from webwork.kit import clock
from webwork.kit.db import add_unless_taken
from webwork.kit.errors import RateLimited, ValidationFailed, invalid
from webwork.kit.mail import send_after_commit
from webwork.members import mails, repository
from webwork.members.repository import CodeRow
from webwork.models import EmailChange, InvitationCode, Membership, User, Workspace

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
LENGTH = 10
LIFETIME = timedelta(minutes=15)
RESEND_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5

NO_CODE = "No confirmation code was sent for this invitation; accept without a code to get one."
EXPIRED = "The confirmation code has expired; accept without a code to get a new one."
SPENT = "Too many wrong confirmation codes; accept without a code to get a new one."
WRONG = "The confirmation code is invalid."


@dataclass(frozen=True)
class Wording:
    """What a refused code says: how to get a new one differs by what it is for."""

    no_code: str
    expired: str
    spent: str


INVITATION = Wording(NO_CODE, EXPIRED, SPENT)
EMAIL_CHANGE = Wording(
    "No change of email is waiting for a code; send the new email first.",
    "The confirmation code has expired; send the new email again to get a new code.",
    "Too many wrong confirmation codes; send the new email again to get a new code.",
)


class WrongCode(ValidationFailed):
    """A 422 whose counted attempt must be saved: that count is what bounds guessing."""

    keep_changes = True


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[: LENGTH // 2]}-{raw[LENGTH // 2 :]}"


def _digest(binding: str, code: str) -> str:
    typed = "".join(code.split()).replace("-", "").upper()
    return digest(f"{binding}\n{typed}")


def _too_soon(sent_at: datetime, now: datetime) -> RateLimited:
    wait = max(1, int((sent_at + RESEND_AFTER - now).total_seconds()))
    return RateLimited(
        f"A confirmation code was sent less than a minute ago; use it or ask again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


async def _issue(
    session: AsyncSession, stored: CodeRow | None, fresh: Callable[..., CodeRow], binding: str, **values: Any
) -> tuple[str, datetime]:
    """A new code in place of ``stored`` (at most once a minute), or a row made by
    ``fresh``; the code and when it expires."""
    now = clock.utcnow()
    code = _new_code()
    values |= {
        "digest": _digest(binding, code),
        "attempts": 0,
        "expires_at": now + LIFETIME,
        "created_at": now,
    }
    if stored is None:
        if not await add_unless_taken(session, fresh(**values)):
            raise _too_soon(now, now)  # a concurrent request has just sent one
    elif not await repository.replace_code(session, stored, now - RESEND_AFTER, values):
        raise _too_soon(stored.created_at, now)
    return code, now + LIFETIME


async def _check(
    session: AsyncSession, stored: CodeRow | None, binding: str, code: str, wording: Wording
) -> None:
    """Spend one attempt on ``code``; raise unless it is the code that was sent."""
    if stored is None:
        raise invalid("code", wording.no_code)
    if stored.expires_at <= clock.utcnow():
        raise invalid("code", wording.expired)
    if not await repository.spend_attempt(session, stored, MAX_ATTEMPTS):
        raise invalid("code", wording.spent)
    if not hmac.compare_digest(stored.digest, _digest(binding, code)):
        raise WrongCode({"code": [WRONG]})


def _invitation_binding(token: str, user: User) -> str:
    return f"{token}\n{user.id}\n{user.email}"


async def send(
    session: AsyncSession,
    membership: Membership,
    user: User,
    workspace: Workspace,
    token: str,
    link: str,
) -> datetime:
    """Mail a new invitation code (replacing the previous one); answers when it expires."""
    stored = await repository.invitation_code(session, membership.id)
    fresh = partial(InvitationCode, membership_id=membership.id)
    code, expires_at = await _issue(session, stored, fresh, _invitation_binding(token, user))
    message = mails.confirmation_code(workspace, user, code, link, LIFETIME)
    send_after_commit(session, message, regarding=mails.regarding(user.id, workspace.id))
    return expires_at


async def confirm(session: AsyncSession, membership: Membership, user: User, token: str, code: str) -> None:
    """Spend one attempt on an invitation's ``code``; raise unless it is the one sent."""
    stored = await repository.invitation_code(session, membership.id)
    await _check(session, stored, _invitation_binding(token, user), code, INVITATION)


def _email_binding(user: User, new_email: str) -> str:
    return f"email change\n{user.id}\n{user.email}\n{new_email}"


async def send_email_change(
    session: AsyncSession, user: User, new_email: str, confirm_url: str, regarding: str
) -> None:
    """Mail a code to ``new_email`` (replacing a pending change and its code)."""
    stored = await repository.email_change(session, user.id)
    fresh = partial(EmailChange, user_id=user.id)
    code, _ = await _issue(session, stored, fresh, _email_binding(user, new_email), email=new_email)
    message = mails.email_change_code(user, new_email, code, confirm_url, LIFETIME)
    send_after_commit(session, message, regarding=regarding)


async def confirm_email_change(session: AsyncSession, user: User, code: str) -> str:
    """Spend one attempt on ``code``; the new address if it is the code sent to it."""
    stored = await repository.email_change(session, user.id)
    new_email = stored.email if stored is not None else ""
    await _check(session, stored, _email_binding(user, new_email), code, EMAIL_CHANGE)
    return new_email
