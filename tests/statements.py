"""Waiting for a statement instead of for a while: tests of who waits for whom."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def about_to_run(engine: AsyncEngine, prefix: str) -> Iterator[asyncio.Event]:
    """An event set when a statement starting with ``prefix`` is about to run on
    ``engine``. The task that runs it goes on until it really waits (for the write lock,
    say) before the test's task wakes up, so what the test sees then is settled."""
    seen = asyncio.Event()

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(prefix.upper()):
            seen.set()

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
