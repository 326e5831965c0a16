#!/usr/bin/env bash
# Until the first release the schema is one initial migration: regenerate it from the
# models against an empty SQLite database. After a release, add new revisions instead.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f src/webwork/migrations/versions/*_initial_schema.py
tmp=$(mktemp -d)
.venv/bin/python - "$tmp" <<'PY'
import sys
from alembic import command
from webwork.migrations import alembic_config
cfg = alembic_config(f"sqlite+aiosqlite:///{sys.argv[1]}/empty.db")
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
.venv/bin/ruff format -q src/webwork/migrations/versions
.venv/bin/ruff check -q --fix src/webwork/migrations/versions || true
rm -rf "$tmp"
ls src/webwork/migrations/versions
