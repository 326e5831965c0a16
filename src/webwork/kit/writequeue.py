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
part of a transaction that must be alone, not the request around it.

Every turn gives the file lock back. Keeping it for this process's next queued writer
looked cheaper (no hand-over to the other process) and measured slower: that writer runs
only when the event loop comes to it, often after whole requests of other clients, and
all that while the other process could not write (two workers wrote 250 to 380 entries a
second that way, 435 to 540 giving the lock back every time)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WriteQueue:
    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}-writers"
        self._turn = asyncio.Lock()
        self._fd: int | None = None
        # The thread that waits for the file lock while another process holds it (one
        # waits at a time, behind the asyncio lock), apart from the loop's executor.
        self._waiter: concurrent.futures.ThreadPoolExecutor | None = None

    async def acquire(self) -> None:
        await self._turn.acquire()
        fd = self._file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except BaseException:
            self._turn.release()
            raise
        # Another process writes: wait in a thread, not in the event loop.
        if self._waiter is None:
            self._waiter = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="write-queue")
        waiting = self._waiter.submit(fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.wrap_future(waiting)
        except asyncio.CancelledError:
            # The thread may still get the lock: this process's turn stays taken until
            # it has, then both are given back (releasing the turn now would let the
            # next writer "hold" a file lock that the thread is about to drop).
            loop = asyncio.get_running_loop()
            waiting.add_done_callback(lambda done: loop.call_soon_threadsafe(self._abandon, done))
            raise
        except BaseException:
            self._turn.release()
            raise

    def _abandon(self, waiting: concurrent.futures.Future[None]) -> None:
        if not waiting.cancelled() and waiting.exception() is None:
            self._unlock_file()
        self._turn.release()

    def release(self) -> None:
        self._unlock_file()
        self._turn.release()

    def _unlock_file(self) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    def close(self) -> None:
        if self._waiter is not None:
            self._waiter.shutdown(wait=False)
            self._waiter = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd
