"""Envelope assertions shared by every router test."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from tests.factories import ApiClient, QueryCounter


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


def assert_pagination(
    body: dict[str, Any],
    *,
    current_page: int,
    last_page: int,
    per_page: int,
    total: int,
    first: int | None,
    last: int | None,
) -> None:
    """Assert a list's pagination meta (``first``/``last`` are its ``from``/``to``) and
    that ``data`` holds exactly the rows ``from``..``to``."""
    assert body["meta"]["pagination"] == {
        "current_page": current_page,
        "last_page": last_page,
        "per_page": per_page,
        "total": total,
        "from": first,
        "to": last,
    }, body["meta"]
    expected_rows = 0 if first is None or last is None else last - first + 1
    assert len(body["data"]) == expected_rows, body["data"]


async def assert_page_bounds(
    api: ApiClient, url: str, params: dict[str, Any], *, past_page: int, total: int
) -> None:
    """A page past the last one is empty (same ``total``, no ``from``/``to``); ``per_page``
    0 and 101 are refused with a 422 on ``per_page``."""
    past = ok(await api.get(url, params={**params, "page": past_page}))
    assert past["data"] == [], past
    pagination = past["meta"]["pagination"]
    assert pagination["total"] == total and pagination["from"] is None and pagination["to"] is None, (
        pagination
    )
    for per_page in (0, 101):
        body = err(await api.get(url, params={**params, "per_page": per_page}), 422)
        assert "per_page" in body["errors"], body


async def assert_query_count_flat(
    api: ApiClient, url: str, params: dict[str, Any], counter: QueryCounter
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The list costs as many SQL statements at ``per_page`` 2 as at 50. A first request
    (uncounted) records the API key's last use. Returns the two bodies."""
    ok(await api.get(url, params=params))
    counts: list[int] = []
    bodies: list[dict[str, Any]] = []
    for per_page in (2, 50):
        counter.reset()
        bodies.append(ok(await api.get(url, params={**params, "per_page": per_page})))
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    return bodies[0], bodies[1]


async def assert_query_rejected(
    api: ApiClient, url: str, params: dict[str, Any], cases: Iterable[tuple[dict[str, Any], str]]
) -> None:
    """Each case ``(extra query parameters, field)`` is a 422 ``validation_error`` on ``field``."""
    for extra, field in cases:
        body = err(await api.get(url, params={**params, **extra}), 422, "validation_error")
        assert field in body["errors"], (extra, body)


def any_operation_body(
    *, workspace_id: int, project_id: int, user_id: int, contract_id: int
) -> dict[str, Any]:
    """A body every write operation accepts as far as its required fields go: for sweeps
    that call each operation of the OpenAPI document and look only at who may do what."""
    return {
        "workspace_id": workspace_id,
        "project_id": project_id,
        "user_id": user_id,
        "contract_id": contract_id,
        "name": "x",
        "title": "x",
        "comment": "x",
        "reason": "x",
        "code": "ABCDE-FGHJK",
        "email": "new@example.com",
        "firstname": "x",
        "lastname": "x",
        "role": "member",
        "date": "2024-01-15",
        "date_from": "2024-01-15",
        "date_to": "2024-01-16",
        "start_time": "11:00",
        "end_time": "12:00",
        "start": "2024-01-17T09:00:00+00:00",
        "end": "2024-01-17T10:00:00+00:00",
        "expense_name": "x",
        "amount": 1,
        # A literal public address: saving it needs no DNS lookup, and no test sends to it.
        "url": "https://1.1.1.1/hook",
        "events": ["project.created"],
    }
