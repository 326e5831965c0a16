"""The OpenAPI document reads as if written by hand, and says where each operation wants
its ``workspace_id`` and which errors it can answer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from webwork.app import create_app
from webwork.config import Settings

NOUN = re.compile(r"[A-Z][A-Za-z]+")
JUNK = re.compile(r"Envelope|Out$|Type\d|Input$|Output$|Body$|Model$|_")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_component_names_are_nouns_a_person_would_write(document: dict[str, Any]) -> None:
    """Generated clients name their classes after the components: ``Workspace``,
    ``WorkspaceList``, ``TimeEntry``, ``Error``.

    The rule, which new routers follow by construction: a component is named after its
    model's title (``webwork.kit.openapi``), which is the class name unless the model
    sets ``model_config = ConfigDict(title="Project")`` (do, for a class named
    ``ProjectOut``; a subclass inherits its parent's title, so it sets its own).
    ``Envelope[Project]`` is ``ProjectResponse`` and ``Envelope[list[Project]]``
    ``ProjectList`` (``Envelope.model_parametrized_name``); an envelope of anything else
    (a union, a mapping) is a named subclass: ``class TrackedHours(Envelope[...])``. A
    request body is ``<Thing>Create``, ``<Thing>Update`` or another noun."""
    names = list(document["components"]["schemas"])
    assert {"Workspace", "WorkspaceList", "TimeEntry", "Project", "ProjectList", "Error"} <= set(names)
    odd = [name for name in names if not NOUN.fullmatch(name) or JUNK.search(name)]
    assert not odd, odd


def test_workspace_id_is_in_one_place_required_and_an_integer(document: dict[str, Any]) -> None:
    """The server takes ``workspace_id`` from the query string or the body (and refuses
    two different values), so the document names one: the body where the hosted API
    reads it there (writes of tasks, time, requests, expenses...), else the query."""
    schemas = document["components"]["schemas"]
    for label, operation in _operations(document):
        query = [p for p in operation.get("parameters", []) if p["name"] == "workspace_id"]
        body_ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        body = schemas.get(body_ref.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1], {})
        in_body = "workspace_id" in body.get("properties", {})
        assert not (query and in_body), label
        if query:
            assert query[0]["required"] is True, label
            assert query[0]["schema"]["type"] == "integer", label
        if in_body:
            assert "workspace_id" in body["required"], label
            assert body["properties"]["workspace_id"]["type"] == "integer", label
            assert operation["requestBody"]["required"] is True, label


def test_the_reference_places_of_workspace_id(document: dict[str, Any]) -> None:
    """In the query for reads and for members, projects and contracts writes; in the
    body for the writes of tasks, time entries, time tracking, time requests and expenses."""

    def place(path: str, method: str) -> str:
        operation = document["paths"][f"/api/v2{path}"][method]
        in_query = any(p["name"] == "workspace_id" for p in operation.get("parameters", []))
        return "query" if in_query else "body"

    assert place("/projects", "get") == "query"
    assert place("/projects", "post") == "query"
    assert place("/members/{member_id}", "put") == "query"
    assert place("/contracts", "post") == "query"
    assert place("/tasks", "post") == "body"
    assert place("/time-entries", "post") == "body"
    assert place("/time-tracking/start", "post") == "body"
    assert place("/time-requests", "post") == "body"
    assert place("/expenses", "post") == "body"
    assert place("/projects/{project_id}", "delete") == "query"


def test_every_operation_declares_its_error_answers_with_examples(document: dict[str, Any]) -> None:
    for label, operation in _operations(document):
        responses = operation["responses"]
        expected = {"429", "431", "503", "422"} | ({"401"} if operation.get("security") else set())
        if "requestBody" in operation:
            expected |= {"400", "413"}
        assert expected <= set(responses), (label, sorted(responses))
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                media = answer["content"]["application/json"]
                assert media["schema"] == {"$ref": "#/components/schemas/Error"}, (label, status)
                assert media["example"]["success"] is False, (label, status)


def test_no_query_parameter_is_nullable(document: dict[str, Any]) -> None:
    for label, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            assert "anyOf" not in parameter["schema"] or all(
                branch.get("type") != "null" for branch in parameter["schema"]["anyOf"]
            ), (label, parameter["name"])


def test_a_task_action_documents_its_project_id_as_required(document: dict[str, Any]) -> None:
    """Delete, assign and unassign need the task's ``project_id`` (from the query string
    or the optional body): each of the three says so, in the query string."""
    for path, method in (
        ("/tasks/{task_id}", "delete"),
        ("/tasks/{task_id}/assign/{user_id}", "post"),
        ("/tasks/{task_id}/unassign/{user_id}", "delete"),
    ):
        operation = document["paths"][f"/api/v2{path}"][method]
        (project,) = [p for p in operation["parameters"] if p["name"] == "project_id"]
        assert project["in"] == "query" and project["required"] is True, path
        assert "requestBody" not in operation, path
