"""Domain errors and the handlers that turn every failure into the error envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DatabaseError,
    DBAPIError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from webwork.kit.envelope import FastJSONResponse, error_body
from webwork.kit.types import PATTERN_RULES

log = logging.getLogger(__name__)
T = TypeVar("T")


class ApiError(Exception):
    status_code = 400
    code = "bad_request"
    default_message = "The request could not be processed."
    # The request's writes are rolled back, unless the error says they must land anyway
    # (a wrong confirmation code: the failed attempt is what bounds guessing).
    keep_changes = False

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        if code:
            self.code = code
        self.errors = {k: list(v) for k, v in errors.items()} if errors else None
        self.data = data
        self.headers = dict(headers) if headers else None


class BadRequest(ApiError):
    status_code = 400
    code = "bad_request"


class MalformedJson(BadRequest):
    code = "malformed_json"
    default_message = "The request body is not valid JSON."


class Unauthenticated(ApiError):
    """Every 401 names the scheme to authenticate with (RFC 6750), and says
    ``error="invalid_token"`` when a token was sent and refused."""

    status_code = 401
    code = "unauthenticated"
    default_message = "Unauthenticated."

    def __init__(self, message: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        challenge = 'Bearer error="invalid_token"' if self.code == "invalid_token" else "Bearer"
        self.headers = {"WWW-Authenticate": challenge, **(self.headers or {})}


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"
    default_message = "You do not have permission to perform this action."


class NotFound(ApiError):
    status_code = 404
    code = "not_found"
    default_message = "Resource not found."


class Conflict(ApiError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


def ensure_pending(status: str, pending: str, things: str, past: str) -> None:
    """409 unless ``status`` is its domain's ``pending``: requests, expenses and leave
    are decided once ("Only pending expenses can be approved; this one is rejected.")."""
    if status != pending:
        raise Conflict(
            f"Only pending {things} can be {past}; this one is {status}.", code="invalid_transition"
        )


class ValidationFailed(ApiError):
    status_code = 422
    code = "validation_error"
    default_message = "The given data was invalid."

    def __init__(self, errors: Mapping[str, Sequence[str]], message: str | None = None, **kw: Any) -> None:
        first = next((msgs[0] for msgs in errors.values() if msgs), None)
        super().__init__(message or first or self.default_message, errors=errors, **kw)


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class RateLimited(ApiError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many requests. Please slow down."


class Unavailable(ApiError):
    status_code = 503
    code = "unavailable"
    default_message = "The service is not available. Try again later."


# When a client refused for an unreachable database is told to try again (seconds).
DATABASE_RETRY_AFTER = "5"


def database_unavailable() -> Unavailable:
    return Unavailable(
        "The database is not available. Try again later.", headers={"Retry-After": DATABASE_RETRY_AFTER}
    )


def found(value: T | None, message: str) -> T:
    """``value``, or a 404 with ``message`` when the lookup found nothing: what a service
    answers for an id the caller may not see, whoever's it is."""
    if value is None:
        raise NotFound(message)
    return value


def invalid(field: str, message: str) -> ValidationFailed:
    """The common case: one field, one message."""
    return ValidationFailed({field: [message]})


def malformed_json(cause: BaseException) -> MalformedJson:
    """The one answer for a body the JSON or form parser gives up on. Nesting deeper than
    the parser's recursion limit is valid JSON, and bytes that are no UTF-8 are no text
    at all, so both are told apart."""
    if isinstance(cause, RecursionError):
        return MalformedJson("The request body is nested too deeply.")
    if isinstance(cause, UnicodeDecodeError):
        return MalformedJson("The request body is not valid UTF-8.")
    return MalformedJson()


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


_TEMPLATES = {
    "missing": "The {field} field is required.",
    "int_parsing": "The {field} field must be an integer.",
    "int_type": "The {field} field must be an integer.",
    "int_from_float": "The {field} field must be an integer.",
    "bool_parsing": "The {field} field must be true or false.",
    "date_from_datetime_parsing": "The {field} field must be a valid date (YYYY-MM-DD).",
    "date_parsing": "The {field} field must be a valid date (YYYY-MM-DD).",
    "datetime_parsing": "The {field} field must be a valid ISO-8601 timestamp.",
    "datetime_from_date_parsing": "The {field} field must be a valid ISO-8601 timestamp.",
    "decimal_parsing": "The {field} field must be a number.",
    "string_too_long": "The {field} field must not be greater than {max_length} characters.",
    "string_unicode": "The {field} field must be valid UTF-8 text.",
    "string_pattern_mismatch": "The {field} field format is invalid.",
    "too_long": "The {field} field must not have more than {max_length} items.",
    "string_too_short": "The {field} field must be at least {min_length} characters.",
    "greater_than_equal": "The {field} field must be at least {ge}.",
    "less_than_equal": "The {field} field must not be greater than {le}.",
    "greater_than": "The {field} field must be greater than {gt}.",
    "less_than": "The {field} field must be less than {lt}.",
    "list_type": "The {field} field must be an array.",
    "string_type": "The {field} field must be a string.",
    "bool_type": "The {field} field must be true or false.",
    "decimal_type": "The {field} field must be a number.",
    "float_parsing": "The {field} field must be a number.",
    "literal_error": "The selected {field} is invalid.",
    "enum": "The selected {field} is invalid.",
    "uuid_parsing": "The {field} field must be a valid UUID.",
    "time_parsing": "The {field} field must be a valid time (HH:mm).",
    "decimal_max_places": "The {field} field must have at most {decimal_places} decimal places.",
    "decimal_max_digits": "The {field} field must have at most {max_digits} digits.",
    "model_attributes_type": "The {field} must be an object.",
    "dict_type": "The {field} must be an object.",
    "value_error": "{msg}",
    "day_range": "The {field} must be between {first} and {last}.",
}


def _message(err: Mapping[str, Any], field: str) -> str:
    template = _TEMPLATES.get(err.get("type", ""))
    ctx = dict(err.get("ctx") or {})
    msg = str(err.get("msg", "Invalid value."))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if template is None:
        return f"The {field} field is invalid: {msg}"
    if err.get("type") == "string_too_short" and ctx.get("min_length") == 1:
        template = _TEMPLATES["missing"]
    if err.get("type") == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_RULES:
        template = "The {field} field " + PATTERN_RULES[ctx["pattern"]]
    try:
        return template.format(
            field=field.replace("_", " ") if template != "{msg}" else field, msg=msg, **ctx
        )
    except (KeyError, IndexError):
        return msg


def validation_errors(raw: Sequence[Mapping[str, Any]], loc: Sequence[Any] = ()) -> dict[str, list[str]]:
    """Pydantic's errors as the envelope's ``errors``; ``loc`` names where the validated
    value was (for a value validated on its own)."""
    errors: dict[str, list[str]] = {}
    for err in raw:
        field = _field_name((*loc, *err.get("loc", ())))
        errors.setdefault(field, []).append(_message(err, field))
    return errors


def _response(
    status: int,
    message: str,
    code: str,
    errors: Mapping[str, list[str]] | None = None,
    data: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return FastJSONResponse(error_body(message, code, errors, data), status_code=status, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}
_HTTP_MESSAGES = {404: "The requested route was not found.", 405: "Method not allowed."}


def error_response(exc: ApiError) -> JSONResponse:
    """The envelope of ``exc``: what the handler answers, and what a middleware outside
    the handlers (a body refused before routing) sends itself."""
    return _response(exc.status_code, exc.message, exc.code, exc.errors, exc.data, exc.headers)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return await _api_error(request, MalformedJson())
    errors = validation_errors(raw)
    first = next(iter(errors.values()))[0]
    return _response(422, first, "validation_error", errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, ApiError):
        # A body the strict JSON reader (kit/bodies.py) refused while FastAPI parsed it.
        return error_response(exc.__cause__)
    if isinstance(exc.__cause__, (RecursionError, UnicodeDecodeError)):
        # FastAPI's body reader answers these with a bare 400; JSONDecodeError it reports itself.
        return await _api_error(request, malformed_json(exc.__cause__))
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    message = _HTTP_MESSAGES.get(exc.status_code) or detail or "Request failed."
    return _response(exc.status_code, message, code, headers=exc.headers)


def _out_of_range(exc: BaseException) -> bool:
    """An integer the database cannot store (int4 ids on PostgreSQL, int8 on SQLite):
    the drivers refuse it only when binding, so it is caught here, once for all routes."""
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DBAPIError):
        return isinstance(exc.orig, OverflowError) or ("out of" in str(exc.orig) and "range" in str(exc.orig))
    return False


def _unstorable_text(exc: BaseException) -> bool:
    """PostgreSQL cannot store NUL characters in text; SQLite can."""
    return isinstance(exc, DBAPIError) and "invalid byte sequence" in str(exc.orig)


def _unreachable(exc: BaseException) -> bool:
    """The database cannot be reached or used right now, as opposed to refusing this
    request's statement: a connection refused, lost or timed out (``OSError`` covers
    ``TimeoutError`` and the drivers' socket errors), the pool's wait for a connection
    timed out, or the driver reports the connection or the file unusable. SQLite reports
    an unusable file (gone, not a database, I/O error) as ``OperationalError`` or
    ``DatabaseError``, and a missing table or column as ``OperationalError`` too: those
    are the code's own faults and stay 500s."""
    if isinstance(exc, (OSError, PoolTimeout)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc.orig, OSError):
        return True
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError) or type(exc) is DatabaseError:
        return not str(exc.orig).startswith(("no such", "near "))
    return False


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Input the database refuses when it binds the value is bad input, not a crash; a
    database that cannot be reached is a 503 the client retries, not a crash either."""
    if _unreachable(exc):
        log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return error_response(database_unavailable())
    if _out_of_range(exc):
        message = "A number in the request is out of range."
    elif _unstorable_text(exc):
        message = "Text in the request contains characters that cannot be stored (NUL)."
    else:
        return await _unexpected(request, exc)
    return _response(422, message, "validation_error", {"request": [message]})


class ServerError(ApiError):
    status_code = 500
    code = "server_error"
    default_message = "Internal server error."


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(ServerError())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OverflowError, _database_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected)
