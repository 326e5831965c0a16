"""Base models for request bodies and the helpers every domain's schemas share."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, model_validator
from pydantic.config import JsonDict

from webwork.kit.errors import ValidationFailed
from webwork.kit.forms import body_was_form
from webwork.kit.types import INT_MAX, BlankNone, Id, is_blank, is_null, without_branches

SCOPE = "workspace_id"
# An id a client may give in the body or the query string (``query_or_body``): absent
# here is fine; null is not documented (the document says where to put it: ``needed``).
QueryOrBodyId = Annotated[
    Id | None,
    BlankNone,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": INT_MAX}, mode="validation"),
]


def _document(schema: JsonDict, model: type[Any]) -> None:
    """The body as the document shows it (``json_schema_extra``): each of the model's
    ``needed`` fields required, ``workspace_id`` left out unless needed here, and the
    ``needed`` and ``not_null`` fields without null and the blank that reads as null
    (and, if text, without the empty string)."""
    properties = schema["properties"]
    required = schema.setdefault("required", [])
    assert isinstance(properties, dict) and isinstance(required, list)
    if SCOPE not in model.needed:
        del properties[SCOPE]
    for field in model.needed:
        required.append(field)
    for field in (*model.needed, *model.not_null):
        declared = properties[field]
        assert isinstance(declared, dict)
        properties[field] = _without_null(declared)


def _without_null(declared: JsonDict) -> JsonDict:
    narrowed = without_branches(declared, is_null, is_blank)
    narrowed.pop("default", None)
    if narrowed.get("type") == "string" and "minLength" not in narrowed and "enum" not in narrowed:
        narrowed["minLength"] = 1
    return narrowed


class RequestBody(BaseModel):
    """A request body. Unknown keys are ignored (clients send extra fields); string
    values are stripped.

    ``workspace_id`` is read, from here or the query string, and checked by the caller's
    workspace dependency (``webwork.auth.deps.get_actor_of_any_role``): a client may send
    it in either place. The document shows it in one: here (required), as the hosted API
    takes it with the writes of tasks, time, requests, expenses, leave, viewers and
    timesheets; bodies that it takes with ``workspace_id`` in the query string derive
    from :class:`QueryScopedBody`. ``kit.openapi`` then leaves the other place out, or,
    for an optional body, documents the query string instead."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, json_schema_extra=_document)

    # Fields the server needs from this body or the query string (``query_or_body``):
    # this model lets them be absent, the document marks them required.
    needed: ClassVar[tuple[str, ...]] = (SCOPE,)
    # Fields a client may leave out but not send as null or blank (``required_value``).
    not_null: ClassVar[tuple[str, ...]] = ()

    workspace_id: QueryOrBodyId = Field(None, description="ID of the workspace (or in the query string)")

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        """In JSON a number is a number and a yes/no a boolean, as the document says: a
        string there (``"5"``) is refused as the wrong type. A form has nothing but
        strings, so a form body (``kit.forms``) keeps them; blank stays "no value"."""
        if not isinstance(data, dict) or body_was_form():
            return data
        quoted = [key for key in _typed_fields(cls) if isinstance(data.get(key), str) and data[key]]
        return {**data, **{key: Quoted(data[key]) for key in quoted}} if quoted else data

    def provided(self, *exclude: str) -> dict[str, Any]:
        """The fields the client actually sent (for partial updates)."""
        return {
            k: getattr(self, k) for k in self.model_fields_set if k not in exclude and k != "workspace_id"
        }


class Quoted:
    """A JSON string where a number or boolean belongs: no validator takes it, so the
    field's own type error names it."""

    def __init__(self, text: str) -> None:
        self.text = text


_TYPED = frozenset({"integer", "number", "boolean"})


@cache
def _typed_fields(model: type[RequestBody]) -> frozenset[str]:
    """The fields whose document takes a number or boolean and no text but the blank."""
    typed: set[str] = set()
    for name, schema in model.model_json_schema()["properties"].items():
        kinds = {b.get("type") for b in schema.get("anyOf", [schema]) if not is_blank(b)}
        if kinds & _TYPED and "string" not in kinds:
            typed.add(name)
    return frozenset(typed)


class QueryScopedBody(RequestBody):
    """A body of an operation that the hosted API gives ``workspace_id`` in the query
    string (members, projects, contracts, teams): the document shows it there only."""

    needed = ()


# The optional body of a DELETE or an action (restore, ...): the hosted API's clients send
# ``workspace_id`` there; nothing else of it is read.
OptionalBody = Annotated[QueryScopedBody | None, Body()]


def required_value(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """Use as ``_required = field_validator(*not_null, mode="before")(required_value)``
    with the body's ``not_null``. Validators run only on values the client sent, so this
    refuses an explicit null or empty string on an optional field (a partial update may
    omit it, not blank it)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"The {info.field_name} field is required.")
    return value


def query_or_body(field: str, from_query: int | None, from_body: int | None) -> int | None:
    """The hosted API takes some ids in the query for one verb and in the body for
    another; we accept either place and refuse two different values (422)."""
    if from_query is not None and from_body is not None and from_query != from_body:
        raise ValidationFailed({field: [f"The {field} in the query string and in the body must match."]})
    return from_query if from_query is not None else from_body
