"""A real server for the tests that need one (an OAuth client library, a browser):
``webwork serve`` on a free port with a fresh database, an owner with a password and
a public OAuth app registered through the CLI, and a local callback the browser lands on."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.oauth.flows import PASSWORD
from tests.test_cli import _cli
from tests.test_serve_heads import _free_port, _serving


@dataclass(frozen=True)
class Served:
    base: str
    email: str
    password: str
    client_id: str
    redirect_uri: str


@contextmanager
def served(tmp_path: Path, callback_port: int) -> Iterator[Served]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"WEBWORK_PUBLIC_URL": base, "WEBWORK_BOOTSTRAP_PASSWORD": PASSWORD}
    assert _cli(tmp_path, "db", "upgrade", env=_database(tmp_path)).returncode == 0
    made = _cli(
        tmp_path, "bootstrap", "--email", "owner@example.com", "--workspace", "Acme", "--json",
        env={**_database(tmp_path), **env},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    redirect_uri = f"http://127.0.0.1:{callback_port}/callback"
    app = _cli(
        tmp_path, "oauth-client", "create", "--workspace-id", str(json.loads(made.stdout)["workspace_id"]),
        "--name", "Interop", "--redirect-uri", redirect_uri, "--public", "--json", env=_database(tmp_path),
    )  # fmt: skip
    assert app.returncode == 0, app.stderr
    client_id = json.loads(app.stdout)["client_id"]
    with _serving(tmp_path, port, extra_env=env, database="cli.db"):
        yield Served(base, "owner@example.com", PASSWORD, client_id, redirect_uri)


def _database(tmp_path: Path) -> dict[str, str]:
    return {"WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


class Callback:
    """The client's redirect URI: answers a small page and keeps the query it got."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.queries: list[dict[str, str]] = []
        received = self.queries

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/callback":  # not the browser's /favicon.ico
                    received.append({k: v[0] for k, v in parse_qs(url.query).items()})
                body = b"<!doctype html><title>Callback</title><p>Back at the app.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                return

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Callback:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
