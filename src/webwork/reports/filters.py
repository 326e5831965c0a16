"""List filters of the reports: one query parameter (under any of its aliases) read as a
list, whichever way a client writes it.

The hosted API and its connectors send lists three ways, and every report accepts all
of them, mixed too: a JSON-ish array (``users=[1,2]``, ``titles=["a","b"]``), repeated
keys (``users=1&users=2``) and a comma-separated string (``users=1,2,3``). Aliases
(``users`` / ``user_ids``) are unioned. A list holds at most ``MAX_IDS`` values (each
binds one SQL parameter); a value that is not what the filter takes is a 422 on the
name the client used.

Use in a route (the later reports do the same)::

    users: Annotated[list[int] | None, id_filter("users", "user_ids", description="...")]
    titles: Annotated[list[str] | None, text_filter("titles", description="...")]

``None`` means the filter was not sent; an empty list (``users=`` or ``users=[]``) is
sent but empty, and matches nothing."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import Field, WithJsonSchema
from pydantic.config import JsonDict

from webwork.kit.errors import invalid
from webwork.kit.types import BLANK_SCHEMA, INT_MAX, LINE_PATTERN, MAX_IDS

# One raw value of a list parameter: room for MAX_IDS ids written out with commas.
MAX_RAW_LENGTH = 12_000
RawValue = Annotated[str, Field(max_length=MAX_RAW_LENGTH, pattern=LINE_PATTERN)]
# A text value of a list (a task title, a currency code).
MAX_TEXT_LENGTH = 255
ID_SCHEMA: JsonDict = {"type": "integer", "minimum": 1, "maximum": INT_MAX}


def split_values(raw: str) -> list[str]:
    """The values of one raw parameter: a JSON array's items, else the comma-separated
    parts (surrounding brackets and quotes dropped, blanks skipped)."""
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested beyond the parser
            parsed = None
        if isinstance(parsed, list) and all(isinstance(item, str | int) for item in parsed):
            return [str(item).strip() for item in parsed if str(item).strip()]
        text = text[1:-1]
    parts = (part.strip().strip("\"'").strip() for part in text.split(","))
    return [part for part in parts if part]


def _gathered(given: dict[str, list[str] | None]) -> tuple[list[tuple[str, str]], bool]:
    """(name used, value) of every value sent under any alias, and whether any alias was
    sent at all."""
    values = [
        (name, value) for name, raws in given.items() for raw in raws or () for value in split_values(raw)
    ]
    return values, any(raws is not None for raws in given.values())


def _bounded(name: str, count: int) -> None:
    if count > MAX_IDS:
        raise invalid(name, f"The {name} field must not have more than {MAX_IDS} items.")


def _as_id(name: str, value: str) -> int:
    # Python refuses to read an integer of more than 4,300 digits, leading zeros
    # included: those are dropped, and the length checked, before it reads one.
    digits = value.lstrip("0")
    readable = value.isascii() and value.isdigit() and 1 <= len(digits) <= len(str(INT_MAX))
    if not readable or int(digits) > INT_MAX:
        raise invalid(name, f"The {name} field must contain ids (integers from 1 to {INT_MAX}).")
    return int(digits)


def _as_text(name: str, value: str) -> str:
    if len(value) > MAX_TEXT_LENGTH:
        raise invalid(name, f"The {name} field must contain values of at most {MAX_TEXT_LENGTH} characters.")
    return value


def _list_dependency(
    names: tuple[str, ...],
    description: str,
    convert: Callable[[str, str], Any],
    *,
    items: JsonDict,
    max_items: int = MAX_IDS,
) -> Any:
    """A dependency with one documented query parameter per name (a list of ``RawValue``), whose
    values it merges, converts and de-duplicates (first occurrence first)."""
    # The document shows what one key holds in its usual form, one value (``items``).
    value = Annotated[RawValue, WithJsonSchema(items, mode="validation")]

    async def read(**given: list[str] | None) -> list[Any] | None:
        values, sent = _gathered(given)
        if not sent:
            return None
        _bounded(values[0][0] if values else names[0], len(values))
        return list(dict.fromkeys(convert(name, value) for name, value in values))

    aliases = f" (alias of {names[0]})"
    read.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    list[value] | None,
                    Query(max_length=max_items, description=description + (aliases if i else "")),
                ],
            )
            for i, name in enumerate(names)
        ]
    )
    return Depends(read)


def id_filter(*names: str, description: str) -> Any:
    """A list of ids under ``names`` (the first is the documented name, the rest its
    aliases): ``Annotated[list[int] | None, id_filter("users", "user_ids", ...)]``."""
    described = description + ": ids as 1,2,3, [1,2] or repeated keys"
    return _list_dependency(names, described, _as_id, items={"anyOf": [ID_SCHEMA, BLANK_SCHEMA]})


def text_filter(
    *names: str, description: str, choices: tuple[str, ...] = (), max_items: int = MAX_IDS, blank: bool = True
) -> Any:
    """A list of short texts under ``names``: ``["a,b","c"]`` keeps commas inside a
    value, ``a,b`` or repeated keys do not. ``choices``: the document lists the values
    one key may hold (the service words the refusal), beside the empty one when a blank
    value is taken (``blank``: it holds no value); ``max_items``: the keys one may repeat."""
    items: JsonDict = {"type": "string", "maxLength": MAX_TEXT_LENGTH, "pattern": LINE_PATTERN}
    if choices:
        enum: JsonDict = {"type": "string", "enum": list(choices)}
        items = {"anyOf": [enum, BLANK_SCHEMA]} if blank else enum
    return _list_dependency(
        names,
        description + ': as a,b, ["a","b"] or repeated keys',
        _as_text,
        items=items,
        max_items=max_items,
    )
