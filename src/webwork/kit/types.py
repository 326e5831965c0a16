"""Pydantic field types for the API's wire formats (money as numbers, ISO timestamps)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer

from webwork.kit.clock import as_utc


def decimal_to_number(value: Decimal) -> int | float:
    """Money travels as a JSON number; integral values stay integers (5000, not 5000.0)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def timestamp_to_iso(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def timestamp_to_zulu(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _blank_to_none(value: object) -> object:
    """Form-encoded bodies send empty strings for "no value"."""
    return None if value == "" else value


Money = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2, ge=0),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]
Hours = Annotated[
    Decimal,
    Field(max_digits=6, decimal_places=2, ge=0, le=168),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]
Timestamp = Annotated[datetime, PlainSerializer(timestamp_to_iso, return_type=str, when_used="json")]
ZuluTimestamp = Annotated[datetime, PlainSerializer(timestamp_to_zulu, return_type=str, when_used="json")]
OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
