"""Pydantic field types for the API's wire formats (money as numbers, ISO timestamps)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, ValidationInfo

from webwork.kit.clock import as_utc
from webwork.kit.zones import is_timezone


def decimal_to_number(value: Decimal) -> int | float:
    """Money travels as a JSON number; integral values stay integers (5000, not 5000.0)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def timestamp_to_iso(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def timestamp_to_zulu(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def blank_to_none(value: object) -> object:
    """Form-encoded bodies send an empty string for "no value", as JSON sends null."""
    return None if value == "" else value


# Optional fields of request bodies: blank means null.
BlankNone = BeforeValidator(blank_to_none)


def _timezone(value: object, info: ValidationInfo) -> object:
    name = value.strip() if isinstance(value, str) else value
    if not is_timezone(name):
        field = (info.field_name or "timezone").replace("_", " ")
        raise ValueError(f"The {field} field must be a valid timezone.")
    return name


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
OptionalDate = Annotated[date | None, BlankNone]
OptionalInt = Annotated[int | None, BlankNone]
OptionalMoney = Annotated[Money | None, BlankNone]
OptionalHours = Annotated[Hours | None, BlankNone]
Timezone = Annotated[
    str, BeforeValidator(_timezone), Field(description="Canonical IANA timezone, e.g. Europe/Berlin or UTC")
]
