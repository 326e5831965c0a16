"""``/oauth/clients``: the workspace's OAuth apps (owners only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from webwork.auth.deps import SessionDep, require
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import LINE_PATTERN
from webwork.models import OAuthClient as ClientRow
from webwork.oauth import service
from webwork.oauth.schemas import OAuthClient, OAuthClientCreate, OAuthClientCreated, OAuthClientUpdate

router = APIRouter(prefix="/oauth/clients", tags=["OAuth Clients"])

OwnerActor = Annotated[Actor, Depends(require(Role.OWNER))]
ClientId = Annotated[str, Path(max_length=64, pattern=LINE_PATTERN, description="The client_id")]


def shown(client: ClientRow) -> OAuthClient:
    return OAuthClient(
        id=client.client_id,
        client_id=client.client_id,
        workspace_id=client.workspace_id,
        name=client.name,
        client_type="public" if service.is_public(client) else "confidential",
        redirect_uris=list(client.redirect_uris),
        scopes=client.scope.split(),
        grant_types=client.grant_types.split(),
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


@router.get(
    "", response_model=Envelope[list[OAuthClient]], operation_id="getOAuthClients", summary="List OAuth apps"
)
async def get_oauth_clients(actor: OwnerActor, session: SessionDep, page: PageDep) -> JSONResponse:
    """The workspace's OAuth apps (owners only). Secrets are never shown again."""
    result = await service.list_page(session, actor, page)
    return respond_page(result, shown, "OAuth clients retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[OAuthClientCreated],
    operation_id="createOAuthClient",
    summary="Register an OAuth app",
)
async def create_oauth_client(
    actor: OwnerActor, session: SessionDep, body: OAuthClientCreate
) -> JSONResponse:
    """Registers an app that may ask the workspace's members for access (owners only).
    A confidential app's `client_secret` is shown in this answer only (stored as a
    digest); a public app has none and must use PKCE (S256). Redirect URIs match
    exactly, but a loopback `http://127.0.0.1/...` may differ in its port (RFC 8252)."""
    registered = await service.create(session, actor, body)
    out = OAuthClientCreated(**shown(registered.client).model_dump(), client_secret=registered.secret)
    return respond(out, "OAuth client created successfully", status_code=201)


@router.get(
    "/{client_id}",
    response_model=Envelope[OAuthClient],
    operation_id="getOAuthClient",
    summary="Get an OAuth app",
)
async def get_oauth_client(client_id: ClientId, actor: OwnerActor, session: SessionDep) -> JSONResponse:
    """One of the workspace's apps (another workspace's is a 404)."""
    return respond(shown(await service.get(session, actor, client_id)), "OAuth client retrieved successfully")


@router.put(
    "/{client_id}",
    response_model=Envelope[OAuthClient],
    operation_id="updateOAuthClient",
    summary="Update an OAuth app",
)
async def update_oauth_client(
    client_id: ClientId, actor: OwnerActor, session: SessionDep, body: OAuthClientUpdate
) -> JSONResponse:
    """Only the fields sent change (name, redirect URIs, scopes); tokens already issued
    keep their scopes until they expire or are revoked."""
    client = await service.update(session, actor, client_id, body)
    return respond(shown(client), "OAuth client updated successfully")


@router.delete(
    "/{client_id}",
    response_model=Envelope[OAuthClient],
    operation_id="deleteOAuthClient",
    summary="Delete an OAuth app",
)
async def delete_oauth_client(
    client_id: ClientId, actor: OwnerActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Deletes the app with its codes and tokens: they stop working at once."""
    client = await service.delete(session, actor, client_id)
    return respond(shown(client), "OAuth client deleted successfully")
