"""Passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended
profile), never the password itself. A hash made with older parameters is replaced
at the next successful sign-in."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
# argon2 takes any length; a bound keeps one sign-in from costing more than hashing.
MAX_LENGTH = 256
TOO_SHORT = f"The password must be at least {MIN_LENGTH} characters."
TOO_LONG = f"The password may not be greater than {MAX_LENGTH} characters."

_hasher = PasswordHasher()


def check(password: str) -> str:
    """The password, or ValueError with the message a form shows."""
    if len(password) < MIN_LENGTH:
        raise ValueError(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise ValueError(TOO_LONG)
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check(password))


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; an account without a password matches
    nothing. The comparison costs one hash either way, so the answer's timing does not
    tell whether the account has a password."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored or _UNUSABLE, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


# A hash of a random password nobody knows (made anew by each process): verifying
# against it costs what a real verification costs.
_UNUSABLE = _hasher.hash(secrets.token_urlsafe(32))
