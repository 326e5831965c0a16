"""A client generated from the OpenAPI document (openapi-python-client) works as written:
it generates without a warning, its models are the document's nouns (``Project``,
``ProjectList``, ``Error``), and one call of each tag, typed as the generator wrote it,
gets its answer parsed from a live ``webwork serve``."""

from __future__ import annotations

import datetime
import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from inspect import signature
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.database import wanted_url
from tests.live import LiveServer, live_server

PACKAGE = "webwork_client"

pytestmark = pytest.mark.skipif(
    (wanted_url() or "sqlite").startswith("postgresql"), reason="runs once, in the SQLite pass of make test"
)


def _generate(tmp_path: Path, server: LiveServer) -> None:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(httpx.get(f"{server.url}/openapi.json", timeout=30).json()))
    config = tmp_path / "client.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run over the generated code
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [
            *(str(generator), "generate", "--path", str(document), "--meta", "none"),
            *("--output-path", str(tmp_path / PACKAGE), "--config", str(config)),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.fixture(scope="module")
def client_and_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, LiveServer]]:
    tmp_path = tmp_path_factory.mktemp("client")
    with live_server(tmp_path) as server:
        _generate(tmp_path, server)
        sys.path.insert(0, str(tmp_path))
        try:
            package = importlib.import_module(PACKAGE)
            client = package.AuthenticatedClient(base_url=server.url, token=server.api_key)
            yield client, server
        finally:
            sys.path.remove(str(tmp_path))
            for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
                del sys.modules[name]


def _operation(module: str) -> Callable[..., Any]:
    """``sync_detailed`` of the generated operation module ``api.<tag>.<operation>``."""
    operation: Callable[..., Any] = importlib.import_module(f"{PACKAGE}.api.{module}").sync_detailed
    return operation


def _model(name: str) -> type:
    models = importlib.import_module(f"{PACKAGE}.models")
    model: type = getattr(models, name)
    return model


TODAY = datetime.date.today()

# One operation of each tag: the module, its arguments (besides the client and the
# workspace), the status and the model of its answer.
CALLS: dict[str, tuple[str, Callable[[], dict[str, Any]], int, str]] = {
    "Workspaces": ("workspaces.get_workspaces", dict, 200, "WorkspaceList"),
    "Members": ("members.get_members", dict, 200, "MemberList"),
    "Teams": ("teams.get_teams", dict, 200, "TeamList"),
    "Projects": (
        "projects.create_project",
        lambda: {"body": _model("ProjectCreate")(name="Generated client")},
        201,
        "ProjectResponse",
    ),
    "Contracts": ("contracts.get_contracts", dict, 200, "ContractList"),
    "Tasks": ("tasks.get_tasks", dict, 200, "TaskList"),
    "Project Viewers": ("project_viewers.get_project_viewers", dict, 200, "ProjectViewerList"),
    "Time Tracking": (
        "time_tracking.get_current_tracker_data",
        lambda: {"user_id": 1},
        200,
        "CurrentTracker",
    ),
    "Time Entries": (
        "time_entries.get_time_entries",
        lambda: {"user_id": 1, "date": TODAY},
        200,
        "TimeEntryList",
    ),
    "Time Requests": (
        "time_requests.get_time_requests",
        lambda: {"date_from": TODAY, "date_to": TODAY},
        200,
        "TimeRequestList",
    ),
    "Timesheets": ("timesheets.get_timesheets", dict, 200, "TimesheetList"),
    "Leaves": ("leaves.get_leaves", dict, 200, "LeaveList"),
    "Expenses": ("expenses.get_expenses", dict, 200, "ExpenseList"),
    "Reports": ("reports.get_tracked_hours", dict, 200, "TrackedHours"),
    "Webhooks": ("webhooks.get_webhooks", dict, 200, "WebhookList"),
    "API Keys": ("api_keys.get_api_keys", dict, 200, "ApiKeyList"),
    "OAuth Clients": ("o_auth_clients.get_o_auth_clients", dict, 200, "OAuthClientList"),
}


@pytest.mark.parametrize("tag", CALLS)
def test_one_call_of_each_tag(client_and_server: tuple[Any, LiveServer], tag: str) -> None:
    client, server = client_and_server
    module, arguments, status, model = CALLS[tag]
    operation = _operation(module)
    scoped = (
        {"workspace_id": server.workspace_id} if "workspace_id" in signature(operation).parameters else {}
    )
    response = operation(client=client, **scoped, **arguments())
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, _model(model)), response.parsed
    assert response.parsed.success is True


def test_every_tag_is_called(client_and_server: tuple[Any, LiveServer]) -> None:
    """A new tag gets its call in CALLS."""
    _, server = client_and_server
    document = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    tags = {
        tag for item in document["paths"].values() for operation in item.values() for tag in operation["tags"]
    }
    assert tags == set(CALLS)


def test_errors_are_parsed_as_the_error_model(client_and_server: tuple[Any, LiveServer]) -> None:
    client, server = client_and_server
    response = _operation("projects.get_project")(
        client=client, project_id=999_999, workspace_id=server.workspace_id
    )
    assert response.status_code == 404
    assert isinstance(response.parsed, _model("Error"))
    assert response.parsed.error == "not_found"
