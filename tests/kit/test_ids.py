"""Opaque ids: UUIDs parsed from paths, short ids that round-trip."""

from __future__ import annotations

import uuid

from webwork.kit.ids import decode_id, encode_id, parse_uuid


def test_a_uuid_parses_and_anything_else_names_nothing() -> None:
    key = uuid.uuid4()
    assert parse_uuid(str(key)) == key
    assert [parse_uuid(garbage) for garbage in ("", "42", "not-a-uuid", f"{key}x")] == [None] * 4


def test_short_ids_round_trip() -> None:
    assert decode_id(encode_id(45696, kind="timesheet-user"), kind="timesheet-user") == 45696
    assert decode_id(encode_id(45696, kind="timesheet-user"), kind="other") != 45696
