"""The OpenAPI document as clients generate code from it and fuzzers test against it.

FastAPI writes the document from the routes and models; ``install_openapi`` then
applies, once, the few rules that the models cannot say themselves (FastAPI's documented
way: replacing ``app.openapi``):

- Every component is named after its model's title (``kit.envelope.schema_name``):
  ``Project``, ``ProjectList``, ``Error``, never a class's ``ProjectOut`` or a generic's
  ``Envelope_list_ProjectOut__``. Two components of one name are an error.
- A value the server takes from the query string or the body (``workspace_id``, a
  task's ``project_id``: ``kit.schemas.query_or_body``) is documented in one place only,
  since two different values are refused: in a required body that declares it, else in
  the query string. ``workspace_id`` is then required there, as the server requires it.
- A query parameter is never null (an absent one is), so none is documented nullable.
- An optional body that documents nothing (the ``workspace_id`` that the hosted API's
  clients send with a delete, documented in the query) is left out.
- What a create answers links to the operations on what it created (create a project
  -> get, update, delete it): clients and fuzzers follow ``data.id`` into the path.
- Each operation lists the error answers it can give, each with the error envelope and
  an example (:data:`ERROR_EXAMPLES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI

from webwork.kit.types import is_blank, is_null, without_branches

REF_PREFIX = "#/components/schemas/"
ERROR_SCHEMA = "Error"

# Taken from the query string or the body, whichever the client used.
QUERY_OR_BODY = ("workspace_id", "project_id")
REQUIRED_SCOPE = "workspace_id"

EXAMPLE_META = {"api_version": "2.0.0", "timestamp": "2024-01-15T10:30:00Z"}


def _error(message: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "message": message, "error": code}
    if errors:
        body["errors"] = errors
    return {**body, "meta": EXAMPLE_META}


# Each error answer: what it means, and an example with the server's own words.
ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Malformed request body", _error("The request body is not valid JSON.", "malformed_json")),
    401: ("Unauthenticated", _error("Invalid or expired token.", "invalid_token")),
    403: (
        "Forbidden for the caller's role",
        _error("You do not have permission to perform this action.", "forbidden"),
    ),
    404: ("Not found (also for ids of another workspace)", _error("Resource not found.", "not_found")),
    409: (
        "Conflict with the resource's state",
        _error("The request conflicts with the current state of the resource.", "conflict"),
    ),
    413: ("Request body too large", _error("The request body is too large.", "payload_too_large")),
    422: (
        "Validation failed",
        _error(
            "The workspace id field is required.",
            "validation_error",
            {"workspace_id": ["The workspace id field is required."]},
        ),
    ),
    429: ("Rate limited", _error("Too many requests. Please slow down.", "rate_limited")),
    431: (
        "Request line and headers over 64 KiB",
        _error(
            "The request headers must not be greater than 64 kilobytes.", "request_header_fields_too_large"
        ),
    ),
    503: (
        "The database does not answer; try again after Retry-After",
        _error("The service is not available. Try again later.", "unavailable"),
    ),
}

Document = dict[str, Any]

HEADER_REF = "#/components/headers/"
# The headers answers carry (``kit.observe``, ``kit.ratelimit``, ``idempotency``).
HEADERS: dict[str, Document] = {
    "X-Request-ID": {
        "description": "The request's id: the caller's own X-Request-ID when it is sane, else a new one",
        "schema": {"type": "string", "maxLength": 128},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed in the window (when rate limits are on)",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {"description": "Requests left in the window", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until the window resets", "schema": {"type": "integer"}},
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}},
    "Idempotent-Replayed": {
        "description": "true: the stored answer to an earlier request with this Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    },
}


def install_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> Document:
        if app.openapi_schema is None:
            app.openapi_schema = refine(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def refine(document: Document) -> Document:
    _name_components(document)
    schemas: dict[str, Any] = document["components"]["schemas"]
    placed: dict[str, str] = {}
    for path, method, operation in _operations(document):
        _place_query_or_body(operation, schemas, placed, f"{method.upper()} {path}")
        _declare_errors(operation, path, read=method == "get")
    _link_created(document)
    _drop_unused(document)
    _declare_headers(document)
    return document


def _declare_headers(document: Document) -> None:
    """Every answer's ``X-Request-ID`` and rate-limit headers; ``Retry-After`` on 429
    and 503; ``Idempotent-Replayed`` on what a POST answers."""
    document["components"]["headers"] = HEADERS
    for _, method, operation in _operations(document):
        for status, answer in operation["responses"].items():
            names = ["X-Request-ID", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]
            if status in ("429", "503"):
                names.append("Retry-After")
            if method == "post" and status.startswith("2"):
                names.append("Idempotent-Replayed")
            answer.setdefault("headers", {}).update({name: {"$ref": HEADER_REF + name} for name in names})


def _operations(document: Document) -> Iterator[tuple[str, str, Document]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _name_components(document: Document) -> None:
    schemas: dict[str, Any] = document["components"]["schemas"]
    names = {old: schema.get("title", old) for old, schema in schemas.items()}
    twice = sorted({name for name in names.values() if list(names.values()).count(name) > 1})
    if twice:
        raise ValueError(f"two OpenAPI components would be named {', '.join(twice)}: give each a title")
    document["components"]["schemas"] = {names[old]: schema for old, schema in schemas.items()}
    _rewrite_refs(document, lambda old: names.get(old, old))


def _rewrite_refs(node: Any, rename: Callable[[str], str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            node["$ref"] = REF_PREFIX + rename(ref.removeprefix(REF_PREFIX))
        for value in node.values():
            _rewrite_refs(value, rename)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, rename)


def _not_null(schema: Document) -> Document:
    """``anyOf: [X, null]`` as X, ``anyOf: [X, "", null]`` as ``anyOf: [X, ""]``, no
    default."""
    if "anyOf" not in schema:
        return schema
    narrowed = without_branches(schema, is_null)
    narrowed.pop("default", None)
    return narrowed


def _body_schema(operation: Document, schemas: dict[str, Any]) -> tuple[str | None, Document | None]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None, None
    schema = _not_null(schema)
    ref = schema.get("$ref", "")
    if ref.startswith(REF_PREFIX):
        name = ref.removeprefix(REF_PREFIX)
        return name, schemas[name]
    return None, schema


def _place_query_or_body(
    operation: Document, schemas: dict[str, Any], placed: dict[str, str], label: str
) -> None:
    params: list[Document] = operation.get("parameters", [])
    for param in params:
        if param["in"] == "query":
            param["schema"] = _not_null(param["schema"])
    name, body = _body_schema(operation, schemas)
    body_required = bool(operation.get("requestBody", {}).get("required"))
    properties: dict[str, Any] = body.get("properties", {}) if body else {}
    for field in QUERY_OR_BODY:
        query = next((p for p in params if p["in"] == "query" and p["name"] == field), None)
        key = f"{name}.{field}"
        if query is not None and placed.get(key) == "query (required)":
            query["required"] = True  # the shared body was moved to the query before
        if query is None or field not in properties:
            if query is not None and field == REQUIRED_SCOPE:
                query["required"] = True
            continue
        if body_required:
            if name is not None and placed.setdefault(key, "body") != "body":
                raise ValueError(f"{label}: {name} is a required body here and an optional one elsewhere")
            params.remove(query)
            continue
        del properties[field]
        if body is not None and field in body.get("required", ()):
            body["required"].remove(field)
            query["required"] = True
        if name is not None:
            placed[key] = "query (required)" if query.get("required") else "query"
    for param in params:
        if param.get("required"):
            # Blank reads as absent, and absent is refused.
            param["schema"] = without_branches(param["schema"], is_blank)
    if body is not None and not body_required and not body.get("properties"):
        del operation["requestBody"]
    if not params:
        operation.pop("parameters", None)


def _declare_errors(operation: Document, path: str, *, read: bool) -> None:
    """The error answers an operation can give: every one can be refused for its head's
    size (431), its caller's rate (429) and an absent database (503); one with a token
    for the token (401); one in a workspace or naming a resource for the caller's role
    (403) and the resource (404); a write for the resource's state (409); one with input
    for the input (422); one with a body for the body (400, 413)."""
    names = {p["name"] for p in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    scoped = REQUIRED_SCOPE in names or "{" in path or has_body
    statuses = {429, 431, 503}
    if operation.get("security"):
        statuses |= {401}
        if scoped:
            statuses |= {403, 404}
            if not read:
                statuses |= {409}
    elif "{" in path:
        statuses |= {404}
    if names or has_body:
        statuses |= {422}
    if has_body:
        statuses |= {400, 413}
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "HTTPValidationError" in str(responses.get("422")):
        del responses["422"]  # FastAPI's own, replaced by the error envelope
    for status in sorted(statuses):
        description, example = ERROR_EXAMPLES[status]
        answer = responses.setdefault(str(status), {"description": description})
        media = answer.setdefault("content", {}).setdefault("application/json", {})
        media.setdefault("schema", {"$ref": REF_PREFIX + ERROR_SCHEMA})
        media.setdefault("example", example)
    operation["responses"] = dict(sorted(responses.items()))


def _link_created(document: Document) -> None:
    """A ``201`` whose ``data`` has an ``id`` links to every operation on
    ``<collection>/{id}`` (and below it) that needs no other path parameter, handing on
    the id and the workspace the create was given."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    for path, method, operation in list(_operations(document)):
        created = operation["responses"].get("201", {}).get("content", {}).get("application/json", {})
        if method != "post" or "id" not in _data_properties(created.get("schema", {}), schemas):
            continue
        scope = _scope_expression(operation)
        links: dict[str, Any] = {}
        for target_path, item in document["paths"].items():
            match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}(/[\w-]+)*", target_path)
            if match is None or target_path.count("{") != 1:
                continue
            for target in item.values():
                parameters = {match[1]: "$response.body#/data/id"}
                if scope and any(p["name"] == REQUIRED_SCOPE for p in target.get("parameters", [])):
                    parameters[REQUIRED_SCOPE] = scope
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": parameters,
                }
        if links:
            operation["responses"]["201"]["links"] = links


def _data_properties(schema: Document, schemas: dict[str, Any]) -> dict[str, Any]:
    envelope = schemas.get(schema.get("$ref", "").removeprefix(REF_PREFIX), {})
    data = envelope.get("properties", {}).get("data", {})
    properties: dict[str, Any] = schemas.get(data.get("$ref", "").removeprefix(REF_PREFIX), {}).get(
        "properties", {}
    )
    return properties


def _scope_expression(operation: Document) -> str | None:
    """Where the create was given ``workspace_id``, as a runtime expression."""
    if any(p["name"] == REQUIRED_SCOPE for p in operation.get("parameters", [])):
        return f"$request.query.{REQUIRED_SCOPE}"
    if "requestBody" in operation:
        return f"$request.body#/{REQUIRED_SCOPE}"
    return None


def _drop_unused(document: Document) -> None:
    """Components that no operation reaches any more (a body left out)."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    reached: set[str] = set()
    pending = _refs(document["paths"])
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending |= _refs(schemas[name])
    for name in [name for name in schemas if name not in reached]:
        del schemas[name]


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref.removeprefix(REF_PREFIX))
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found
