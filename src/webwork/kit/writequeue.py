"""The queue SQLite writers wait in.

SQLite admits one writer at a time; a writer that finds the lock taken sleeps and
retries in SQLite's busy handler (1, 2, 5 ... 100 ms naps), which turns contention into
tail latency and lets late arrivals overtake early ones. Writers here queue instead:
first on an asyncio lock (this process's coroutines, in arrival order), then on an
``flock`` of a file beside the database (this machine's other worker processes, woken by
the kernel the moment the lock is released). Only then does BEGIN IMMEDIATE run, and it
finds the database free."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WriteQueue:
    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}-writers"
        self._turn = asyncio.Lock()
        self._fd: int | None = None

    @property
    def locked(self) -> bool:
        return self._turn.locked()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._turn:
            fd = self._file()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                # Another process writes: wait in a thread, not in the event loop.
                await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd
