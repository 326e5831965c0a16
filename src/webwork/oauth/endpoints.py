"""The OAuth endpoints, outside ``/api/v2`` as OAuth clients expect them:
``/oauth/authorize`` (the sign-in and consent pages), ``/oauth/token``,
``/oauth/revoke``, ``/oauth/introspect`` and ``/.well-known/oauth-authorization-server``.

The protocol is Authlib's (``oauth.server``); this module turns HTTP into its requests
and its answers into HTTP, and renders the pages. A bad client or redirect URI is an
error page and never a redirect to that URI; every other refusal of an authorization
request (consent denied included: ``error=access_denied``) goes back to the client's
verified redirect URI with ``state``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from webwork.auth import scopes
from webwork.auth.deps import SessionDep
from webwork.oauth import repository, server
from webwork.oauth.server import Answer, HttpRequest, Server
from webwork.pages import web

router = APIRouter()

AUTHORIZE, TOKEN, REVOKE, INTROSPECT = (
    "/oauth/authorize",
    "/oauth/token",
    "/oauth/revoke",
    "/oauth/introspect",
)
METADATA = "/.well-known/oauth-authorization-server"
# Fields of the consent form that are the page's, not the authorization request's.
PAGE_FIELDS = frozenset({web.CSRF_FIELD, "decision"})
INSECURE = (
    "OAuth needs HTTPS: set WEBWORK_PUBLIC_URL to this server's https:// address "
    "(plain http works on a loopback address only, for development)."
)


def _issuer(request: Request) -> str:
    return web.settings_of(request).public_address()


def _http(request: Request, form: Sequence[tuple[str, str]] = ()) -> HttpRequest:
    return HttpRequest(
        method=request.method,
        uri=_issuer(request) + request.url.path,
        headers=request.headers,
        query=list(request.query_params.multi_items()),
        form=form,
    )


async def _posted(request: Request) -> HttpRequest:
    data = await request.form()
    return _http(request, [(k, v) for k, v in data.multi_items() if isinstance(v, str)])


def _json(answer: Answer) -> JSONResponse:
    return JSONResponse(answer.body, status_code=answer.status, headers=dict(answer.headers))


def _insecure() -> JSONResponse:
    body = {"error": "invalid_request", "error_description": INSECURE}
    return JSONResponse(body, status_code=400, headers={"Cache-Control": "no-store"})


def _redirect(answer: Answer) -> Response:
    location = dict(answer.headers).get("Location")
    if location is None:
        return _json(answer)
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})


def _refused(request: Request, error: OAuth2Error) -> Response:
    """Back to the client if Authlib verified its redirect URI, else an error page."""
    if error.redirect_uri:
        status, body, headers = error()
        return _redirect(Answer(status, body, list(headers)))
    if error.error == "invalid_client":
        title, message = "Unknown application", "This application is not registered here."
    elif "redirect" in (error.description or "").lower():
        title = "Wrong redirect address"
        message = "The application asked to send you to an address it has not registered. Nothing was sent."
    else:
        title, message = "Invalid request", error.description or error.error
    return web.error_page(request, title, message)


async def _authorize(request: Request, session: SessionDep, http: HttpRequest) -> Response:
    """Validate the request; then the sign-in page, the consent page, or (a decision
    posted) the redirect back to the client."""
    if not http.secure:
        return web.error_page(request, "HTTPS required", INSECURE)
    issuer = _issuer(request)
    try:
        grant = await server.run(session, issuer, lambda s: s.get_consent_grant(http, end_user=None))
    except OAuth2Error as error:
        return _refused(request, error)
    client: server.Client = grant.request.client
    params = [(k, v) for k, v in [*http.query, *http.form] if k not in PAGE_FIELDS]
    here = AUTHORIZE + "?" + urlencode(params)
    user = await web.signed_in(request, session)
    if user is None:
        return web.render(request, "login.html", app_name=client.row.name, next=here, email="", error=None)
    workspace = await repository.workspace_of(session, client.row.workspace_id)
    if workspace is None or not await repository.is_active_member(session, user.id, workspace.id):
        return web.error_page(
            request,
            "Not a member",
            f"{client.row.name} works with one workspace, and {user.email} is not an active member of it. "
            "Sign out and sign in with the account you use there.",
            403,
        )
    decision = dict(http.form).get("decision")
    if decision is None:
        asked = scopes.parse(grant.request.scope)
        return web.render(
            request,
            "consent.html",
            app_name=client.row.name,
            user_email=user.email,
            workspace_name=workspace.name,
            scopes=[(name, scopes.SCOPES.get(name, name)) for name in asked],
            params=params,
            redirect_host=urlsplit(grant.redirect_uri).netloc or grant.redirect_uri,
            here=here,
        )
    grant_user = user if decision == "allow" else None

    def decide(bound: Server) -> Answer:
        answer: Answer = bound.create_authorization_response(http, grant_user=grant_user, grant=grant)
        return answer

    return _redirect(await server.run(session, issuer, decide))


@router.get(AUTHORIZE, include_in_schema=False)
async def authorize(request: Request, session: SessionDep) -> Response:
    return await _authorize(request, session, _http(request))


@router.post(AUTHORIZE, include_in_schema=False)
async def decide(request: Request, session: SessionDep) -> Response:
    """The consent form: ``decision=allow`` or ``decision=deny``, with the request's
    parameters, checked anew, and the page's CSRF token."""
    http = await _posted(request)
    if not web.csrf_ok(request, dict(http.form)):
        return web.csrf_refused(request)
    return await _authorize(request, session, http)


async def _endpoint(request: Request, session: SessionDep, name: str | None) -> JSONResponse:
    http = await _posted(request)
    if not http.secure:
        return _insecure()

    def respond(bound: Server) -> Answer:
        answer: Answer = (
            bound.create_token_response(http) if name is None else bound.create_endpoint_response(name, http)
        )
        return answer

    return _json(await server.run(session, _issuer(request), respond))


@router.post(TOKEN, include_in_schema=False)
async def token(request: Request, session: SessionDep) -> JSONResponse:
    """RFC 6749 section 3.2: authorization_code, refresh_token, client_credentials."""
    return await _endpoint(request, session, None)


@router.post(REVOKE, include_in_schema=False)
async def revoke(request: Request, session: SessionDep) -> JSONResponse:
    """RFC 7009."""
    return await _endpoint(request, session, server.Revocation.ENDPOINT_NAME)


@router.post(INTROSPECT, include_in_schema=False)
async def introspect(request: Request, session: SessionDep) -> JSONResponse:
    """RFC 7662."""
    return await _endpoint(request, session, server.Introspection.ENDPOINT_NAME)


def metadata(issuer: str) -> dict[str, Any]:
    """RFC 8414, checked by Authlib's model of it."""
    document = AuthorizationServerMetadata(
        {
            "issuer": issuer,
            "authorization_endpoint": issuer + AUTHORIZE,
            "token_endpoint": issuer + TOKEN,
            "revocation_endpoint": issuer + REVOKE,
            "introspection_endpoint": issuer + INTROSPECT,
            "scopes_supported": list(scopes.SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": server.GRANT_TYPES,
            "token_endpoint_auth_methods_supported": server.ALL_METHODS,
            "revocation_endpoint_auth_methods_supported": server.ALL_METHODS,
            "introspection_endpoint_auth_methods_supported": server.SECRET_METHODS,
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": issuer + "/docs",
        }
    )
    document.validate()
    return dict(document)


@router.get(METADATA, include_in_schema=False)
async def server_metadata(request: Request) -> JSONResponse:
    issuer = _issuer(request)
    if not HttpRequest("GET", issuer, {}).secure:
        return _insecure()
    return JSONResponse(metadata(issuer), headers={"Cache-Control": "public, max-age=3600"})
