"""Request and response models of ``/oauth/clients``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from webwork.auth import scopes
from webwork.kit.schemas import RequestBody
from webwork.kit.types import LINE_PATTERN, Name, Timestamp
from webwork.oauth import rules

RedirectUri = Annotated[
    str,
    Field(min_length=1, max_length=rules.MAX_URI_LENGTH, json_schema_extra={"pattern": rules.URI_PATTERN}),
    AfterValidator(rules.check_uri),
]
RedirectUris = Annotated[
    list[RedirectUri],
    Field(min_length=1, max_length=rules.MAX_URIS, description="Where codes may be sent: exact match"),
    AfterValidator(rules.unique),
]
Scopes = Annotated[
    list[
        Annotated[
            str,
            Field(max_length=40, pattern=LINE_PATTERN, json_schema_extra={"enum": list(scopes.SCOPES)}),
            AfterValidator(rules.check_scope),
        ]
    ],
    Field(max_length=len(scopes.SCOPES), description="Scopes the app may ask for; left out: every scope"),
    AfterValidator(rules.unique),
]
ClientType = Literal["public", "confidential"]
GrantType = Literal["authorization_code", "refresh_token", "client_credentials"]


class OAuthClientCreate(RequestBody):
    name: Annotated[Name, Field(max_length=100)]
    redirect_uris: RedirectUris
    client_type: ClientType = Field(
        "confidential",
        description="`public` for apps that cannot keep a secret (browser, native: PKCE is then "
        "mandatory); `confidential` gets a secret",
    )
    scopes: Scopes | None = None
    grant_types: Annotated[list[GrantType], Field(max_length=3), AfterValidator(rules.unique)] | None = Field(
        None,
        description="Default: authorization_code and refresh_token; client_credentials only for "
        "confidential apps",
    )


class OAuthClientUpdate(RequestBody):
    name: Annotated[Name, Field(max_length=100)] | None = None
    redirect_uris: RedirectUris | None = None
    scopes: Scopes | None = None


class OAuthClient(BaseModel):
    id: str = Field(description="The client_id")
    client_id: str
    workspace_id: int
    name: str
    client_type: ClientType
    redirect_uris: list[str]
    scopes: list[str]
    grant_types: list[str]
    created_at: Timestamp
    updated_at: Timestamp


class OAuthClientCreated(OAuthClient):
    client_secret: str | None = Field(
        description="The secret of a confidential app, shown only in this response (null for public apps)"
    )
