"""The documentation pages, served so that a browser fetches nothing from elsewhere.

fastapi-offline ships Swagger UI and ReDoc, but the ReDoc bundle still draws the
"API docs by Redocly" logo from Redocly's CDN and Swagger UI offers the public
validator badge. Swagger UI is told not to; ReDoc is served from a copy of the bundle
whose logo is an empty inline image."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response

STATIC_URL = "/static-offline-docs"
REDOC_URL = "/redoc"
REDOC_JS_URL = "/redoc/redoc.standalone.js"
DOCS_URL = "/docs"
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
# The Authorize button's OAuth flow: authorization code with PKCE (public clients).
SWAGGER_UI_INIT_OAUTH = {"usePkceWithAuthorizationCodeGrant": True}
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


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
