"""The OpenAPI document tells the truth, tried from outside: schemathesis' command line
(``st run --checks all``) with its examples, coverage, fuzzing and stateful phases, 25
examples per operation, against a live ``webwork serve``.

Every check runs: no server error, every status code and body as the document declares
them, what the document allows accepted and what it refuses refused, the ``Allow``
header, links (create -> read/update/delete) followed. Any failure fails the test:
there is no baseline of accepted failures.

What the document cannot state is said here instead, per operation, as schemathesis
advises (``st explain ST202``): the operations of :data:`RULES` may refuse input the
document allows with a 422, each for the rule named (an id that must name an existing
member, a name that must be unique, an end after a start, a date within a year of
today). Everything else about their input is still checked, and every other operation
must take all the input its document allows.

The requests aim at the seeded workspace (``workspace_id`` fixed) as its owner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.database import wanted_url
from tests.live import live_server

EXAMPLES = 25
# schemathesis' own list of what refuses a request, and 413 and 431 (body, head too large).
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "431", "5xx"]
SEED = 20261206
# What schemathesis expects of valid input by default, and the 422 of a rule below.
ACCEPTANCE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx", "422"]
UNKNOWN_IDS = "ids in the body or query must name rows of this workspace"
DATE_ORDER = "the end of a date range must not precede its start"
REPORT_RANGE = "the end date must not precede the start date, nor be more than 31 days (366) after it"
# operationId -> the rule no JSON Schema states, for which it answers 422.
RULES = {
    "getLeaves": DATE_ORDER,
    "getExpenses": DATE_ORDER,
    "getTasks": "a contract_id must belong to the project_id given beside it",
    "getLeaveBalances": DATE_ORDER,
    "getTimeRequests": DATE_ORDER,
    "getDailyAttendance": "the date must lie within a year of today",
    "getDailyTimeline": "the date must lie within a year of today",
    "getTimeline": "the date must lie within a year of today",
    "getActivityLevel": REPORT_RANGE,
    "getTaskReport": REPORT_RANGE,
    "getTasksReport": REPORT_RANGE,
    "getTrackedHours": REPORT_RANGE + "; with user_id, at most 31 days",
    "getActivityDescriptions": REPORT_RANGE,
    "getTimeEntries": "user_id must name a member of the workspace",
    "getCurrentTrackerData": "user_id must name a member of the workspace",
    "createContract": UNKNOWN_IDS + " (a project and a member)",
    "createExpense": "the member must hold a contract on the project; " + UNKNOWN_IDS,
    "createExpenseCategory": "a category's name is unique in the workspace",
    "updateExpenseCategory": "a category's name is unique in the workspace",
    "updateExpense": "the member must hold a contract on the project; " + UNKNOWN_IDS,
    "rejectExpense": "a reason (or its alias comment) is required: one of two fields",
    "createLeave": UNKNOWN_IDS + " (a policy, a member); the end must not precede the start",
    "createHoliday": "one holiday a date in a workspace",
    "createLeavePolicy": "member_ids must name active members",
    "updateLeavePolicy": "member_ids must name active members",
    "updateLeaveSettings": "work_end must come after work_start",
    "inviteMember": "an address is a member of a workspace once",
    "updateMember": "an address belongs to one account; timezones are the tz database's canonical names",
    "confirmMemberEmail": "a code confirms a change of address that was asked for",
    "createProjectViewer": "an address is a member of a workspace once",
    "createProject": "the deadline must not precede start_date; manager_ids must name members",
    "updateProject": "the deadline must not precede start_date; manager_ids must name members",
    "createTask": "project_id or contract_id is required (one of two fields); " + UNKNOWN_IDS,
    "updateTask": UNKNOWN_IDS + "; the end date must not precede the start date",
    "assignTask": "the user must hold a contract on the task's project",
    "createTeam": "member_ids and manager_ids must name active members",
    "updateTeam": "member_ids and manager_ids must name active members",
    "updateTimeEntry": "the member must hold a contract on the project; " + UNKNOWN_IDS,
    "createTimeEntry": UNKNOWN_IDS + "; end_time must come after start_time",
    "createTimeRequest": UNKNOWN_IDS + "; the end must come after the start",
    "startTracking": UNKNOWN_IDS + " (a member, an active contract, a task of its project)",
    "stopTracking": "user_id must name a member of the workspace",
    "createOAuthClient": "a public client (no secret) cannot use client_credentials",
    "createWebhook": "the URL's host must resolve to a public address",
    "updateWebhook": "the URL's host must resolve to a public address",
}


def _config(tmp_path: Path, api_key: str, workspace_id: int) -> Path:
    """Every request in the seeded workspace, as its owner. Revoking an API key is left
    to the stateful phase, which revokes the keys it created: a key id drawn at random
    would revoke the owner's own, and every request after it would be refused."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f'headers = {{ Authorization = "Bearer {api_key}" }}\n'
        "[parameters]\n"
        f'"query.workspace_id" = {workspace_id}\n'
        f'"body.workspace_id" = {workspace_id}\n'
        # A request refused for its size (body or head) is refused too.
        "[checks.negative_data_rejection]\n"
        f"expected-statuses = {REFUSALS}\n"
        "[[operations]]\n"
        'include-operation-id = "deleteApiKey"\n'
        "phases.examples.enabled = false\n"
        "phases.coverage.enabled = false\n"
        "phases.fuzzing.enabled = false\n"
        + "".join(
            f"[[operations]]\n# {rule}\n"
            f'include-operation-id = "{operation}"\n'
            f"checks.positive_data_acceptance.expected-statuses = {ACCEPTANCE}\n"
            for operation, rule in RULES.items()
        )
    )
    return config


@pytest.mark.skipif(
    (wanted_url() or "sqlite").startswith("postgresql"), reason="runs once, in the SQLite pass of make test"
)
def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    with live_server(tmp_path) as server:
        config = _config(tmp_path, server.api_key, server.workspace_id)
        command = [
            str(st),
            "--config-file",
            str(config),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--generation-database",
            "none",
            "--no-color",
            "--output-truncate",
            "true",
        ]
        done = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=600, env={**os.environ}
        )
    (tmp_path / "schemathesis.txt").write_text(done.stdout)  # the whole story, kept by pytest
    summary = done.stdout[done.stdout.rfind("SUMMARY") :]
    assert done.returncode == 0, _failures(done.stdout) + summary + done.stderr[-2_000:]
    assert "Tested: " in summary, summary
    # Still the owner's key at the end: nothing revoked it half-way.
    assert "Authentication failed" not in summary, summary


def _failures(output: str) -> str:
    """Each failing operation and what failed, without the (long) requests."""
    lines = output.splitlines()
    kept = [
        line
        for line in lines
        if line.startswith("___") or line.startswith("- ST") or line.startswith("    `")
    ]
    return "\n".join(line[:300] for line in kept) + "\n"
