"""OAuth token format: opaque random strings with a prefix of their own, so that the
auth layer tells them from API keys (``wwk_``) at a glance; stored, like keys, as
SHA-256 digests only (``auth.api_keys.digest``)."""

from __future__ import annotations

import secrets

ACCESS_PREFIX = "wwo_"
REFRESH_PREFIX = "wwr_"
CLIENT_SECRET_PREFIX = "wws_"


def generate(prefix: str) -> str:
    """256 bits of entropy after the prefix."""
    return prefix + secrets.token_urlsafe(32)
