"""``/api-keys``: the authenticated user's own keys (not workspace-scoped)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from webwork.api_keys import service
from webwork.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from webwork.auth.deps import PrincipalDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep

router = APIRouter(prefix="/api-keys", tags=["API Keys"])


@router.get("", response_model=Envelope[list[ApiKeyOut]])
async def list_api_keys(principal: PrincipalDep, session: SessionDep, page: PageDep) -> JSONResponse:
    result = await service.list_keys(session, principal, page)
    items = [ApiKeyOut.model_validate(k) for k in result.items]
    return respond(items, "API keys retrieved successfully", pagination=result.pagination)


@router.post("", status_code=201, response_model=Envelope[ApiKeyCreated])
async def create_api_key(
    principal: PrincipalDep, session: SessionDep, body: Annotated[ApiKeyCreate | None, Body()] = None
) -> JSONResponse:
    key, plaintext = await service.issue(session, principal.user, (body or ApiKeyCreate()).name)
    out = ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=plaintext)
    return respond(out, "API key created successfully", status_code=201)


@router.delete("/{key_id}", response_model=Envelope[ApiKeyOut])
async def revoke_api_key(key_id: int, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    key = await service.revoke(session, principal, key_id)
    return respond(ApiKeyOut.model_validate(key), "API key deleted successfully")
