"""Passwords of accounts: signing in, setting one, and resetting a forgotten one by a
link mailed to the account's address.

Asking for a reset answers the same whether or not the address has an account (the
mail goes only to an existing one), so the form tells nobody who has an account here.
The link's token is 256 random bits, lives an hour, is stored as a digest and is used
up by setting the password."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.accounts import repository
from webwork.auth import passwords
from webwork.auth.api_keys import digest
from webwork.kit import clock
from webwork.kit.errors import invalid
from webwork.kit.mail import Message, send_after_commit
from webwork.models import User
from webwork.users import service as users

RESET_LIFETIME = timedelta(hours=1)
RESET_INVALID = "This password reset link is invalid or has expired; ask for a new one."


async def sign_in(session: AsyncSession, email: str, password: str) -> User | None:
    """The account whose password this is, or None (wrong address or password alike).
    A hash made with older parameters is replaced by a current one."""
    user = await users.get_by_email(session, email) if email.strip() else None
    # Verified either way, so that an unknown address takes as long as a wrong password.
    matches = passwords.verify(user.password_hash if user else None, password)
    if user is None or user.password_hash is None or not matches:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        await session.flush()
    return user


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await repository.user(session, user_id)


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """ValidationFailed on ``password`` when it breaks the length rules."""
    try:
        user.password_hash = passwords.hash_password(password)
    except ValueError as exc:
        raise invalid("password", str(exc)) from None
    await session.flush()


def reset_link(public_address: str, token: str) -> str:
    return f"{public_address}/reset/{token}"


async def request_reset(session: AsyncSession, public_address: str, email: str) -> None:
    """Mail a reset link to ``email`` if an account has it; nothing otherwise."""
    user = await users.get_by_email(session, email) if email.strip() else None
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    await repository.replace_reset(session, user.id, digest(token), clock.utcnow() + RESET_LIFETIME)
    link = reset_link(public_address, token)
    body = f"""Someone asked to reset the password of the WebWork account {user.email}.

Set a new password here (the link works once, for one hour): {link}

If it was not you, ignore this mail: the password does not change without the link.
"""
    message = Message(to=user.email, subject="Reset your WebWork password", body=body)
    send_after_commit(session, message, regarding=f"password reset of user {user.id}")


async def check_reset(session: AsyncSession, token: str) -> User:
    """The account a live reset token is for (ValidationFailed on ``token`` otherwise)."""
    found = await repository.live_reset(session, digest(token), clock.utcnow())
    if found is None:
        raise invalid("token", RESET_INVALID)
    return found[1]


async def reset_password(session: AsyncSession, token: str, password: str) -> User:
    """Set the password of the token's account and use the token up."""
    found = await repository.live_reset(session, digest(token), clock.utcnow())
    if found is None:
        raise invalid("token", RESET_INVALID)
    reset, user = found
    await set_password(session, user, password)
    await repository.drop_reset(session, reset)
    return user


def session_stamp(user: User) -> str:
    """What a signed-in browser's session holds of the password: a new password (a
    reset, say) ends every session signed in with the old one."""
    return digest(user.password_hash or "")[:16]


async def session_user(session: AsyncSession, user_id: int, stamp: str) -> User | None:
    """The user a browser session names, while its password is the one it signed in with."""
    user = await repository.user(session, user_id)
    return user if user is not None and session_stamp(user) == stamp else None


async def rename(session: AsyncSession, user: User, firstname: str, lastname: str) -> None:
    user.firstname, user.lastname = firstname, lastname
    await session.flush()
