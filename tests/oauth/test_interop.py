"""A real OAuth client library (Authlib's httpx client) against ``webwork serve``: the
authorization code flow with PKCE (S256), state checked by the client, a refresh and a
revocation. The person's part (sign in, consent) is played over HTTP as a browser would."""

from __future__ import annotations

from pathlib import Path

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from tests.oauth.flows import hidden_fields
from tests.oauth.serving import served
from tests.test_serve_heads import _free_port


def _consent(base: str, url: str, email: str, password: str) -> str:
    """Sign in and allow; the URL the server sends the browser back to."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        login = browser.get(url)
        assert login.status_code == 200 and 'name="password"' in login.text
        signed_in = browser.post(
            "/login", data={**hidden_fields(login.text), "email": email, "password": password}
        )
        assert signed_in.status_code == 303, signed_in.text[:500]
        page = browser.get(signed_in.headers["location"])
        assert 'value="allow"' in page.text, page.text[:500]
        allowed = browser.post("/oauth/authorize", data={**hidden_fields(page.text), "decision": "allow"})
        assert allowed.status_code == 302, allowed.text[:500]
        return allowed.headers["location"]


def test_authlib_client_runs_the_code_flow_with_pkce(tmp_path: Path) -> None:
    with served(tmp_path, _free_port()) as server:
        client = OAuth2Client(
            server.client_id,
            redirect_uri=server.redirect_uri,
            scope="read",
            code_challenge_method="S256",
            token_endpoint_auth_method="none",
        )
        verifier = generate_token(48)
        url, state = client.create_authorization_url(server.base + "/oauth/authorize", code_verifier=verifier)
        assert "code_challenge=" in url and "code_challenge_method=S256" in url
        back = _consent(server.base, url, server.email, server.password)
        assert back.startswith(server.redirect_uri) and f"state={state}" in back
        token = client.fetch_token(
            server.base + "/oauth/token", authorization_response=back, code_verifier=verifier
        )
        assert token["token_type"] == "Bearer" and token["scope"] == "read"
        answer = client.get(server.base + "/api/v2/workspaces")
        assert answer.status_code == 200 and answer.json()["data"][0]["name"] == "Acme"
        refreshed = client.refresh_token(server.base + "/oauth/token")
        assert refreshed["access_token"] != token["access_token"]
        assert client.get(server.base + "/api/v2/workspaces").status_code == 200
        revoked = client.revoke_token(server.base + "/oauth/revoke", token=refreshed["refresh_token"])
        assert revoked.status_code == 200
        assert client.get(server.base + "/api/v2/workspaces").status_code == 401
        client.close()
