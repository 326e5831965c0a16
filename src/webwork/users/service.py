"""Users exist once per installation; workspaces reach them through memberships."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.models import User

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
    return await session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


async def get_or_create(session: AsyncSession, email: str, firstname: str = "", lastname: str = "") -> User:
    user = await get_by_email(session, email)
    if user is None:
        user = User(email=normalize_email(email), firstname=firstname, lastname=lastname)
        session.add(user)
        await session.flush()
    return user
