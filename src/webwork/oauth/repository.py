"""All SQL of OAuth. The registration API reads and writes clients from the caller's
workspace only (:func:`scoped`); the authorization server's hooks, which Authlib calls
synchronously, take the request's session as a sync ``Session`` (through
``AsyncSession.run_sync``) and reach clients by their public id, codes and tokens by
their digests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from webwork.auth.principal import Actor
from webwork.kit.db import save
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Membership, OAuthAuthorizationCode, OAuthClient, OAuthToken, User, Workspace
from webwork.models.statuses import MembershipStatus, WorkspaceStatus


def scoped(workspace_id: int) -> Select[OAuthClient]:
    return select(OAuthClient).where(OAuthClient.workspace_id == workspace_id)


async def list_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[OAuthClient]:
    return await fetch_page(session, Paged.of(scoped(actor.workspace_id).order_by(OAuthClient.id)), params)


async def get(session: AsyncSession, actor: Actor, client_id: str) -> OAuthClient | None:
    client: OAuthClient | None = await session.scalar(
        scoped(actor.workspace_id).where(OAuthClient.client_id == client_id)
    )
    return client


async def add(session: AsyncSession, client: OAuthClient) -> None:
    await save(session, client)


async def remove(session: AsyncSession, client: OAuthClient) -> None:
    await session.delete(client)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def workspace_of(session: AsyncSession, workspace_id: int) -> Workspace | None:
    """An active workspace, for the operator's CLI (no caller to scope by)."""
    workspace: Workspace | None = await session.scalar(
        select(Workspace).where(Workspace.id == workspace_id, Workspace.status == WorkspaceStatus.ACTIVE)
    )
    return workspace


async def client_by_public_id(session: AsyncSession, client_id: str) -> OAuthClient | None:
    """For the authorization pages, before any user is known."""
    client: OAuthClient | None = await session.scalar(
        select(OAuthClient).where(OAuthClient.client_id == client_id)
    )
    return client


async def is_active_member(session: AsyncSession, user_id: int, workspace_id: int) -> bool:
    active: bool = await session.run_sync(is_active_member_sync, user_id, workspace_id)
    return active


# The authorization server's hooks (synchronous).


def client_sync(session: Session, client_id: str) -> OAuthClient | None:
    return session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))


def client_by_pk_sync(session: Session, client_pk: int) -> OAuthClient | None:
    return session.get(OAuthClient, client_pk)


def add_sync(session: Session, row: OAuthAuthorizationCode | OAuthToken) -> None:
    session.add(row)
    session.flush()


def code_sync(session: Session, digest: str, client_pk: int) -> OAuthAuthorizationCode | None:
    """Locked: of two exchanges of one code at once, the second sees it used."""
    return session.scalar(
        select(OAuthAuthorizationCode)
        .where(OAuthAuthorizationCode.digest == digest, OAuthAuthorizationCode.client_id == client_pk)
        .with_for_update()
    )


def mark_code_used(session: Session, code: OAuthAuthorizationCode, now: datetime) -> None:
    code.used_at = now
    session.flush()


def revoke_from_code(session: Session, code_id: int, now: datetime) -> None:
    """Every token issued from the code, and by refreshing those (they carry its id)."""
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.authorization_code_id == code_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_family(session: Session, family_id: str, now: datetime) -> None:
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.family_id == family_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def token_by_refresh(session: Session, digest: str) -> OAuthToken | None:
    """Locked: of two uses of one refresh token at once, the second sees it rotated."""
    return session.scalar(select(OAuthToken).where(OAuthToken.refresh_digest == digest).with_for_update())


def token_by_access(session: Session, digest: str) -> OAuthToken | None:
    return session.scalar(select(OAuthToken).where(OAuthToken.access_digest == digest))


def revoke_token(session: Session, token: OAuthToken, now: datetime, *, rotated: bool = False) -> None:
    token.revoked_at = token.revoked_at or now
    if rotated:
        token.rotated_at = now
    session.flush()


def user_sync(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def is_active_member_sync(session: Session, user_id: int, workspace_id: int) -> bool:
    """Whether the user is an active member of the active workspace."""
    found = session.scalar(
        select(Membership.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(
            Membership.user_id == user_id,
            Membership.workspace_id == workspace_id,
            Membership.status == MembershipStatus.ACTIVE,
            Workspace.status == WorkspaceStatus.ACTIVE,
        )
    )
    return found is not None


def owner_sync(session: Session, workspace_id: int) -> int | None:
    return session.scalar(
        select(Workspace.owner_id).where(
            Workspace.id == workspace_id, Workspace.status == WorkspaceStatus.ACTIVE
        )
    )
