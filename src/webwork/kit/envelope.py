"""The success and error envelopes every response of the API is wrapped in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args, get_origin
from uuid import UUID

import orjson
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.json_schema import SkipJsonSchema
from starlette.background import BackgroundTask

from webwork import API_VERSION
from webwork.kit import clock
from webwork.kit.types import timestamp_to_zulu

if TYPE_CHECKING:  # pagination imports the unit of work, which imports the error envelope
    from webwork.kit.pagination import Page, Pagination

T = TypeVar("T")

# The request's id (``X-Request-ID``), set by ``kit.observe.RequestMiddleware``: error
# envelopes repeat it in ``meta.request_id``, so that a client's bug report finds the
# server's log line.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# Plain values in an answer are encoded by orjson itself, in Rust: UUIDs, dates, and
# timestamps (always UTC here) as the API writes them, to the second with a "Z"
# (``kit.types.ZuluTimestamp``). Lists hand over the values they read as they are:
# formatting two timestamps, a date and a UUID per row in Python cost more than the
# rest of serialising the row.
RENDER_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NAIVE_UTC
)


def _model_json(value: Any) -> Any:
    """orjson's hook for what it cannot encode itself: a model, wherever it sits in the
    answer, dumped with ``exclude_unset`` so that a field a caller may not see (a
    contract's rate) can be left out rather than nulled. A UUID read by asyncpg is its own
    subclass of ``uuid.UUID``, which orjson encodes only as the exact type: it comes here,
    and is written as orjson writes a UUID."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class FastJSONResponse(JSONResponse):
    """JSON rendered by orjson, several times faster than the standard library's; the
    walk over the answer happens in orjson, models included (:func:`_model_json`).

    Rendered when it is sent (or its body or headers are first read), not when it is
    built: an endpoint returns it from inside its unit of work, which commits, and on
    SQLite gives the write turn back, before the answer is rendered. The answer holds
    plain values and loaded models only, so rendering reads nothing from the database."""

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self._content = content
        self._given_headers = headers

    @cached_property
    def body(self) -> bytes:  # type: ignore[override]
        return self.render(self._content)

    @cached_property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:  # type: ignore[override]
        self.init_headers(self._given_headers)
        headers: list[tuple[bytes, bytes]] = self.__dict__["raw_headers"]
        return headers

    def render(self, content: Any) -> bytes:
        return render(content)


def render(content: Any) -> bytes:
    return orjson.dumps(content, default=_model_json, option=RENDER_OPTIONS)


def respond_streamed(
    data: Mapping[Any, Any], message: str, *, extra_meta: Mapping[str, Any]
) -> StreamingResponse:
    """The success envelope of :func:`respond`, byte for byte, for an answer of tens of
    megabytes (a year of every member's days), rendered an entry of ``data`` at a time
    as it is sent. Rendered whole, orjson would hold the event loop (and the GIL) for a
    quarter of a second while every other request waits; an entry is a short turn, and
    the loop serves others between two (``asyncio.sleep(0)``)."""
    head = render({"success": True, "message": message})[:-1] + b',"data":{'
    tail = {**meta(), **extra_meta}

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        for n, (key, value) in enumerate(data.items()):
            await asyncio.sleep(0)
            yield (b"," if n else b"") + render(key) + b":" + render(value)
        yield b'},"meta":' + render(tail) + b"}"

    return StreamingResponse(chunks(), media_type="application/json")


def meta(pagination: Pagination | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "api_version": API_VERSION,
        "timestamp": timestamp_to_zulu(clock.utcnow()),
    }
    if pagination is not None:
        body["pagination"] = pagination.as_dict()
    return body


def error_body(
    message: str, code: str, errors: Mapping[str, list[str]] | None = None, data: Any = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "message": message, "error": code}
    if errors is not None:
        body["errors"] = dict(errors)
    if data is not None:
        body["data"] = data
    body["meta"] = meta()
    request_id = REQUEST_ID.get()
    if request_id is not None:
        body["meta"]["request_id"] = request_id
    return body


def respond(
    data: Any = None,
    message: str = "",
    *,
    status_code: int = 200,
    pagination: Pagination | None = None,
    extra: Mapping[str, Any] | None = None,
    extra_meta: Mapping[str, Any] | None = None,
    include_data: bool = True,
) -> JSONResponse:
    """Build the success envelope; models in it are dumped as it is rendered.
    ``extra_meta`` adds keys to ``meta`` (a list's total over every page)."""
    body: dict[str, Any] = {"success": True}
    if message:
        body["message"] = message
    if extra:
        body.update(extra)
    if include_data:
        body["data"] = data
    body["meta"] = meta(pagination)
    if extra_meta:
        body["meta"].update(extra_meta)
    return FastJSONResponse(body, status_code=status_code)


def respond_page(
    page: Page[T], shape: Callable[[T], Any], message: str, *, extra_meta: Mapping[str, Any] | None = None
) -> JSONResponse:
    """The success envelope of a list: each item of the page shaped for the API, and the
    page's pagination (and ``extra_meta``) in ``meta``."""
    items = [shape(item) for item in page.items]
    return respond(items, message, pagination=page.pagination, extra_meta=extra_meta)


class PaginationModel(BaseModel):
    model_config = ConfigDict(title="Pagination")

    current_page: int
    last_page: int
    per_page: int
    total: int
    from_: int | None = Field(None, alias="from")
    to: int | None = None


class Meta(BaseModel):
    api_version: str = API_VERSION
    timestamp: str
    pagination: PaginationModel | None = None
    request_id: str | None = Field(
        None, description="On errors: the request's X-Request-ID, as the server logged it."
    )


def schema_name(model: Any) -> str:
    """The name a model goes by in the OpenAPI document (``kit.openapi`` names each
    component after its title): its ``title`` if it sets one, else its class name."""
    if isinstance(model, type) and issubclass(model, BaseModel) and model.model_config.get("title"):
        return str(model.model_config["title"])
    return str(getattr(model, "__name__", model))


class Envelope(BaseModel, Generic[T]):
    """Documents the success envelope in OpenAPI; responses are built by ``respond``.

    ``Envelope[Project]`` is named ``ProjectResponse`` and ``Envelope[list[Project]]``
    ``ProjectList`` (after the item's :func:`schema_name`), so that every router's
    envelopes read as a person would name them. Any other ``data`` (a union, a mapping)
    needs a name of its own: ``class TrackedHours(Envelope[...])``."""

    success: bool = True
    data: T
    message: str
    meta: Meta

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        (item,) = params
        if get_origin(item) is list:
            (element,) = get_args(item)
            if isinstance(element, type):
                return schema_name(element) + "List"
        elif isinstance(item, type):
            return schema_name(item) + "Response"
        return super().model_parametrized_name(params)


class MessageEnvelope(BaseModel):
    """A success that carries no ``data`` (a deletion the hosted API answers so)."""

    model_config = ConfigDict(title="Confirmation")

    success: bool = True
    message: str
    meta: Meta


class FieldErrors(RootModel[dict[str, list[str]]]):
    """The messages of each refused field, by field name."""


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(title="Error")

    success: bool = False
    message: str
    error: str
    # Only 422 answers carry it; it is left out, never null, elsewhere.
    errors: FieldErrors | SkipJsonSchema[None] = None
    meta: Meta


# What every operation can answer, whoever calls it: too many requests, or no database.
# ``kit.openapi`` adds the others each operation can give, and the examples.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorEnvelope, "description": "Rate limited"},
    503: {"model": ErrorEnvelope, "description": "The database does not answer; try again after Retry-After"},
}
