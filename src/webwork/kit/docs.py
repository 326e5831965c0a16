"""The documentation pages, served so that a browser fetches nothing from elsewhere.

fastapi-offline ships Swagger UI and ReDoc, but the ReDoc bundle still draws the
"API docs by Redocly" logo from Redocly's CDN and Swagger UI offers the public
validator badge. Swagger UI is told not to; ReDoc is served from a copy of the bundle
whose logo is an empty inline image."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response

STATIC_URL = "/static-offline-docs"
REDOC_URL = "/redoc"
REDOC_JS_URL = "/redoc/redoc.standalone.js"
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    source = files("fastapi_offline").joinpath("static", "redoc.standalone.js").read_text(encoding="utf-8")
    return source.replace(_CDN_LOGO, _EMPTY_IMAGE).encode()


def install_docs(app: FastAPI) -> None:
    """``/redoc`` and its bundle, and ``/`` sending a browser to ``/docs``."""

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
