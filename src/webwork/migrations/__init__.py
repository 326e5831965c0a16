"""Alembic environment and versions; run through ``webwork db upgrade``."""

from __future__ import annotations

import io
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

HERE = Path(__file__).parent


def alembic_config(
    database_url: str | None = None, connection: Connection | None = None, stdout: io.StringIO | None = None
) -> Config:
    config = Config(stdout=stdout) if stdout is not None else Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


def upgrade_connection(connection: Connection) -> None:
    """Upgrade through an open (sync) connection: for tests that own the transaction."""
    from alembic import command

    command.upgrade(alembic_config(connection=connection), "head")


def head_revision() -> str:
    """The latest migration this version of the server ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(database_url: str) -> str | None:
    """The revision the database is at (None: no migration applied), as Alembic's
    ``current`` reports it."""
    from alembic import command

    out = io.StringIO()
    command.current(alembic_config(database_url, stdout=out))
    words = out.getvalue().split()
    return words[0] if words else None


def pending_revisions(current: str | None) -> list[str]:
    """The migrations after ``current`` (None: all of them), oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    newest_first = script.iterate_revisions(head_revision(), current or "base")
    return [revision.revision for revision in newest_first if revision.revision != current][::-1]
