"""The flow in a real browser: Debian's Chromium, headless, driven by Playwright (never a
downloaded browser; ``make setup`` installs ``chromium`` when it is missing). Open the
authorization URL, sign in, consent, land on the app's local callback, exchange the
code and call the API with the token. The consent page's screenshot is kept under
``artifacts/``."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.oauth.flows import pkce
from tests.oauth.serving import Callback, served

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="make setup installs Debian's chromium")
def test_sign_in_and_consent_in_chromium(tmp_path: Path) -> None:
    verifier, challenge = pkce()
    profile = tempfile.mkdtemp(prefix="webwork-chromium-")
    with Callback() as callback, served(tmp_path, callback.port) as server:
        url = str(
            httpx.URL(
                server.base + "/oauth/authorize",
                params={
                    "response_type": "code",
                    "client_id": server.client_id,
                    "redirect_uri": server.redirect_uri,
                    "scope": "workspaces:read time:read",
                    "state": "browser-state",
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                },
            )
        )
        try:
            with playwright_api.sync_playwright() as playwright:
                # A fresh profile directory: Playwright passes it as --user-data-dir.
                browser = playwright.chromium.launch_persistent_context(
                    profile, executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True
                )
                page = browser.new_page()
                page.goto(url)
                page.fill('input[name="email"]', server.email)
                page.fill('input[name="password"]', server.password)
                page.click('button[type="submit"]')
                page.wait_for_selector('button[value="allow"]')
                assert "Interop" in page.content() and "Read workspaces" in page.content()
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "consent.png"), full_page=True)
                page.click('button[value="allow"]')
                page.wait_for_url(server.redirect_uri + "?*")
                browser.close()
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        assert len(callback.queries) == 1 and callback.queries[0]["state"] == "browser-state"
        data = {
            "grant_type": "authorization_code",
            "code": callback.queries[0]["code"],
            "redirect_uri": server.redirect_uri,
            "client_id": server.client_id,
            "code_verifier": verifier,
        }
        token = httpx.post(server.base + "/oauth/token", data=data, timeout=30).json()
        answer = httpx.get(
            server.base + "/api/v2/workspaces",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=30,
        )
        assert answer.status_code == 200 and answer.json()["data"][0]["name"] == "Acme"
    assert (ARTIFACTS / "consent.png").stat().st_size > 0
