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
from pydantic import Field

from webwork.kit.errors import invalid
from webwork.kit.types import INT_MAX, LINE_PATTERN, MAX_IDS

# One raw value of a list parameter: room for MAX_IDS ids written out with commas.
MAX_RAW_LENGTH = 12_000
RawValue = Annotated[str, Field(max_length=MAX_RAW_LENGTH, pattern=LINE_PATTERN)]
RawValues = Annotated[list[RawValue] | None, Query(max_length=MAX_IDS)]
# A text value of a list (a task title, a currency code).
MAX_TEXT_LENGTH = 255


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


def _list_dependency(names: tuple[str, ...], description: str, convert: Callable[[str, str], Any]) -> Any:
    """A dependency with one documented query parameter per name (``RawValues``), whose
    values it merges, converts and de-duplicates (first occurrence first)."""

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
                    list[RawValue] | None,
                    Query(max_length=MAX_IDS, description=description + (aliases if i else "")),
                ],
            )
            for i, name in enumerate(names)
        ]
    )
    return Depends(read)


def id_filter(*names: str, description: str) -> Any:
    """A list of ids under ``names`` (the first is the documented name, the rest its
    aliases): ``Annotated[list[int] | None, id_filter("users", "user_ids", ...)]``."""
    return _list_dependency(names, description + ": ids as 1,2,3, [1,2] or repeated keys", _as_id)


def text_filter(*names: str, description: str) -> Any:
    """A list of short texts under ``names``: ``["a,b","c"]`` keeps commas inside a
    value, ``a,b`` or repeated keys do not."""
    return _list_dependency(names, description + ': as a,b, ["a","b"] or repeated keys', _as_text)
