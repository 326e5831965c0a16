"""``webwork backup`` and ``webwork restore``: a consistent copy of the whole database
while the server keeps writing, and that copy put back into an empty database.

SQLite: the online backup API of the standard library copies the file from one read
transaction, so the copy is one consistent moment even while writers go on (WAL lets
them). PostgreSQL: ``pg_dump`` in its custom format (one snapshot as well) and
``pg_restore``, when they are on the PATH; the password travels in ``PGPASSWORD``, never
on a command line."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """What stops a backup or a restore, in one line for the operator."""


def backup(database_url: str, target: Path) -> str:
    if target.exists():
        raise BackupError(f"{target} exists; name a new file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with _sqlite(url, must_exist=True) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        return f"Backed up {url.database} to {target} (SQLite online backup)."
    _run_pg("pg_dump", url, "--format=custom", f"--file={target}")
    return f"Backed up {url.render_as_string(hide_password=True)} to {target} (pg_dump custom format)."


def restore(database_url: str, source: Path) -> str:
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(source) as backup_file:
            if not _tables(backup_file):
                raise BackupError(f"{source} is not a SQLite backup of this server (it holds no tables)")
            with _sqlite(url, must_exist=False) as target:
                if _tables(target):
                    raise BackupError(f"{url.database} is not empty; restore into a new database")
                backup_file.backup(target)
            target.close()
        backup_file.close()
        return f"Restored {source} into {url.database}."
    _run_pg("pg_restore", url, "--exit-on-error", "--no-owner", "--single-transaction", str(source))
    return f"Restored {source} into {url.render_as_string(hide_password=True)}."


def _sqlite(url: URL, *, must_exist: bool) -> sqlite3.Connection:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database has nothing to back up or restore")
    path = Path(url.database)
    if must_exist and not path.exists():
        raise BackupError(f"{path} does not exist")
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _tables(connection: sqlite3.Connection) -> list[str]:
    return [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def _run_pg(tool: str, url: URL, *arguments: str) -> None:
    """Run a PostgreSQL client tool against ``url``; restores refuse a database that
    already has tables (``pg_restore`` would mix the two)."""
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not on the PATH; install the PostgreSQL client tools (same major version)"
        )
    environment = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    dbname = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    if tool == "pg_restore":
        count = _psql_scalar(
            dbname, environment, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        if count != "0":
            raise BackupError(
                f"{url.render_as_string(hide_password=True)} is not empty; restore into a new database"
            )
    result = subprocess.run(
        [tool, f"--dbname={dbname}", *arguments], env=environment, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {(result.stderr.strip().splitlines() or ['no message'])[-1]}")


_PUBLIC_TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"


def _psql_scalar(dbname: str, environment: dict[str, str], query: str) -> str:
    if shutil.which("psql") is None:
        raise BackupError("psql is not on the PATH; install the PostgreSQL client tools")
    result = subprocess.run(
        ["psql", f"--dbname={dbname}", "--tuples-only", "--no-align", "--command", query],
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"psql failed: {(result.stderr.strip().splitlines() or ['no message'])[-1]}")
    return result.stdout.strip()
