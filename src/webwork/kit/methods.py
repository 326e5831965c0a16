"""HTTP methods as RFC 9110 has them, for every path at once:

- ``HEAD`` works wherever ``GET`` does (FastAPI's routes list ``GET`` only): it is served
  as the ``GET`` and the body is dropped, its headers (``Content-Length`` too) kept;
- ``OPTIONS`` answers 204 with ``Allow`` (a CORS preflight, when CORS is on, is answered
  before this by ``CORSMiddleware``);
- a 405's ``Allow`` lists the methods of every route on the path: Starlette's names only
  the first route that matched the path, and each method of a path is a route here.

Only 405s and ``OPTIONS`` walk the routes; other requests pay one comparison."""

from __future__ import annotations

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The order ``Allow`` lists methods in.
ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods of the routes whose path matches ``scope``'s, HEAD with GET and
    OPTIONS with any; empty when no route has this path."""
    matching = [route for route in routes if route.matches({**scope, "method": "GET"})[0] is not Match.NONE]
    if not matching:
        return []
    # A literal path wins over a template that also matches it, as in OpenAPI:
    # /expenses/categories is not /expenses/{expense_id}.
    fewest = min(_parameters(route) for route in matching)
    methods: set[str] = set()
    for route in matching:
        if _parameters(route) == fewest:
            methods |= getattr(route, "methods", None) or {"GET"}
    if "GET" in methods:
        methods.add("HEAD")
    methods.add("OPTIONS")
    return [m for m in ORDER if m in methods] + sorted(methods - set(ORDER))


class MethodsMiddleware:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "HEAD":
            await self._head(scope, receive, send)
        elif method == "OPTIONS":
            methods = allowed_methods(self.routes, scope)
            if not methods:
                await self.app(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": 204, "headers": [_allow(methods)]})
            await send({"type": "http.response.body", "body": b""})
        else:
            await self.app(scope, receive, self._true_allow(scope, send))

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The GET, without its body. The scope is changed in place (and put back), so
        that the outer layers see the route that served it."""

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {
                    "type": "http.response.body",
                    "body": b"",
                    "more_body": message.get("more_body", False),
                }
            await send(message)

        scope["method"] = "GET"
        try:
            await self.app(scope, receive, self._true_allow(scope, headers_only))
        finally:
            scope["method"] = "HEAD"

    def _true_allow(self, scope: Scope, send: Send) -> Send:
        async def send_true_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                headers.append(_allow(allowed_methods(self.routes, scope)))
                message = {**message, "headers": headers}
            await send(message)

        return send_true_allow


def _parameters(route: BaseRoute) -> int:
    return str(getattr(route, "path", "")).count("{")


def _allow(methods: list[str]) -> tuple[bytes, bytes]:
    return (b"allow", ", ".join(methods).encode())
