"""The queue SQLite writers wait in.

SQLite admits one writer at a time; a writer that finds the lock taken sleeps and
retries in SQLite's busy handler (1, 2, 5 ... 100 ms naps), which turns contention into
tail latency and lets late arrivals overtake early ones. Writers here queue instead:
first on an asyncio lock (this process's coroutines, in arrival order), then on an
``flock`` of a file beside the database (this machine's other worker processes, woken by
the kernel the moment the lock is released). Only then does BEGIN IMMEDIATE run, and it
finds the database free.

The SQLite driver takes a turn when a write transaction becomes the writer (its first
write, ``FOR UPDATE`` or :func:`webwork.kit.db.serialise_writes`) and gives it back when
that commits or rolls back (:mod:`webwork.kit.sqlite_driver`), so the turn covers the
part of a transaction that must be alone, not the request around it."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# How many writers of one process may follow each other on one hold of the file lock
# while another process waits: each hand-over between processes costs a thread's
# wake-up in the other one, so a process's queued writers go together, a few at a time.
MAX_RUN = 8
# After giving the file lock up at the end of a run, this process's next writer waits
# this long before asking again: ``flock`` wakes the other process's waiter but does not
# hand it the lock, and a writer asking at once would often take it straight back.
STEP_ASIDE = 0.002


class WriteQueue:
    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}-writers"
        self._turn = asyncio.Lock()
        self._fd: int | None = None
        self._waiting = 0  # writers of this process waiting for their turn
        self._holds_file = False
        self._run = 0  # writers in a row on this hold of the file lock
        self._stepped_aside = False  # the last hold ended for another process's sake

    async def acquire(self) -> None:
        self._waiting += 1
        try:
            await self._turn.acquire()
        except BaseException:
            self._waiting -= 1
            # The writer kept the file lock for this one, which gave up waiting.
            if self._holds_file and not self._turn.locked():
                self._unlock_file()
            raise
        self._waiting -= 1
        if self._holds_file:
            return
        try:
            if self._stepped_aside:
                self._stepped_aside = False
                await asyncio.sleep(STEP_ASIDE)
            await self._lock_file()
        except BaseException:
            self._turn.release()
            raise
        self._holds_file = True

    def release(self) -> None:
        """The next writer of this process keeps the file lock, unless it is this hold's
        :data:`MAX_RUN`-th: then the other processes get their chance."""
        self._run += 1
        if not self._waiting:
            self._unlock_file()
        elif self._run >= MAX_RUN:
            self._unlock_file()
            self._stepped_aside = True
        self._turn.release()

    def _unlock_file(self) -> None:
        self._run = 0
        self._holds_file = False
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    async def _lock_file(self) -> None:
        fd = self._file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Another process writes: wait in a thread, not in the event loop.
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd
