"""``webwork serve --workers N``: the workers share one socket and its connections
evenly, the address is refused when taken, and the supervisor stops cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.test_cli import SOURCE
from webwork import workers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_an_address_in_use_is_refused_even_by_a_reuse_port_server() -> None:
    port = _free_port()
    other = socket.socket()
    if hasattr(socket, "SO_REUSEPORT"):
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(("127.0.0.1", port))
    other.listen()
    try:
        with pytest.raises(OSError):
            workers._listening_socket("127.0.0.1", port)
    finally:
        other.close()


def test_a_worker_takes_the_next_connection_only_while_no_other_holds_fewer() -> None:
    assert workers.takes_next(2, [2, 3], 0, waited=0)
    assert workers.takes_next(3, [3, 3], 1, waited=0)
    assert not workers.takes_next(3, [1, 3], 1, waited=0)
    # a busy or stuck worker does not keep a client waiting past the grace time
    assert workers.takes_next(3, [1, 3], 1, waited=workers.GRACE)
    assert workers.takes_next(7, [7], 0, waited=0)


def _workers_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            children.append(int(entry.name))
    return children


def _sockets_of(pid: int) -> int:
    return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))


@contextmanager
def _serving(tmp_path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``webwork serve --workers 2`` on ``port``, answering; killed if still running after."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")])),
        "WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
    }
    command = [sys.executable, "-m", "webwork.cli", "serve", "--port", str(port), "--workers", "2"]
    output = subprocess.PIPE
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stdout
            time.sleep(0.2)
        yield server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc")
def test_serve_with_two_workers_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    with _serving(tmp_path, _free_port()) as server:
        assert len(_workers_of(server.pid)) == 2
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0


def _spread(port: int, pids: list[int]) -> list[int]:
    """How many of eight new keep-alive connections each worker holds."""
    before = {pid: _sockets_of(pid) for pid in pids}
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(8)]
    try:
        for client in clients:
            assert client.get("/health").status_code == 200
        return sorted(_sockets_of(pid) - before[pid] for pid in pids)
    finally:
        for client in clients:
            client.close()


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc")
def test_two_workers_share_keep_alive_connections_evenly(tmp_path: Path) -> None:
    """Eight connections opened one after another land four in each worker (once both
    workers are up: the first to start takes them all until the other is there)."""
    port = _free_port()
    with _serving(tmp_path, port) as server:
        pids = _workers_of(server.pid)
        deadline = time.monotonic() + 60
        while (held := _spread(port, pids)) != [4, 4] and time.monotonic() < deadline:
            time.sleep(0.5)
    assert held == [4, 4], held


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc")
def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    with _serving(tmp_path, _free_port()) as server:
        pids = _workers_of(server.pid)
        server.kill()
        server.wait()
        deadline = time.monotonic() + 30
        while any(map(_running, pids)) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not [pid for pid in pids if _running(pid)]


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit may wait for a reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _head_answer(port: int, head: bytes) -> bytes:
    """What the server writes back to ``head`` before it closes the connection (or
    stops answering for 30 s). The server may close while the head is still being
    sent: that is a refusal too, and its answer is read all the same."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(head)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                answer += chunk
        return answer


def test_a_request_head_over_64_kilobytes_is_refused_and_the_server_answers_on(tmp_path: Path) -> None:
    """httptools, which uvicorn runs, buffers any head; ``webwork serve`` refuses one
    (request line and headers) over 64 KiB with 431 and closes that connection."""
    port = _free_port()
    with _serving(tmp_path, port):
        big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5_000_000 + b"\r\n\r\n"
        answer = _head_answer(port, big)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b'"error":"request_header_fields_too_large"' in answer, answer
        long_url = b"GET /health?" + b"q" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        assert _head_answer(port, long_url).startswith(b"HTTP/1.1 431 ")
        fits = (
            b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * 60_000 + b"\r\n\r\n"
        )
        assert _head_answer(port, fits).startswith(b"HTTP/1.1 200 ")
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
