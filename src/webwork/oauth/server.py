"""The authorization server, on Authlib's framework-agnostic building blocks: its grants
(authorization code with PKCE, refresh token, client credentials), revocation (RFC 7009)
and introspection (RFC 7662) endpoints, and this module's answers to the hooks they
leave to the integration.

Authlib is synchronous: :func:`run` calls it through ``AsyncSession.run_sync``, so that
its hooks read and write through the request's own session, in the request's unit of
work. One :class:`Server` is built per call (registering grants is a few list appends),
bound to that session.

Decisions:

- Codes live 60 s and are single-use; a code used again revokes every token issued from
  it (and those refreshed from them, which carry its id).
- Refresh tokens rotate: each use issues a new pair in the same family and revokes the
  old pair; a refresh token used twice revokes the whole family (RFC 9700 4.14).
- PKCE: S256 only; mandatory for public clients, accepted from every client.
- client_credentials: the token acts as the workspace's *service principal*, which is
  the workspace's current owner (read when the token is issued), narrowed to the
  client's scopes and workspace; the owner's membership is checked on every call as
  for any token, so a token of a workspace whose owner left stops working."""

from __future__ import annotations

import hmac
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from authlib.common.security import is_secure_transport
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeGrant,
    AuthorizationCodeMixin,
    AuthorizationServer,
    ClientCredentialsGrant,
    ClientMixin,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
    RefreshTokenGrant,
    TokenMixin,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from webwork.auth import oauth_tokens, scopes
from webwork.auth.api_keys import digest
from webwork.kit import clock
from webwork.models import OAuthAuthorizationCode, OAuthClient, OAuthToken, User
from webwork.oauth import repository, rules

CODE_LIFETIME = timedelta(seconds=60)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=30)
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
ALL_METHODS = [*SECRET_METHODS, "none"]
GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"]
T = TypeVar("T")


@dataclass(frozen=True)
class HttpRequest:
    """What the server reads of an HTTP request: ``uri`` is the endpoint's public URL
    (``WEBWORK_PUBLIC_URL``), never one built from the request's Host header."""

    method: str
    uri: str
    headers: Mapping[str, str]
    query: Sequence[tuple[str, str]] = ()
    form: Sequence[tuple[str, str]] = ()

    @property
    def secure(self) -> bool:
        """HTTPS, or plain HTTP on a loopback address (local development)."""
        return bool(is_secure_transport(self.uri))


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)


class Payload(OAuth2Payload):
    """The parameters of the query and the form together (the first of repeats in
    ``data``, all of them in ``datalist``, which Authlib checks for repeats)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):
    """An :class:`HttpRequest` as Authlib's grants and endpoints read it."""

    def __init__(self, http: HttpRequest) -> None:
        super().__init__(method=http.method, uri=http.uri, headers=http.headers)
        self.payload = Payload([*http.query, *http.form])
        self._args = dict(http.query)
        self._form = dict(http.form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Client(ClientMixin):
    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    @property
    def is_public(self) -> bool:
        return self.row.secret_digest is None

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        """Only a client with one redirect URI may leave it out of a request."""
        uris = list(self.row.redirect_uris)
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The scope asked for if the client may ask for all of it (None: invalid_scope);
        nothing asked: every scope of the client. A client allowed an umbrella scope may
        ask for the scopes it covers."""
        allowed = scopes.parse(self.row.scope)
        if not scope:
            return " ".join(allowed)
        asked = scopes.parse(scope)
        granted = frozenset(allowed)
        covered = scopes.expand(granted)
        if all(name in granted or name in covered for name in asked):
            return " ".join(asked)
        return None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return rules.redirect_matches(list(self.row.redirect_uris), redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.row.secret_digest
        return stored is not None and hmac.compare_digest(digest(client_secret), stored)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none" if self.is_public else method in SECRET_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.check_grant_type("authorization_code")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.row.grant_types.split()


class Code(AuthorizationCodeMixin):
    def __init__(self, row: OAuthAuthorizationCode) -> None:
        self.row = row
        # Read by Authlib's CodeChallenge.
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


class Token(TokenMixin):
    """A stored token, as found by its access or its refresh token (``refresh``)."""

    def __init__(self, row: OAuthToken, *, refresh: bool) -> None:
        self.row = row
        self.refresh = refresh

    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.row.id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.row.created_at).total_seconds())

    @property
    def expires_at(self) -> datetime:
        if self.refresh and self.row.refresh_expires_at is not None:
            return self.row.refresh_expires_at
        return self.row.access_expires_at

    def is_expired(self) -> bool:
        return self.expires_at <= clock.utcnow()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None


def _db(server: Any) -> Session:
    assert isinstance(server, Server)
    return server.session


def _active_user(session: Session, user_id: int, workspace_id: int) -> User | None:
    """The user, while an active member of the workspace the client belongs to."""
    if not repository.is_active_member_sync(session, user_id, workspace_id):
        return None
    return repository.user_sync(session, user_id)


class PkceChallenge(CodeChallenge):
    """Authlib's PKCE check, S256 only (RFC 9700 2.1.1: ``plain`` offers no protection
    against an observed authorization request)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class AuthorizationCode(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS

    def validate_authorization_request(self) -> str:
        """Authlib's checks, then PKCE: a public client must send an S256 challenge."""
        redirect_uri: str = super().validate_authorization_request()
        data = self.request.payload.data
        challenge, method = data.get("code_challenge"), data.get("code_challenge_method")
        if self.request.client.is_public and not challenge:
            raise InvalidRequestError(
                "Public clients must use PKCE: send code_challenge with code_challenge_method=S256.",
                redirect_uri=redirect_uri,
            )
        if challenge and method != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        row = OAuthAuthorizationCode(
            client_id=request.client.row.id,
            user_id=request.user.id,
            digest=digest(code),
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            expires_at=clock.utcnow() + CODE_LIFETIME,
        )
        repository.add_sync(_db(self.server), row)

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        """A live code of this client; a used one revokes what was issued from it."""
        session = _db(self.server)
        row = repository.code_sync(session, digest(code), client.row.id)
        if row is None:
            return None
        if row.used_at is not None:
            repository.revoke_from_code(session, row.id, clock.utcnow())
            return None
        return Code(row) if row.expires_at > clock.utcnow() else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Kept, marked used, so that a second use is recognised."""
        repository.mark_code_used(_db(self.server), authorization_code.row, clock.utcnow())

    def authenticate_user(self, authorization_code: Code) -> User | None:
        client: Client = self.request.client
        return _active_user(_db(self.server), authorization_code.row.user_id, client.row.workspace_id)


class RefreshToken(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        """A live refresh token; one already rotated is a replay (stolen, or the client's
        copy was), so its whole family is revoked."""
        session = _db(self.server)
        row = repository.token_by_refresh(session, digest(refresh_token))
        if row is None:
            return None
        if row.rotated_at is not None:
            repository.revoke_family(session, row.family_id, clock.utcnow())
            return None
        token = Token(row, refresh=True)
        return None if token.is_revoked() or token.is_expired() else token

    def authenticate_user(self, refresh_token: Token) -> User | None:
        return _active_user(_db(self.server), refresh_token.row.user_id, refresh_token.row.workspace_id)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        repository.revoke_token(_db(self.server), refresh_token.row, clock.utcnow(), rotated=True)


class ClientCredentials(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS

    def validate_token_request(self) -> None:
        """Authlib's checks, then the scope against the client's, and a workspace that
        still has an active owner to act as."""
        super().validate_token_request()
        client: Client = self.request.client
        if client.get_allowed_scope(self.request.payload.scope) is None:
            raise InvalidScopeError()
        if repository.owner_sync(_db(self.server), client.row.workspace_id) is None:
            raise UnauthorizedClientError("The workspace of this client is not active.")


def _lookup(session: Session, token_string: str, hint: str | None) -> Token | None:
    """A token by its string: refresh tokens and access tokens have prefixes of their own."""
    if token_string.startswith(oauth_tokens.REFRESH_PREFIX) and hint != "access_token":
        row = repository.token_by_refresh(session, digest(token_string))
        return None if row is None else Token(row, refresh=True)
    if token_string.startswith(oauth_tokens.ACCESS_PREFIX) and hint != "refresh_token":
        row = repository.token_by_access(session, digest(token_string))
        return None if row is None else Token(row, refresh=False)
    return None


class Revocation(RevocationEndpoint):
    """RFC 7009: public clients revoke their tokens too (identified by client_id).
    Revoking a refresh token revokes its family (the access tokens issued with it)."""

    CLIENT_AUTH_METHODS = ALL_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return _lookup(_db(self.server), token_string, token_type_hint)

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        session, now = _db(self.server), clock.utcnow()
        if token.refresh:
            repository.revoke_family(session, token.row.family_id, now)
        else:
            repository.revoke_token(session, token.row, now)


class Introspection(IntrospectionEndpoint):
    """RFC 7662, for confidential clients (resource servers) of the token's workspace."""

    CLIENT_AUTH_METHODS = SECRET_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return _lookup(_db(self.server), token_string, token_type_hint)

    def check_permission(self, token: Token, client: Client, request: OAuth2Request) -> bool:
        return token.row.workspace_id == client.row.workspace_id

    def introspect_token(self, token: Token) -> dict[str, Any]:
        session = _db(self.server)
        owner = repository.client_by_pk_sync(session, token.row.client_id)
        user = repository.user_sync(session, token.row.user_id)
        return {
            "active": True,
            "client_id": owner.client_id if owner else None,
            "scope": token.row.scope,
            "sub": str(token.row.user_id),
            "username": user.email if user else None,
            "token_type": "refresh_token" if token.refresh else "Bearer",
            "exp": int(token.expires_at.timestamp()),
            "iat": int(token.row.created_at.timestamp()),
            "iss": _server(self.server).issuer,
            "workspace_id": token.row.workspace_id,
        }


def _server(server: Any) -> Server:
    assert isinstance(server, Server)
    return server


def _generator(prefix: str) -> Callable[..., str]:
    def generate(**_: Any) -> str:
        return oauth_tokens.generate(prefix)

    return generate


class Server(AuthorizationServer):
    def __init__(self, session: Session, issuer: str) -> None:
        super().__init__(scopes_supported=list(scopes.SCOPES))
        self.session = session
        self.issuer = issuer
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                _generator(oauth_tokens.ACCESS_PREFIX),
                _generator(oauth_tokens.REFRESH_PREFIX),
                int(ACCESS_LIFETIME.total_seconds()),
            ),
        )
        self.register_grant(AuthorizationCode, [PkceChallenge(required=True)])
        self.register_grant(RefreshToken)
        self.register_grant(ClientCredentials)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    def query_client(self, client_id: str) -> Client | None:
        row = repository.client_sync(self.session, client_id) if len(client_id) <= 64 else None
        return None if row is None else Client(row)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Store the token's digests. A refreshed token joins its parent's family (and
        authorization code); a client_credentials token acts as the workspace's owner."""
        client: Client = request.client
        now = clock.utcnow()
        family, code_id = secrets.token_hex(16), None
        if request.refresh_token is not None:
            family = request.refresh_token.row.family_id
            code_id = request.refresh_token.row.authorization_code_id
        elif request.authorization_code is not None:
            code_id = request.authorization_code.row.id
        user_id = request.user.id if request.user is not None else None
        if user_id is None:
            user_id = repository.owner_sync(self.session, client.row.workspace_id)
        refresh = token.get("refresh_token")
        row = OAuthToken(
            client_id=client.row.id,
            workspace_id=client.row.workspace_id,
            user_id=user_id,
            family_id=family,
            authorization_code_id=code_id,
            access_digest=digest(token["access_token"]),
            refresh_digest=digest(refresh) if refresh else None,
            scope=token.get("scope", ""),
            access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
            refresh_expires_at=now + REFRESH_LIFETIME if refresh else None,
        )
        repository.add_sync(self.session, row)

    def create_oauth2_request(self, request: HttpRequest | Request) -> Request:
        return request if isinstance(request, Request) else Request(request)

    def create_json_request(self, request: HttpRequest) -> Request:
        return Request(request)

    def handle_response(self, status: int, body: Any, headers: Sequence[tuple[str, str]]) -> Answer:
        return Answer(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No listeners: what a signal would announce is already stored."""


async def run(session: AsyncSession, issuer: str, work: Callable[[Server], T]) -> T:
    """``work`` done by a server bound to the request's session, inside its transaction."""

    def bound(sync_session: Session) -> T:
        return work(Server(sync_session, issuer))

    return await session.run_sync(bound)
