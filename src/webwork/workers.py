"""``webwork serve --workers N``: N uvicorn processes, each accepting connections on a
listening socket of its own.

uvicorn's multi-process mode shares one listening socket among its workers: the worker
that wakes first accepts, so a client's keep-alive connections (which API clients and
connectors keep) all land in one process while the others idle, and a second worker
added no throughput. With ``SO_REUSEPORT`` every worker listens on its own socket and
the kernel spreads new connections evenly over them.

The supervisor starts the workers, starts a worker again when one dies, stops everything
when one cannot start (the app or the address is broken, and would be on every restart),
and stops the workers on SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

log = logging.getLogger("uvicorn.error")

# The exit code of a worker whose server never started (uvicorn's own, for the same case).
STARTUP_FAILURE = 3


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _bound(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _listening_socket(host: str, port: int) -> socket.socket:
    return _bound(host, port, reuse_port=True)


def _check_free(host: str, port: int) -> socket.socket:
    """Fail (``OSError``) when something else holds the address, even another server
    that also uses ``SO_REUSEPORT`` (which would otherwise share it silently); then keep
    a bound, never listening socket in the port's group until the workers stop."""
    _bound(host, port, reuse_port=False).close()
    return _listening_socket(host, port)


def _work(options: dict[str, Any]) -> None:
    """One worker process: its own socket, one uvicorn server."""
    config = uvicorn.Config(**options)
    server = uvicorn.Server(config)
    server.run(sockets=[_listening_socket(config.host, config.port)])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def run(options: dict[str, Any], workers: int) -> None:
    """Serve ``options`` (``uvicorn.Config`` keywords) with ``workers`` processes."""
    uvicorn.Config(**options)  # checks the options and sets up this process's logging
    guard = _check_free(options["host"], options["port"])
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start() -> BaseProcess:
        process = context.Process(target=_work, args=(options,))
        process.start()
        return process

    running = [start() for _ in range(workers)]
    log.info("Started %d workers, each accepting on its own socket (SO_REUSEPORT)", workers)
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
                running[index] = start()
    finally:
        for process in running:
            if process.is_alive():
                process.terminate()
        for process in running:
            process.join(30)
            if process.is_alive():
                process.kill()
        guard.close()
    if any(process.exitcode == STARTUP_FAILURE for process in running):
        sys.exit(1)
