"""CPU-bound work of seconds (a year of every member's report, rendered) in processes
beside the server, at a lower CPU priority.

A thread of the serving process shares the interpreter lock with the event loop: while
it sums, every request the loop wakes for waits up to the switch interval (5 ms) for the
lock, at every wake-up, and a year's report repeated beside 16 clients' small GETs took
their p99 to 4 to 6 times its value alone (``bench.reports``, "never stalls"). A process
has a lock of its own, and its lower priority (:data:`NICENESS`) leaves the serving
process the CPU it asks for; what crosses over is pickled (the report's days of sums in,
as the database packed them, the rendered bytes out).

:class:`Offload` is made with the app (``WEBWORK_REPORT_PROCESSES``); the processes
start on first use (spawned: a fork would copy the state of the event loop's threads)
and end with the app's lifespan. With no processes configured, work runs in a thread, as
:func:`asyncio.to_thread` runs it."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

from webwork.kit.errors import Unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A")

# Items a C call of freeing handles at once: a few milliseconds with the interpreter
# lock held, after which the event loop may take it.
CHUNK = 10_000

# Seconds a request whose process died is told to wait before trying again.
RETRY_AFTER = "5"

# Added to the processes' niceness (Unix): the kernel then gives the serving process
# about nine tenths of a contended core.
NICENESS = 10


def lower_priority() -> None:
    """The processes' initializer: a lower CPU priority, where the system has one."""
    if hasattr(os, "nice"):
        os.nice(NICENESS)


class Offload:
    """Runs a function on one picklable argument in a process of a pool of
    ``processes`` (made on first use), or in a thread when ``processes`` is 0."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.executor: ProcessPoolExecutor | None = None

    async def run(self, function: Callable[[A], T], argument: A) -> T:
        """``function(argument)`` in a process (``function`` importable by name, its
        argument and result picklable)."""
        if not self.processes:
            return await asyncio.to_thread(function, argument)
        if self.executor is None:
            spawn = multiprocessing.get_context("spawn")
            self.executor = ProcessPoolExecutor(self.processes, mp_context=spawn, initializer=lower_priority)
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, function, argument)
        except BrokenProcessPool as broken:
            # A process died (killed, out of memory): the pool takes no more work. The
            # next call starts new processes; this one is not retried in the serving
            # process, which the same work could bring down.
            logger.warning("offload: a process of the pool died running %s", function.__name__)
            self.close()
            raise Unavailable(headers={"Retry-After": RETRY_AFTER}) from broken

    def close(self) -> None:
        """Stop the processes once their work in hand is done (queued work is dropped);
        a later :meth:`run` starts new ones."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


class CollectorPause:
    """The cyclic garbage collector off while any of its :meth:`paused` blocks runs
    (they nest, across threads and tasks), back as it was after the last.

    A large report (a month of every member, a year grouped) holds tens or hundreds of
    thousands of rows and tuples in the serving process, each tracked by the collector
    until it is freed: the collections their allocations set off walk them all, with the
    interpreter lock held (for a year's rows, a young generation's took 26 ms, the next
    one's 87 ms, while every other request waited). They hold no cycles, and are freed
    by reference counting before the block ends; other requests' cycles wait until the
    last block ends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self.lock:
            if not self.depth:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if not self.depth and self.was_enabled:
                    gc.enable()


# One collector per process, so one pause.
collector = CollectorPause()


def emptied(items: list[Any]) -> None:
    """Free a long list's items a :data:`CHUNK` at a time, from the end (no item
    moves), in the caller's thread: freed at once, half a million rows (a year's report
    grouped) hold the interpreter lock for tens of milliseconds in one C call."""
    while items:
        del items[-CHUNK:]
