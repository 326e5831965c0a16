"""The documentation pages, served so that a browser fetches nothing from elsewhere.

fastapi-offline ships Swagger UI and ReDoc, but the ReDoc bundle still draws the
"API docs by Redocly" logo from Redocly's CDN and Swagger UI offers the public
validator badge. Swagger UI is told not to; ReDoc is served from a copy of the bundle
whose logo is an empty inline image."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_URL = "/static-offline-docs"
REDOC_URL = "/redoc"
REDOC_JS_URL = "/redoc/redoc.standalone.js"
DOCS_URL = "/docs"
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
# The Authorize button's OAuth flow: authorization code with PKCE (public clients).
SWAGGER_UI_INIT_OAUTH = {"usePkceWithAuthorizationCodeGrant": True}
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
# The pages load their scripts, styles and images from here only. The inline scripts
# (Swagger UI's start-up, its OAuth2 redirect) are allowed by their hash, computed from
# the page as served; the UIs set styles inline (ReDoc's styled components), fonts and
# icons as data: URLs, and ReDoc searches in a blob: worker.
_POLICY = (
    "default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    source = files("fastapi_offline").joinpath("static", "redoc.standalone.js").read_text(encoding="utf-8")
    return source.replace(_CDN_LOGO, _EMPTY_IMAGE).encode()


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI from the installed bundle, its Authorize button running the
    OAuth flow with PKCE) and its OAuth redirect page, ``/redoc`` and its bundle, and
    ``/`` sending a browser to ``/docs``. The app is built with ``docs_url=None``:
    fastapi-offline's own ``/docs`` passes no OAuth settings to Swagger UI."""

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{app.swagger_ui_oauth2_redirect_url}",
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
            init_oauth=SWAGGER_UI_INIT_OAUTH,
        )

    @app.get(str(app.swagger_ui_oauth2_redirect_url), include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/docs")

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{REDOC_JS_URL}",
            redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )

    @app.get(REDOC_JS_URL, include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(
            redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )


def docs_paths(app: FastAPI) -> frozenset[str]:
    return frozenset(
        path for path in (DOCS_URL, app.swagger_ui_oauth2_redirect_url, REDOC_URL) if path is not None
    )


def content_security_policy(page: bytes) -> str:
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    ]
    return _POLICY.format(scripts=" ".join(["'self'", *hashes]))


class DocsPolicyMiddleware:
    """A strict ``Content-Security-Policy`` on the documentation pages, which the page's
    own inline scripts pass: the page is held until its body is known (a few kilobytes,
    and only on these paths)."""

    def __init__(self, app: ASGIApp, paths: frozenset[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def send_with_policy(message: Message) -> None:
            held.append(message)
            if message["type"] != "http.response.body" or message.get("more_body", False):
                return
            page = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
            start, *rest = held
            policy = (b"content-security-policy", content_security_policy(page).encode())
            await send({**start, "headers": [*start.get("headers", []), policy]})
            for part in rest:
                await send(part)

        await self.app(scope, receive, send_with_policy)
