"""Input is taken as the contract types it, before the database sees it and alike on
SQLite and PostgreSQL: an id is a positive integer an ``integer`` column holds (never a
boolean), an integer fits that column too, text carries no control characters (free
text: no others than tabs and line breaks) and has a bounded length, an icon is a name
or an http(s) URL, and a form body is UTF-8."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.timesheets.periods import TimesheetKey

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _working(factory: Factory) -> tuple[Space, Person, dict[str, Any]]:
    """A member with a contract and a task; ``ids`` names them for request bodies."""
    space, person, project, contract, task = await factory.contracted_task()
    ids = {"user_id": person.id, "project_id": project.id, "contract_id": contract.id, "task_id": task.id}
    return space, person, ids


def _entry(space: Space, ids: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        **space.ws,
        "user_id": ids["user_id"],
        "contract_id": ids["contract_id"],
        "date": "2024-01-15",
        "start_time": "09:00",
        "end_time": "10:00",
        **fields,
    }


def _time_request(space: Space, ids: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        **space.ws,
        "user_id": ids["user_id"],
        "contract_id": ids["contract_id"],
        "start": "2024-01-16T09:00:00+00:00",
        "end": "2024-01-16T10:00:00+00:00",
        **fields,
    }


# ---------------------------------------------------------------- booleans are no ids


async def test_a_boolean_is_never_an_id_or_an_integer_in_a_json_body(factory: Factory) -> None:
    space, _, ids = await _working(factory)
    api = space.owner.api
    project = f"/projects/{ids['project_id']}"
    cases: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = [
        ("POST", "/time-entries", {}, _entry(space, ids, user_id=True), "user_id"),
        ("POST", "/time-entries", {}, _entry(space, ids, contract_id=True), "contract_id"),
        ("POST", "/time-entries", {}, _entry(space, ids, task_id=False), "task_id"),
        ("POST", "/time-requests", {}, _time_request(space, ids, user_id=True), "user_id"),
        ("POST", "/time-tracking/start", {}, {**space.ws, "user_id": True}, "user_id"),
        ("POST", "/time-tracking/stop", {}, {**space.ws, "user_id": True}, "user_id"),
        ("POST", "/contracts", space.ws, {"project_id": True, "user_id": ids["user_id"]}, "project_id"),
        ("POST", "/contracts", space.ws, {"project_id": ids["project_id"], "user_id": True}, "user_id"),
        ("POST", "/tasks", {}, {**space.ws, "project_id": True, "title": "x"}, "project_id"),
        (
            "POST",
            "/tasks",
            {},
            {**space.ws, "project_id": ids["project_id"], "title": "x", "status": True},
            "status",
        ),
        ("POST", "/tasks", {}, {**space.ws, "contract_id": True, "title": "x"}, "contract_id"),
        ("POST", "/teams", space.ws, {"name": "x", "member_ids": [True]}, "member_ids.0"),
        ("POST", "/projects", space.ws, {"name": "x", "manager_ids": [True]}, "manager_ids.0"),
        ("PUT", project, space.ws, {"status": False}, "status"),
        ("DELETE", project, space.ws, {"workspace_id": True}, "workspace_id"),
    ]
    for method, url, params, body, field in cases:
        response = await api.request(method, url, params=params, json=body)
        errors = err(response, 422, "validation_error")["errors"]
        assert errors == {field: [f"The {field.replace('_', ' ')} field must be an integer."]}, (url, body)
    # Nothing was recorded for whoever has id 1, and the project is still active.
    assert ok(await api.get(project, params=space.ws))["data"]["status"] == 1


async def test_a_number_or_yes_no_in_a_json_string_is_refused_and_taken_from_a_form(factory: Factory) -> None:
    """The document says number and boolean; JSON has both, so a JSON string is the
    wrong type (as schemathesis' negative data expects). A form has only strings."""
    space = await factory.space()
    api = space.owner.api
    for field, value, message in (
        ("budget", "12.5", "The budget field must be a number."),
        ("weekly_hours_limit", "0", "The weekly hours limit field must be a number."),
        ("is_billable", "true", "The is billable field must be true or false."),
    ):
        response = await api.post("/projects", params=space.ws, json={"name": "x", field: value})
        assert err(response, 422, "validation_error")["errors"] == {field: [message]}
    form = {"name": "Form", "budget": "12.5", "weekly_hours_limit": "0", "is_billable": "true"}
    data = ok(await api.post("/projects", params=space.ws, data=form), 201)["data"]
    assert data["budget_estimation"] == 12.5 and data["weekly_hours_limit"] == 0 and data["is_billable"]
    # Blank is still "no value" in JSON too.
    assert ok(await api.post("/projects", params=space.ws, json={"name": "y", "budget": ""}), 201)


async def test_a_boolean_is_never_an_id_in_a_query_or_a_form(factory: Factory) -> None:
    space, _, ids = await _working(factory)
    api = space.owner.api
    for url, params, field in (
        ("/time-tracking/current-data", {**space.ws, "user_id": "true"}, "user_id"),
        ("/contracts", {**space.ws, "project_id": "false"}, "project_id"),
        ("/tasks", {**space.ws, "status": "true"}, "status"),
        ("/projects", {"workspace_id": "true"}, "workspace_id"),
    ):
        errors = err(await api.get(url, params=params), 422, "validation_error")["errors"]
        assert list(errors) == [field], (url, errors)
    form = {"project_id": "true", "user_id": str(ids["user_id"])}
    errors = err(await api.post("/contracts", params=space.ws, data=form), 422)["errors"]
    assert errors == {"project_id": ["The project id field must be an integer."]}


# ---------------------------------------------------------------- integers the columns hold


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be at least 1."),
        (-3, "must be at least 1."),
        (INT_MAX + 1, f"must not be greater than {INT_MAX}."),
        (10**30, f"must not be greater than {INT_MAX}."),
    ],
)
async def test_an_id_is_a_positive_integer_an_integer_column_holds(
    factory: Factory, value: int, message: str
) -> None:
    """Everywhere an id travels: body, query, path, and workspace_id in the query or in
    the body of a route that has no body model."""
    space, _, ids = await _working(factory)
    api = space.owner.api
    for response, field in (
        (
            await api.post(
                "/contracts", params=space.ws, json={"project_id": value, "user_id": ids["user_id"]}
            ),
            "project_id",
        ),
        (await api.post("/time-entries", json=_entry(space, ids, user_id=value)), "user_id"),
        (
            await api.post("/teams", params=space.ws, json={"name": "x", "member_ids": [value]}),
            "member_ids.0",
        ),
        (await api.get("/contracts", params={**space.ws, "user_id": value}), "user_id"),
        (
            await api.get("/time-entries", params={**space.ws, "user_id": value, "date": "2024-01-15"}),
            "user_id",
        ),
        (await api.get(f"/projects/{value}", params=space.ws), "project_id"),
        (await api.get("/projects", params={"workspace_id": value}), "workspace_id"),
        (await api.request("GET", "/projects", json={"workspace_id": value}), "workspace_id"),
    ):
        errors = err(response, 422, "validation_error")["errors"]
        assert errors == {field: [f"The {field.replace('_', ' ')} field {message}"]}, (response.url, errors)


async def test_the_largest_id_is_looked_up_like_any_other(factory: Factory) -> None:
    space = await factory.space()
    api = space.owner.api
    err(await api.get(f"/projects/{INT_MAX}", params=space.ws), 404, "not_found")
    assert ok(await api.get("/contracts", params={**space.ws, "user_id": INT_MAX}))["data"] == []
    err(await api.get("/projects", params={"workspace_id": INT_MAX}), 404, "not_found")


async def test_integer_filters_fit_an_integer_column(factory: Factory) -> None:
    space = await factory.space()
    api = space.owner.api
    for params, field, message in (
        ({"status": INT_MAX + 1}, "status", f"must not be greater than {INT_MAX}."),
        ({"priority": INT_MIN - 1}, "priority", f"must be at least {INT_MIN}."),
    ):
        errors = err(await api.get("/tasks", params={**space.ws, **params}), 422)["errors"]
        assert errors == {field: [f"The {field} field {message}"]}
    # custom status codes are still accepted by the filter
    assert ok(await api.get("/tasks", params={**space.ws, "status": 11}))["data"] == []


async def test_id_lists_are_bounded(factory: Factory) -> None:
    """A list of ids is bound as one SQL parameter each; PostgreSQL takes 32,767 at most."""
    space = await factory.space()
    response = await space.owner.api.post(
        "/teams", params=space.ws, json={"name": "t", "member_ids": list(range(1, 40_000))}
    )
    errors = err(response, 422)["errors"]
    assert errors == {"member_ids": ["The member ids field must not have more than 1000 items."]}


# ---------------------------------------------------------------- form bodies are UTF-8


@pytest.mark.parametrize(
    "content", [b"name=caf\xe9", b"name=caf%E9", b"name=%FF%FE"], ids=["raw", "escaped", "bom"]
)
async def test_a_form_body_that_is_not_utf8_is_malformed(factory: Factory, content: bytes) -> None:
    space = await factory.space()
    response = await space.owner.api.post("/projects", params=space.ws, content=content, headers=FORM)
    err(response, 400, "malformed_json")
    assert ok(await space.owner.api.get("/projects", params=space.ws))["data"] == []


async def test_a_utf8_form_body_is_read(factory: Factory) -> None:
    space = await factory.space()
    response = await space.owner.api.post(
        "/projects", params=space.ws, content=b"name=Caf%C3%A9+%E2%82%AC&notes=a%0Ab", headers=FORM
    )
    data = ok(response, 201)["data"]
    assert (data["name"], data["notes"]) == ("Café €", "a\nb")


# ---------------------------------------------------------------- control characters


async def test_control_characters_are_refused_in_every_kind_of_text(factory: Factory) -> None:
    space, _, ids = await _working(factory)
    api = space.owner.api
    line = "The {} field must not contain control characters."
    free = "The {} field must not contain control characters other than tabs and line breaks."
    member = await factory.person(space)
    cases: list[tuple[str, str, dict[str, Any], dict[str, Any], str, str]] = [
        ("POST", "/projects", space.ws, {"name": "a\u0000b"}, "name", line),
        ("POST", "/projects", space.ws, {"name": "a\nb"}, "name", line),
        ("POST", "/projects", space.ws, {"name": "a\tb"}, "name", line),
        ("POST", "/projects", space.ws, {"name": "x", "notes": "a\u0000b"}, "notes", free),
        ("POST", "/projects", space.ws, {"name": "x", "notes": "a\u001bb"}, "notes", free),
        ("POST", "/projects", space.ws, {"name": "x", "tags": ["a\u0007"]}, "tags.0", line),
        (
            "POST",
            "/projects",
            space.ws,
            {"name": "x", "icon": "https://example.com/\u0000.png"},
            "icon",
            line,
        ),
        ("PUT", f"/members/{member.id}", space.ws, {"email": "a\u0000@example.com"}, "email", line),
        ("POST", "/api-keys", {}, {"name": "bad\u0000name"}, "name", line),
        ("POST", "/teams", space.ws, {"name": "t\u0000"}, "name", line),
        ("PUT", f"/members/{member.id}", space.ws, {"firstname": "\u001b[31mJo"}, "firstname", line),
        (
            "POST",
            "/tasks",
            {},
            {**space.ws, "project_id": ids["project_id"], "title": "a\u0000"},
            "title",
            line,
        ),
        (
            "POST",
            "/tasks",
            {},
            {**space.ws, "project_id": ids["project_id"], "title": "x", "description": "\u0000"},
            "description",
            free,
        ),
        (
            "POST",
            "/contracts",
            space.ws,
            {"project_id": ids["project_id"], "user_id": space.owner.id, "notes": "\u0000"},
            "notes",
            free,
        ),
        ("POST", "/time-entries", {}, _entry(space, ids, notes="a\u0000b"), "notes", free),
        (
            "POST",
            "/time-requests",
            {},
            _time_request(space, ids, activity_description="\u0000"),
            "activity_description",
            free,
        ),
        (
            "POST",
            "/time-tracking/start",
            {},
            {**space.ws, "activity_description": "\u0000"},
            "activity_description",
            free,
        ),
    ]
    for method, url, params, body, field, message in cases:
        response = await api.request(method, url, params=params, json=body)
        errors = err(response, 422, "validation_error")["errors"]
        label = field.replace("_", " ")
        assert errors == {field: [message.format(label)]}, (url, body, errors)
    for params, field in (({"name": "a\u0000b"}, "name"), ({"email": "a\u0000@example.com"}, "email")):
        url = "/projects" if field == "name" else "/members"
        errors = err(await api.get(url, params={**space.ws, **params}), 422)["errors"]
        assert errors == {field: [line.format(field)]}


async def test_free_text_keeps_tabs_and_line_breaks(factory: Factory) -> None:
    space = await factory.space()
    notes = "first line\r\n\tsecond line\nthird"
    data = ok(
        await space.owner.api.post("/projects", params=space.ws, json={"name": "x", "notes": notes}), 201
    )
    assert data["data"]["notes"] == notes


async def test_text_that_is_not_unicode_says_so(factory: Factory) -> None:
    """A JSON escape of half a surrogate pair decodes to no character UTF-8 can store."""
    space = await factory.space()
    response = await space.owner.api.post(
        "/projects",
        params=space.ws,
        content=b'{"name": "a\\ud800b"}',
        headers={"Content-Type": "application/json"},
    )
    assert err(response, 422)["errors"] == {"name": ["The name field must be valid UTF-8 text."]}


# ---------------------------------------------------------------- icons


@pytest.mark.parametrize(
    "icon", ["globe", "project-icon-1", "https://cdn.example.com/icons/a.png", "http://example.com/i.svg?v=2"]
)
async def test_an_icon_is_a_name_or_an_http_url(factory: Factory, icon: str) -> None:
    space = await factory.space()
    api = space.owner.api
    project = ok(await api.post("/projects", params=space.ws, json={"name": "x", "icon": icon}), 201)["data"]
    assert project["icon"] == icon
    updated = ok(await api.put(f"/projects/{project['id']}", params=space.ws, json={"icon": ""}))["data"]
    assert updated["icon"] is None


@pytest.mark.parametrize(
    "icon",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "vbscript:msgbox",
        "ftp://example.com/i.png",
        "//example.com/i.png",
        "https://",
        "https://exa mple.com/i.png",
        "Project Icon",
        "-icon",
        "x" * 65,
    ],
)
async def test_an_icon_of_another_scheme_or_shape_is_refused(factory: Factory, icon: str) -> None:
    space = await factory.space()
    api = space.owner.api
    message = "The icon field must be an icon name (such as project-icon-1) or an http(s) URL."
    for method, url in (("POST", "/projects"), ("PUT", f"/projects/{(await factory.project(space)).id}")):
        response = await api.request(method, url, params=space.ws, json={"name": "x", "icon": icon})
        assert err(response, 422)["errors"] == {"icon": [message]}, (method, icon)


# ---------------------------------------------------------------- lengths


@pytest.mark.parametrize(
    ("field", "limit"),
    [("notes", 10_000), ("name", 255), ("icon", 255)],
)
async def test_project_text_is_bounded(factory: Factory, field: str, limit: int) -> None:
    space = await factory.space()
    api = space.owner.api
    prefix = "https://example.com/" if field == "icon" else ""
    base = {"name": "x"}
    at_limit = prefix + "a" * (limit - len(prefix))
    ok(await api.post("/projects", params=space.ws, json={**base, field: at_limit}), 201)
    response = await api.post("/projects", params=space.ws, json={**base, field: at_limit + "a"})
    assert err(response, 422)["errors"] == {
        field: [f"The {field} field must not be greater than {limit} characters."]
    }


async def test_a_huge_note_is_refused_everywhere_notes_are_taken(factory: Factory) -> None:
    """0.9 MB of notes used to be stored; a page of such rows held hundreds of MB."""
    space, _, ids = await _working(factory)
    api = space.owner.api
    huge = "n" * 900_000
    member = await factory.person(space)
    cases: list[tuple[str, str, dict[str, Any], dict[str, Any], str, int]] = [
        ("POST", "/projects", space.ws, {"name": "x", "notes": huge}, "notes", 10_000),
        (
            "POST",
            "/contracts",
            space.ws,
            {"project_id": ids["project_id"], "user_id": member.id, "notes": huge},
            "notes",
            10_000,
        ),
        (
            "POST",
            "/tasks",
            {},
            {**space.ws, "project_id": ids["project_id"], "title": "t", "description": huge},
            "description",
            10_000,
        ),
        ("POST", "/time-entries", {}, _entry(space, ids, notes=huge), "notes", 500),
        ("POST", "/projects", space.ws, {"name": "x", "tags": ["t" * 101]}, "tags.0", 100),
        ("PUT", f"/members/{member.id}", space.ws, {"email": "a" * 250 + "@x.io"}, "email", 254),
    ]
    for method, url, params, body, field, limit in cases:
        errors = err(await api.request(method, url, params=params, json=body), 422)["errors"]
        label = field.replace("_", " ")
        assert errors == {field: [f"The {label} field must not be greater than {limit} characters."]}, url
    errors = err(await api.get("/projects", params={**space.ws, "name": "n" * 256}), 422)["errors"]
    assert errors == {"name": ["The name field must not be greater than 255 characters."]}
    errors = err(await api.post("/projects", params=space.ws, json={"name": "x", "tags": ["t"] * 101}), 422)
    assert errors["errors"] == {"tags": ["The tags field must not have more than 100 items."]}


async def test_a_timesheet_id_naming_an_id_past_the_integer_columns_names_none(factory: Factory) -> None:
    """Timesheet ids encode a user id in 40 bits: one past PostgreSQL's integer names
    no timesheet (404, or an empty list), as on SQLite."""
    space = await factory.space()
    api = space.owner.api
    beyond = TimesheetKey(INT_MAX + 1, date(2024, 1, 15)).encode("webwork")
    for action in ("submit", "approve"):
        err(await api.put(f"/timesheets/{beyond}/{action}", json=space.ws), 404, "not_found")
    listed = await api.get("/timesheets", params={**space.ws, "id": beyond, "date_from": "2024-01-15"})
    assert ok(listed)["data"] == []
