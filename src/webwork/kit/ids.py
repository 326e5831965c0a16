"""Opaque ids the API shows as strings.

UUIDs (time entries, time requests) are parsed by :func:`parse_uuid`. Short ids
(timesheets, webhooks) are a keyed permutation of an integer, written in base 62:
reversible, stable, and not guessable by counting. They hide row counts; they are not
an access control (every lookup is still scoped to the caller's workspace)."""

from __future__ import annotations

import hashlib
import uuid

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BITS = 40
_MASK = (1 << _BITS) - 1
_HALF = _BITS // 2
_HALF_MASK = (1 << _HALF) - 1


def _round_key(salt: str, kind: str, i: int) -> int:
    digest = hashlib.sha256(f"{salt}:{kind}:{i}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & _HALF_MASK


def _feistel(n: int, keys: list[int]) -> int:
    left, right = n >> _HALF, n & _HALF_MASK
    for key in keys:
        left, right = right, left ^ (((right * 0x9E3779B1) ^ key) & _HALF_MASK)
    return (right << _HALF) | left


def encode_id(n: int, *, kind: str, salt: str = "webwork") -> str:
    if not 0 < n <= _MASK:
        raise ValueError("id out of range")
    keys = [_round_key(salt, kind, i) for i in range(4)]
    value = _feistel(n, keys)
    out = ""
    while value:
        value, rem = divmod(value, 62)
        out = _ALPHABET[rem] + out
    return out.rjust(7, "0")


def decode_id(text: str, *, kind: str, salt: str = "webwork") -> int | None:
    value = 0
    for ch in text:
        idx = _ALPHABET.find(ch)
        if idx < 0:
            return None
        value = value * 62 + idx
    if value > _MASK:
        return None
    keys = [_round_key(salt, kind, i) for i in reversed(range(4))]
    n = _feistel(value, keys)
    return n if n > 0 and encode_id(n, kind=kind, salt=salt) == text else None


def parse_uuid(raw: str) -> uuid.UUID | None:
    """The UUID a path names, or None: text that is no UUID names no row, so its caller
    answers it with the same 404 as an id that exists nowhere."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None
