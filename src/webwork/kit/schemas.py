"""Base models for request bodies and the helpers every domain's schemas share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from webwork.kit.errors import ValidationFailed
from webwork.kit.types import BlankNone, Id

SCOPE = "workspace_id"
# An id a client may give in the body or the query string (``query_or_body``): absent
# here is fine; null is not documented (the document says where to put it: ``needed``).
QueryOrBodyId = Annotated[Id | SkipJsonSchema[None], BlankNone]


def needed(*fields: str) -> Callable[[JsonDict], None]:
    """``json_schema_extra`` of a body whose ``fields`` the server needs, from the body
    or the query string (``query_or_body``): the body's model lets them be absent, the
    document marks them required. ``kit.openapi`` then documents each in one place: in
    the body if the body is required, else in the query string (required there)."""

    def document(schema: JsonDict) -> None:
        properties = schema["properties"]
        required = schema.setdefault("required", [])
        assert isinstance(properties, dict) and isinstance(required, list)
        for field in fields:
            declared = properties[field]
            assert isinstance(declared, dict)
            declared.pop("default", None)
            required.append(field)

    return document


def _scope_in_query(schema: JsonDict) -> None:
    properties = schema["properties"]
    assert isinstance(properties, dict)
    del properties[SCOPE]


class RequestBody(BaseModel):
    """A request body. Unknown keys are ignored (clients send extra fields); string
    values are stripped. ``workspace_id`` is declared so OpenAPI shows it, but it is read
    and checked against the query by the caller's workspace dependency
    (``webwork.auth.deps.get_actor_of_any_role``): a client may send it in either place.
    The document shows it where the hosted API takes it, in the body (the writes of
    tasks, time, requests, expenses, leave, viewers, timesheets); bodies that it takes
    with ``workspace_id`` in the query string derive from :class:`QueryScopedBody`."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, json_schema_extra=needed(SCOPE))

    workspace_id: QueryOrBodyId = Field(None, description="ID of the workspace (or in the query string)")

    def provided(self, *exclude: str) -> dict[str, Any]:
        """The fields the client actually sent (for partial updates)."""
        return {
            k: getattr(self, k) for k in self.model_fields_set if k not in exclude and k != "workspace_id"
        }


class QueryScopedBody(RequestBody):
    """A body of an operation that the hosted API gives ``workspace_id`` in the query
    string (members, projects, contracts, teams): the document shows it there only."""

    model_config = ConfigDict(json_schema_extra=_scope_in_query)


# The optional body of a DELETE or an action (restore, ...): the hosted API's clients send
# ``workspace_id`` there; nothing else of it is read.
OptionalBody = Annotated[QueryScopedBody | None, Body()]


def required_value(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """Use as ``field_validator(*fields, mode="before")(required_value)``. Validators run
    only on values the client sent, so this refuses an explicit null or empty string on
    an optional field (a partial update may omit it, not blank it)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"The {info.field_name} field is required.")
    return value


def query_or_body(field: str, from_query: int | None, from_body: int | None) -> int | None:
    """The hosted API takes some ids in the query for one verb and in the body for
    another; we accept either place and refuse two different values (422)."""
    if from_query is not None and from_body is not None and from_query != from_body:
        raise ValidationFailed({field: [f"The {field} in the query string and in the body must match."]})
    return from_query if from_query is not None else from_body
