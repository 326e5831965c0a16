"""``/api/v2/oauth/clients`` (owners only, per workspace) and
``webwork oauth-client create``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import Factory
from tests.test_cli import _cli
from webwork.auth import scopes
from webwork.auth.api_keys import digest
from webwork.models import OAuthClient

CLIENTS = "/oauth/clients"
BODY = {"name": "Time Buddy", "redirect_uris": ["https://buddy.example/cb"]}


async def test_owners_register_list_update_and_delete_apps(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    api = space.owner.api
    created = ok(await api.post(CLIENTS, json={**space.ws, **BODY}), 201)["data"]
    assert created["client_type"] == "confidential" and created["client_secret"].startswith("wws_")
    assert created["scopes"] == list(scopes.SCOPES)
    assert created["grant_types"] == ["authorization_code", "refresh_token"]
    stored = await session.get(OAuthClient, (await _pk(session, created["client_id"])))
    assert stored is not None and stored.secret_digest == digest(created["client_secret"])
    client_id = created["client_id"]
    listed = ok(await api.get(CLIENTS, params=space.ws))
    assert [c["client_id"] for c in listed["data"]] == [client_id]
    assert "client_secret" not in listed["data"][0] and listed["meta"]["pagination"]["total"] == 1
    shown = ok(await api.get(f"{CLIENTS}/{client_id}", params=space.ws))["data"]
    assert "client_secret" not in shown and shown["name"] == "Time Buddy"
    changed = ok(
        await api.put(
            f"{CLIENTS}/{client_id}",
            json={**space.ws, "name": "Buddy 2", "scopes": ["time:read", "read"]},
        )
    )["data"]
    assert changed["name"] == "Buddy 2" and changed["scopes"] == ["time:read", "read"]
    assert changed["redirect_uris"] == BODY["redirect_uris"]
    ok(await api.delete(f"{CLIENTS}/{client_id}", json=space.ws))
    err(await api.get(f"{CLIENTS}/{client_id}", params=space.ws), 404)


async def _pk(session: AsyncSession, client_id: str) -> int:
    found = await session.scalar(select(OAuthClient.id).where(OAuthClient.client_id == client_id))
    assert found is not None
    return found


async def test_public_apps_have_no_secret_and_no_client_credentials(factory: Factory) -> None:
    space = await factory.space()
    api = space.owner.api
    public = ok(await api.post(CLIENTS, json={**space.ws, **BODY, "client_type": "public"}), 201)["data"]
    assert public["client_secret"] is None and public["client_type"] == "public"
    body = {**space.ws, **BODY, "client_type": "public", "grant_types": ["client_credentials"]}
    refused = err(await api.post(CLIENTS, json=body), 422)
    assert "grant_types" in refused["errors"]


async def test_registration_input_is_checked(factory: Factory) -> None:
    space = await factory.space()
    api = space.owner.api
    for uris in (
        ["http://buddy.example/cb"],
        ["https://buddy.example/cb#frag"],
        ["/relative"],
        [],
        ["x" * 2001],
    ):
        refused = err(await api.post(CLIENTS, json={**space.ws, **BODY, "redirect_uris": uris}), 422)
        assert any(k.startswith("redirect_uris") for k in refused["errors"]), uris
    refused = err(await api.post(CLIENTS, json={**space.ws, **BODY, "scopes": ["everything"]}), 422)
    assert any(k.startswith("scopes") for k in refused["errors"])
    err(await api.post(CLIENTS, json={**space.ws, **BODY, "name": ""}), 422)
    accepted = {**space.ws, **BODY, "redirect_uris": ["http://127.0.0.1/cb", "com.example.app:/oauth"]}
    ok(await api.post(CLIENTS, json=accepted), 201)


async def test_only_owners_manage_apps_and_another_workspace_sees_none(factory: Factory) -> None:
    space, rival = await factory.space(), await factory.space()
    client_id = ok(await space.owner.api.post(CLIENTS, json={**space.ws, **BODY}), 201)["data"]["client_id"]
    for role in ("executive_manager", "member"):
        person = await factory.person(space, role)
        err(await person.api.get(CLIENTS, params=space.ws), 403)
        err(await person.api.post(CLIENTS, json={**space.ws, **BODY}), 403)
    for workspace in (rival.ws, space.ws):
        err(await rival.owner.api.get(f"{CLIENTS}/{client_id}", params=workspace), 404)
        err(await rival.owner.api.delete(f"{CLIENTS}/{client_id}", json=workspace), 404)
    assert ok(await rival.owner.api.get(CLIENTS, params=rival.ws))["data"] == []


def test_the_cli_registers_an_app_and_prints_one_json_object(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    made = _cli(tmp_path, "bootstrap", "--email", "o@example.com", "--workspace", "Acme", "--json")
    workspace_id = str(json.loads(made.stdout)["workspace_id"])
    confidential = _cli(
        tmp_path,
        "oauth-client",
        "create",
        "--workspace-id",
        workspace_id,
        "--name",
        "Buddy",
        "--redirect-uri",
        "https://buddy.example/cb",
        "--redirect-uri",
        "http://127.0.0.1/cb",
        "--confidential",
        "--scope",
        "time:read",
        "--scope",
        "reports:read",
        "--json",
    )
    assert confidential.returncode == 0, confidential.stderr
    printed = json.loads(confidential.stdout)
    assert set(printed) == {"client_id", "client_secret"} and printed["client_secret"].startswith("wws_")
    public = _cli(
        tmp_path, "oauth-client", "create", "--workspace-id", workspace_id, "--name", "Native",
        "--redirect-uri", "http://127.0.0.1/cb", "--public", "--json",
    )  # fmt: skip
    assert public.returncode == 0, public.stderr
    assert json.loads(public.stdout)["client_secret"] is None
    with sqlite3.connect(tmp_path / "cli.db") as db:
        rows = db.execute(
            "SELECT client_id, scope, secret_digest IS NULL FROM oauth_clients ORDER BY id"
        ).fetchall()
    assert rows[0] == (printed["client_id"], "time:read reports:read", 0)
    assert rows[1][2] == 1 and rows[1][1] == " ".join(scopes.SCOPES)
    bad = _cli(
        tmp_path, "oauth-client", "create", "--workspace-id", workspace_id, "--name", "Bad",
        "--redirect-uri", "http://buddy.example/cb", "--public", "--json",
    )  # fmt: skip
    assert bad.returncode == 2 and "redirect_uris" in bad.stderr and bad.stdout == ""
    missing = _cli(
        tmp_path, "oauth-client", "create", "--workspace-id", "999", "--name", "Bad",
        "--redirect-uri", "https://buddy.example/cb", "--public", "--json",
    )  # fmt: skip
    assert missing.returncode == 1 and "999" in missing.stderr
