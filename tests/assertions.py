"""Envelope assertions shared by every router test."""

from __future__ import annotations

from typing import Any

import httpx


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """Assert a success envelope with ``status`` and return the body."""
    assert response.status_code == status, f"{response.status_code} {response.text[:800]}"
    body: dict[str, Any] = response.json()
    assert body["success"] is True, body
    assert body["meta"]["api_version"] == "2.0.0", body
    assert "timestamp" in body["meta"], body
    return body


def err(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an error envelope with ``status`` (and machine ``code``) and return it."""
    assert response.status_code == status, f"{response.status_code} {response.text[:800]}"
    body: dict[str, Any] = response.json()
    assert body["success"] is False, body
    assert "detail" not in body, body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["error"], str) and body["error"], body
    assert "meta" in body, body
    if status == 422:
        assert isinstance(body.get("errors"), dict) and body["errors"], body
    if code is not None:
        assert body["error"] == code, body
    return body
