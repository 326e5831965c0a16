"""The OpenAPI document's ``oauth2`` security scheme: the authorization code flow with
every scope, and on each operation that takes a bearer token the one scope it needs
(``auth.scopes.required``), beside ``apiKey``. Swagger UI's Authorize button then runs
the flow with PKCE (``kit.docs``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from webwork.auth import scopes
from webwork.oauth.endpoints import AUTHORIZE, TOKEN

API_KEY_SCHEME = "apiKey"
OAUTH2_SCHEME = "oauth2"


def oauth2_scheme() -> dict[str, Any]:
    return {
        "type": "oauth2",
        "description": "OAuth 2 authorization code flow with PKCE (S256); register the app first "
        "(POST /api/v2/oauth/clients, or `webwork oauth-client create`).",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": AUTHORIZE,
                "tokenUrl": TOKEN,
                "refreshUrl": TOKEN,
                "scopes": dict(scopes.SCOPES),
            }
        },
    }


def add_oauth2(schema: dict[str, Any]) -> None:
    schema.setdefault("components", {}).setdefault("securitySchemes", {})[OAUTH2_SCHEME] = oauth2_scheme()
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            security = operation.get("security")
            if not isinstance(security, list) or not any(API_KEY_SCHEME in s for s in security):
                continue
            needed = scopes.required(operation.get("tags", []), method)
            security.append({OAUTH2_SCHEME: [needed]})


def install(app: FastAPI) -> None:
    """FastAPI's documented way to extend its generated document: wrap ``app.openapi``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_oauth2(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
