"""Opaque ids: UUIDs parsed from paths, short ids that round-trip."""

from __future__ import annotations

import uuid

import pytest

from webwork.kit.errors import NotFound
from webwork.kit.ids import decode_id, encode_id, parse_uuid


def test_a_uuid_parses_and_anything_else_is_not_found() -> None:
    key = uuid.uuid4()
    assert parse_uuid(str(key), "Time entry") == key
    for garbage in ("", "42", "not-a-uuid", f"{key}x"):
        with pytest.raises(NotFound) as missing:
            parse_uuid(garbage, "Time entry")
        assert missing.value.message == "Time entry not found."


def test_short_ids_round_trip() -> None:
    assert decode_id(encode_id(45696, kind="timesheet-user"), kind="timesheet-user") == 45696
    assert decode_id(encode_id(45696, kind="timesheet-user"), kind="other") != 45696
