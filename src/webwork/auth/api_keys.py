"""API key format and storage: ``wwk_`` + 43 url-safe characters (256 bits of entropy);
the database keeps only the SHA-256 digest, so a leaked database leaks no usable key."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "wwk_"
SHOWN_PREFIX_LENGTH = 12


def generate_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key: str) -> str:
    return key[:SHOWN_PREFIX_LENGTH]
