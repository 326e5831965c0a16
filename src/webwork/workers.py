"""``webwork serve --workers N``: N uvicorn processes on one listening socket, each
accepting a new connection only while it holds no more connections than the others.

API clients and connectors keep their connections alive, so a process's share of the
work is its share of the connections, fixed when they are opened. uvicorn's workers
accept on one shared socket as fast as they can: the worker that wakes first takes a
whole burst of new connections, and the others idle. Per-worker ``SO_REUSEPORT`` sockets
spread connections by a hash of the client's address: eight connections land 4:4 only
about one time in four, 6:2 or worse one time in three, and the busier worker then sets
the pace. Here the workers publish how many connections each holds (one shared array),
and a worker that holds more than the least loaded one leaves a waiting connection to
it, for at most :data:`GRACE` seconds (a busy or stuck worker never keeps a client
waiting longer than that).

The supervisor binds the socket (an address in use is refused then), starts the workers,
starts a worker again when one dies, stops everything when one cannot start (the app or
its settings are broken, and would be on every restart), and stops the workers on SIGINT
or SIGTERM."""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import MutableSequence
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

log = logging.getLogger("uvicorn.error")

# The exit code of a worker whose server never started (uvicorn's own, for the same case).
STARTUP_FAILURE = 3
BACKLOG = 2048
# How long a worker with more connections than another leaves a new one to it; and how
# often, meanwhile, it looks again whether the connection was taken.
GRACE = 0.005
RETRY = 0.001


def takes_next(mine: int, loads: MutableSequence[int], index: int, waited: float) -> bool:
    """Whether worker ``index``, holding ``mine`` connections, accepts the next one."""
    others = [load for position, load in enumerate(loads) if position != index]
    return not others or mine <= min(others) or waited >= GRACE


class FairAcceptor:
    """Accepts the connections of a shared listening socket for one worker, one at a
    time, while :func:`takes_next` says it is this worker's turn."""

    def __init__(
        self,
        sock: socket.socket,
        protocol: Any,
        connections: set[Any],
        loads: MutableSequence[int],
        index: int,
    ) -> None:
        self._sock = sock
        self._protocol = protocol
        self._connections = connections
        self._loads = loads
        self._index = index
        self._loop = asyncio.get_running_loop()
        self._deferred_since: float | None = None  # since when a waiting one is left
        self._listening_since = 0.0
        self._retry: asyncio.TimerHandle | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self._closed = False
        loads[index] = 0
        self._loop.add_reader(sock.fileno(), self._on_pending)

    def _on_pending(self) -> None:
        mine = len(self._connections) + len(self._pending)
        self._loads[self._index] = mine
        now = time.monotonic()
        if self._deferred_since is not None and now - self._listening_since > GRACE:
            # Not the connection left before (the socket would have woken us right
            # after we looked again): another worker took that one; this one is new.
            self._deferred_since = None
        waited = 0.0 if self._deferred_since is None else now - self._deferred_since
        if not takes_next(mine, self._loads, self._index, waited):
            if self._deferred_since is None:
                self._deferred_since = now
            self._loop.remove_reader(self._sock.fileno())
            self._retry = self._loop.call_later(RETRY, self._listen_again)
            return
        self._deferred_since = None
        try:
            connection, _ = self._sock.accept()
        except (BlockingIOError, InterruptedError):
            return  # another worker took it
        except OSError:
            log.exception("accept failed")
            return
        connection.setblocking(False)
        task = self._loop.create_task(self._loop.connect_accepted_socket(self._protocol, connection))
        self._pending.add(task)
        task.add_done_callback(self._connected)
        self._loads[self._index] = mine + 1

    def _connected(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a connection failed before its first request: %s", task.exception())

    def _listen_again(self) -> None:
        self._retry = None
        if not self._closed:
            self._listening_since = time.monotonic()
            self._loop.add_reader(self._sock.fileno(), self._on_pending)

    def close(self) -> None:
        self._closed = True
        if self._retry is not None:
            self._retry.cancel()
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()


class FairServer(uvicorn.Server):
    """A uvicorn server whose connections come from a :class:`FairAcceptor`."""

    def __init__(
        self, config: uvicorn.Config, sock: socket.socket, loads: MutableSequence[int], index: int
    ) -> None:
        super().__init__(config)
        self._sock = sock
        self._loads = loads
        self._index = index
        self._acceptor: FairAcceptor | None = None
        self._parent = os.getppid()

    async def on_tick(self, counter: int) -> bool:
        """Stop with the supervisor: a worker whose supervisor was killed would go on
        holding the address, answering with no one to restart or stop it."""
        if counter % 10 == 0 and os.getppid() != self._parent:
            self.should_exit = True
        return await super().on_tick(counter)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the lifespan; no asyncio server of uvicorn's
        config = self.config
        protocol_class: Any = config.http_protocol_class  # takes uvicorn's own keywords
        protocol = functools.partial(
            protocol_class,
            config=config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        self._sock.setblocking(False)
        self._acceptor = FairAcceptor(
            self._sock, protocol, self.server_state.connections, self._loads, self._index
        )

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
        await super().shutdown(sockets)


def _work(options: dict[str, Any], sock: socket.socket, loads: MutableSequence[int], index: int) -> None:
    """One worker process: one uvicorn server on the shared socket."""
    server = FairServer(uvicorn.Config(**options), sock, loads, index)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def run(options: dict[str, Any], workers: int) -> None:
    """Serve ``options`` (``uvicorn.Config`` keywords) with ``workers`` processes."""
    uvicorn.Config(**options)  # checks the options and sets up this process's logging
    sock = _listening_socket(options["host"], options["port"])
    context = multiprocessing.get_context("spawn")
    loads = context.Array("i", workers, lock=False)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start(index: int) -> BaseProcess:
        process = context.Process(target=_work, args=(options, sock, loads, index))
        process.start()
        return process

    running = [start(index) for index in range(workers)]
    log.info(
        "Serving on http://%s:%d with %d workers, sharing connections evenly",
        options["host"],
        options["port"],
        workers,
    )
    try:
        while not stop.wait(0.5):
            for index, process in enumerate(running):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("Worker [%s] could not start; stopping.", process.pid)
                    stop.set()
                    break
                if process.exitcode == 0:  # told to stop (Ctrl-C reaches the whole group)
                    stop.set()
                    break
                log.warning(
                    "Worker [%s] died (exit code %s); starting another.", process.pid, process.exitcode
                )
                running[index] = start(index)
    finally:
        for process in running:
            if process.is_alive():
                process.terminate()
        for process in running:
            process.join(30)
            if process.is_alive():
                process.kill()
        sock.close()
    if any(process.exitcode == STARTUP_FAILURE for process in running):
        sys.exit(1)
