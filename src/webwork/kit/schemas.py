"""Base models for request bodies and the helpers every domain's schemas share."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema
from pydantic.config import JsonDict, JsonValue

from webwork.kit.errors import ValidationFailed
from webwork.kit.types import INT_MAX, BlankNone, Id

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
    ``not_null`` fields without null (and, if text, without the empty string)."""
    properties = schema["properties"]
    required = schema.setdefault("required", [])
    assert isinstance(properties, dict) and isinstance(required, list)
    if SCOPE not in model.needed:
        del properties[SCOPE]
    for field in model.needed:
        declared = properties[field]
        assert isinstance(declared, dict)
        declared.pop("default", None)
        required.append(field)
    for field in model.not_null:
        declared = properties[field]
        assert isinstance(declared, dict)
        branches = declared.pop("anyOf", None)
        if isinstance(branches, list):
            kept: list[JsonValue] = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
            only = kept[0] if len(kept) == 1 else None
            if isinstance(only, dict):
                declared.update(only)
            else:
                declared["anyOf"] = kept
        declared.pop("default", None)
        if declared.get("type") == "string" and "minLength" not in declared and "enum" not in declared:
            declared["minLength"] = 1


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

    def provided(self, *exclude: str) -> dict[str, Any]:
        """The fields the client actually sent (for partial updates)."""
        return {
            k: getattr(self, k) for k in self.model_fields_set if k not in exclude and k != "workspace_id"
        }


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
