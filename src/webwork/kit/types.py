"""Pydantic field types for the API's wire formats (money as numbers, ISO timestamps),
and the bounds every request value has: ids and integers that PostgreSQL's ``integer``
columns hold (never a boolean), text of bounded length without control characters, and
lists of ids of bounded length. A value out of them is a 422 on its field, on SQLite and
PostgreSQL alike, before any statement binds it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.config import JsonDict, JsonValue
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from webwork.kit.clock import as_utc
from webwork.kit.zones import is_timezone

# The dates the API knows: time lies on them and filters name them. Both databases store
# them, they are far from ``datetime``'s limits (no request reaches an overflow), and
# one range everywhere means no rule reads a date another refuses.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
# The document's view of those dates (``format: date`` checks the day of the month).
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DAY_SCHEMA: JsonDict = {"type": "string", "format": "date", "pattern": DAY_PATTERN}
# What an optional field takes for "no value" besides null (``BlankNone``).
BLANK_SCHEMA: JsonDict = {"type": "string", "maxLength": 0}
# PostgreSQL's ``integer``: the type of every id and integer column.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# A list of ids binds one SQL parameter per id (PostgreSQL takes 32,767 per statement).
MAX_IDS = 1000
# Text of one line (names, titles, emails, filters): no control character at all.
LINE_PATTERN = r"^[^\x00-\x1F\x7F]*$"
# Free text (notes, descriptions, reasons): tabs and line breaks, no other control character.
TEXT_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
# A line that must say something: one character at least that is no space (values are
# stripped, so one of spaces only is blank). The spaces are named, not ``\s``: regex
# engines differ on which characters ``\s`` means (NEL, U+0085, for one).
SPACES = r"\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
NAME_PATTERN = rf"^[^\x00-\x1F\x7F]*[^{SPACES}][^\x00-\x1F\x7F]*$"
# The rest of a URL: no space, no control character.
URL_TAIL = r"[^\x00-\x20\x7F]*"
# A wall-clock time of day, HH:mm (24 h): hours and minutes as its groups.
CLOCK_PATTERN = r"^([01]\d|2[0-3]):([0-5]\d)$"
# How a 422 words a value that does not match each pattern ("The notes field must ...").
PATTERN_RULES = {
    LINE_PATTERN: "must not contain control characters.",
    NAME_PATTERN: "must not contain control characters.",
    TEXT_PATTERN: "must not contain control characters other than tabs and line breaks.",
    CLOCK_PATTERN: "must match the format HH:mm.",
}
# The document's view of a field that takes a time as HH:mm (its validator parses it).
CLOCK_SCHEMA = WithJsonSchema({"type": "string", "maxLength": 5, "pattern": CLOCK_PATTERN}, mode="validation")


def decimal_to_number(value: Decimal) -> int | float:
    """Money travels as a JSON number; integral values stay integers (5000, not 5000.0)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def timestamp_to_iso(value: datetime) -> str:
    return _utc_seconds(value) + "+00:00"


def timestamp_to_zulu(value: datetime) -> str:
    return _utc_seconds(value) + "Z"


def _utc_seconds(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC, by ``isoformat`` and a slice: ``strftime`` and
    ``replace(...)`` each cost more than the formatting (every answer's ``meta`` has
    one)."""
    return as_utc(value).isoformat(timespec="seconds")[:19]


def choices(*values: str | int, blank: bool = False) -> JsonDict:
    """``json_schema_extra`` of a field that takes one of ``values``: the document lists
    them as its enum, while the field's own validator words the refusal. ``blank``: a
    filter sent empty (``?status=``) is taken as not sent, and the enum says so."""
    enum: list[JsonValue] = [*values, *([""] if blank else [])]
    return {"enum": enum}


def blank_to_none(value: object) -> object:
    """Form-encoded bodies send an empty string for "no value", as JSON sends null."""
    return None if value == "" else value


def is_null(branch: JsonDict) -> bool:
    return branch.get("type") == "null"


def is_blank(branch: JsonDict) -> bool:
    return branch.get("maxLength") == 0


def without_branches(schema: JsonDict, *drop: Callable[[JsonDict], bool]) -> JsonDict:
    """``schema`` without the ``anyOf`` branches any of ``drop`` picks (null, the blank
    of :data:`BlankNone`); a single branch left becomes the schema, keeping the title
    and description around it. The one way the document narrows a field."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema
    kept: list[JsonValue] = [
        b for b in branches if isinstance(b, dict) and not any(picks(b) for picks in drop)
    ]
    if not kept:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    only = kept[0] if len(kept) == 1 else None
    return {**only, **rest} if isinstance(only, dict) else {**rest, "anyOf": kept}


class _BlankNone:
    """Optional fields of requests: blank means null, and the document says so (an
    empty string is one more ``anyOf`` branch beside the value and null), since the
    server takes it. Pydantic's documented hooks for an annotation of one's own."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(blank_to_none, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        generated = handler(schema)
        branches = generated.get("anyOf", [generated])
        rest = {k: v for k, v in generated.items() if k != "anyOf"} if "anyOf" in generated else {}
        return {**rest, "anyOf": [*branches, BLANK_SCHEMA]}


BlankNone = _BlankNone()


def _in_day_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(
            "day_range",
            "The date must be between {first} and {last}.",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


def _timezone(value: object, info: ValidationInfo) -> object:
    name = value.strip() if isinstance(value, str) else value
    if not is_timezone(name):
        field = (info.field_name or "timezone").replace("_", " ")
        raise ValueError(f"The {field} field must be a valid timezone.")
    return name


def _no_bool(value: object) -> object:
    """JSON's true and false are no numbers, though Python's bool is an int (pydantic
    would take true as 1: ``"user_id": true`` named user 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _no_number(value: object) -> object:
    """JSON's 0 and 1 are no booleans, though pydantic would read them as false and
    true; a form's "1", "true" or "on" still are (forms have no other way to say so)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    return value


def _unique_days(days: list[int]) -> list[int]:
    """A week names each of its days once: a repeated day is a client's mistake, not a
    second shift."""
    if len(set(days)) != len(days):
        raise ValueError("The work days field must not repeat a day.")
    return sorted(days)


ICON_INVALID = "The icon field must be an icon name (such as project-icon-1) or an http(s) URL."
# Clients show an icon: one of theirs by name, or an image they fetch over http(s) from a
# host name or IPv4 address, never a link of another scheme (``javascript:``, ``data:``).
# One pattern for the server and the document alike.
ICON_PATTERN = (
    r"^([a-z0-9][a-z0-9-]{0,63}"
    r"|https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?"
    rf"([/?#]{URL_TAIL})?)$"
)
_ICON = re.compile(ICON_PATTERN)


def _icon(value: str) -> str:
    if _ICON.fullmatch(value) is None:
        raise ValueError(ICON_INVALID)
    return value


def decimal_number(
    max_digits: int, decimal_places: int, *, minimum: int = 0, maximum: str | None = None, above: bool = False
) -> WithJsonSchema:
    """The document's view of an exact decimal field: a JSON number (never a string),
    within the bounds its ``Field`` sets and its digits allow, in steps of its last
    decimal place. ``above``: the minimum itself is refused (``gt``)."""
    largest = Decimal(10) ** (max_digits - decimal_places) - Decimal(10) ** -decimal_places
    top = largest if maximum is None else min(largest, Decimal(maximum))
    schema: dict[str, Any] = {
        "type": "number",
        "exclusiveMinimum" if above else "minimum": minimum,
        "maximum": float(top),
        "multipleOf": float(Decimal(10) ** -decimal_places),
    }
    return WithJsonSchema(schema, mode="validation")


Money = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2, ge=0),
    decimal_number(12, 2),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]
Hours = Annotated[
    Decimal,
    Field(max_digits=6, decimal_places=2, ge=0, le=168),
    decimal_number(6, 2, maximum="168"),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]
Timestamp = Annotated[datetime, PlainSerializer(timestamp_to_iso, return_type=str, when_used="json")]
ZuluTimestamp = Annotated[datetime, PlainSerializer(timestamp_to_zulu, return_type=str, when_used="json")]
# A date of the API (422 on its field outside FIRST_DAY..LAST_DAY), and an optional one.
Day = Annotated[date, AfterValidator(_in_day_range), WithJsonSchema(DAY_SCHEMA, mode="validation")]
OptionalDate = Annotated[Day | None, BlankNone]
OptionalMoney = Annotated[Money | None, BlankNone]
OptionalHours = Annotated[Hours | None, BlankNone]

# The bounds come before the validators, so that pydantic checks them as part of the
# integer or string itself (and OpenAPI shows them as minimum, maxLength, ...).
Id = Annotated[int, Field(ge=1, le=INT_MAX), BeforeValidator(_no_bool)]
Integer = Annotated[int, Field(ge=INT_MIN, le=INT_MAX), BeforeValidator(_no_bool)]
OptionalId = Annotated[Id | None, BlankNone]
OptionalInteger = Annotated[Integer | None, BlankNone]
# A yes/no of a request body.
Flag = Annotated[bool, BeforeValidator(_no_number)]
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]
# How active a member was over an entry, in percent, as a desktop client measured it.
ActivityLevel = Annotated[
    int,
    Field(ge=0, le=100, description="0..100, as the desktop client measured it"),
    BeforeValidator(_no_bool),
]
# Minutes one may start work late without being late.
GraceMinutes = Annotated[int, Field(ge=0, le=120), BeforeValidator(_no_bool)]
WorkDays = Annotated[
    list[Annotated[int, Field(ge=1, le=7), BeforeValidator(_no_bool)]],
    Field(
        min_length=1, max_length=7, description="ISO weekdays worked (1 = Monday .. 7 = Sunday), each once"
    ),
    AfterValidator(_unique_days),
]
# One line of text, at most 255 characters unless the field says less or more
# (``Annotated[Line, Field(max_length=100)]``); free text at most 10,000.
Line = Annotated[str, Field(max_length=255, pattern=LINE_PATTERN)]
Text = Annotated[str, Field(max_length=10_000, pattern=TEXT_PATTERN)]
# A name a client must give (blank reads as missing).
Name = Annotated[Line, Field(min_length=1, pattern=NAME_PATTERN)]
# A word that chooses among a few (a status, a role, a sort order).
Keyword = Annotated[str, Field(max_length=32, pattern=LINE_PATTERN)]
Icon = Annotated[
    str,
    Field(
        max_length=255,
        pattern=LINE_PATTERN,
        json_schema_extra={"pattern": ICON_PATTERN},
        description="An icon name (such as project-icon-1: lowercase letters, digits, dashes; "
        "at most 64) or an http(s) URL of an image",
    ),
    AfterValidator(_icon),
]
# A UUID as clients send it (checked by the service: one 422 for text that is no UUID
# and for a UUID naming nothing here).
UuidText = Annotated[
    str,
    Field(max_length=36, pattern=LINE_PATTERN, description="A UUID", json_schema_extra={"format": "uuid"}),
]
# No zone name is longer than 64 characters (the column's size): the bound is for OpenAPI.
Timezone = Annotated[
    str,
    Field(
        max_length=64, pattern=LINE_PATTERN, description="Canonical IANA timezone, e.g. Europe/Berlin or UTC"
    ),
    BeforeValidator(_timezone),
]
