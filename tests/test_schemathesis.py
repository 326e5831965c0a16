"""The OpenAPI document tells the truth, tried from outside: schemathesis' command line
(``st run --checks all``) with its examples, coverage, fuzzing and stateful phases, 25
examples per operation, against a live ``webwork serve``.

Every check runs: no server error, every status code and body as the document declares
them, what the document allows accepted and what it refuses refused, the ``Allow``
header, links (create -> read/update/delete) followed. A failure it finds fails the
test, unless it is recorded in ``schemathesis-baseline.json`` (schemathesis' own
baseline): the refusals that depend on rules no JSON Schema can state (an id that must
name an existing member, a name that must be unique, an end after a start, a date within
a year of today), and, until the server's ``Allow`` headers are right, those. Each
entry accepts one check's failures of one operation (e.g. its 422s to valid-looking
input). ``WEBWORK_SCHEMATHESIS_RECORD=1`` adds this run's failures to the baseline (look
at them first: a new one is most often a bug); ``st run ... --baseline-prune`` drops
what no longer happens.

The requests aim at the seeded workspace (``workspace_id`` fixed) as its owner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.database import wanted_url
from tests.live import live_server

BASELINE = Path(__file__).with_name("schemathesis-baseline.json")
EXAMPLES = 25
# schemathesis' own list of what refuses a request, and 413 and 431 (body, head too large).
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "431", "5xx"]
SEED = 20261206


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
            "--baseline",
            str(BASELINE),
            *(["--baseline-update"] if os.environ.get("WEBWORK_SCHEMATHESIS_RECORD") else []),
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
