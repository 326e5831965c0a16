"""``/api-keys``: the authenticated user's own keys (not workspace-scoped)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from webwork.api_keys import service
from webwork.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from webwork.auth.deps import PrincipalDep, SessionDep
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.types import Id

router = APIRouter(prefix="/api-keys", tags=["API Keys"])


@router.get("", response_model=Envelope[list[ApiKeyOut]], operation_id="getApiKeys", summary="List API keys")
async def get_api_keys(principal: PrincipalDep, session: SessionDep, page: PageDep) -> JSONResponse:
    """The caller's own API keys that are not revoked: name, shown prefix, creation and
    last use (at minute resolution). The keys themselves are never shown again."""
    result = await service.list_page(session, principal, page)
    return respond_page(result, ApiKeyOut.model_validate, "API keys retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ApiKeyCreated],
    operation_id="createApiKey",
    summary="Create an API key",
)
async def create_api_key(
    principal: PrincipalDep, session: SessionDep, body: Annotated[ApiKeyCreate | None, Body()] = None
) -> JSONResponse:
    """Issues a new key for the caller (`wwk_` + 43 characters). The answer's `key` is
    the only time it is shown: only its SHA-256 digest is stored."""
    key, plaintext = await service.create(session, principal.user, (body or ApiKeyCreate()).name)
    out = ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=plaintext)
    return respond(out, "API key created successfully", status_code=201)


@router.delete(
    "/{key_id}", response_model=Envelope[ApiKeyOut], operation_id="deleteApiKey", summary="Revoke an API key"
)
async def delete_api_key(key_id: Id, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    """Revokes one of the caller's keys; it stops authenticating at once. Another user's
    key id is a 404."""
    key = await service.delete(session, principal, key_id)
    return respond(ApiKeyOut.model_validate(key), "API key deleted successfully")
