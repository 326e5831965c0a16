"""OAuth clients: the apps a workspace's owner lets ask its members for access.

A client belongs to one workspace, and the tokens it gets act there only. Its secret
(confidential clients) is shown once and stored as a SHA-256 digest: it is 256 random
bits, so a slow hash would add nothing. Created without scopes it may ask for every
scope; its grant types default to authorization_code + refresh_token, and
client_credentials is for confidential clients only."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import scopes
from webwork.auth.api_keys import digest
from webwork.auth.oauth_tokens import CLIENT_SECRET_PREFIX, generate
from webwork.auth.principal import Actor
from webwork.kit.errors import found, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.models import OAuthClient
from webwork.oauth import repository
from webwork.oauth.schemas import OAuthClientCreate, OAuthClientUpdate

DEFAULT_GRANTS = ("authorization_code", "refresh_token")
CLIENT_CREDENTIALS = "client_credentials"
PUBLIC_NO_CLIENT_CREDENTIALS = "Public clients cannot use client_credentials: they hold no secret."
NOT_FOUND = "OAuth client not found."


@dataclass(frozen=True)
class Registered:
    client: OAuthClient
    secret: str | None


def is_public(client: OAuthClient) -> bool:
    return client.secret_digest is None


def _grant_types(public: bool, asked: Sequence[str] | None) -> str:
    grants = list(asked or DEFAULT_GRANTS)
    if public and CLIENT_CREDENTIALS in grants:
        raise invalid("grant_types", PUBLIC_NO_CLIENT_CREDENTIALS)
    return " ".join(grants)


def _scope(asked: Sequence[str] | None) -> str:
    return " ".join(asked if asked else scopes.SCOPES)


async def register(
    session: AsyncSession, workspace_id: int, created_by: int | None, data: OAuthClientCreate
) -> Registered:
    """Store a new client; the answer holds its secret, the only time it is shown."""
    public = data.client_type == "public"
    secret = None if public else generate(CLIENT_SECRET_PREFIX)
    client = OAuthClient(
        workspace_id=workspace_id,
        client_id=secrets.token_urlsafe(18),
        name=data.name,
        secret_digest=None if secret is None else digest(secret),
        redirect_uris=list(data.redirect_uris),
        scope=_scope(data.scopes),
        grant_types=_grant_types(public, data.grant_types),
        created_by=created_by,
    )
    await repository.add(session, client)
    return Registered(client, secret)


async def create(session: AsyncSession, actor: Actor, data: OAuthClientCreate) -> Registered:
    return await register(session, actor.workspace_id, actor.user_id, data)


async def list_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[OAuthClient]:
    return await repository.list_page(session, actor, params)


async def get(session: AsyncSession, actor: Actor, client_id: str) -> OAuthClient:
    return found(await repository.get(session, actor, client_id), NOT_FOUND)


async def update(session: AsyncSession, actor: Actor, client_id: str, data: OAuthClientUpdate) -> OAuthClient:
    """Only the fields sent change; tokens already issued keep their scopes until they
    expire or are revoked."""
    client = await get(session, actor, client_id)
    changes = data.provided()
    if changes.get("name") is not None:
        client.name = changes["name"]
    if changes.get("redirect_uris") is not None:
        client.redirect_uris = list(changes["redirect_uris"])
    if "scopes" in changes:
        client.scope = _scope(changes["scopes"])
    await repository.flush(session)
    return client


async def delete(session: AsyncSession, actor: Actor, client_id: str) -> OAuthClient:
    """The client goes, and with it its codes and tokens (they stop working at once)."""
    client = await get(session, actor, client_id)
    await repository.remove(session, client)
    return client


async def workspace_exists(session: AsyncSession, workspace_id: int) -> bool:
    return await repository.workspace_of(session, workspace_id) is not None
