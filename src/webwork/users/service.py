"""Users exist once per installation; workspaces reach them through memberships."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.models import User
from webwork.users import repository

EMAIL_INVALID = "The email field must be a valid email address."


def check_email(value: str) -> str:
    """The address stripped, or ValueError: the one rule for the API and the CLI."""
    try:
        validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(EMAIL_INVALID) from None
    return value.strip()


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.by_email(session, normalize_email(email))


async def get_or_create(session: AsyncSession, email: str, firstname: str = "", lastname: str = "") -> User:
    user = await get_by_email(session, email)
    return user or await create(session, email, firstname, lastname)


async def create(session: AsyncSession, email: str, firstname: str = "", lastname: str = "") -> User:
    """A new account for an address the caller found free (the unique constraint
    refuses it, with an ``IntegrityError``, if another request took it meanwhile)."""
    user = User(email=normalize_email(email), firstname=firstname, lastname=lastname)
    await repository.add(session, user)
    return user


async def first_email(session: AsyncSession) -> str | None:
    """The oldest user's email, if there is any user."""
    return await repository.first_email(session)


async def exist(session: AsyncSession) -> bool:
    """Whether the installation has any user yet."""
    return await repository.exists_any(session)
