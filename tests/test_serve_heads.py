"""``webwork serve`` bounds each request's head (request line and headers) at 64 KiB:
httptools, which uvicorn runs, would read a head of any size (``webwork/protocol.py``)."""

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

from tests.test_cli import SOURCE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _serving(
    tmp_path: Path, port: int, extra_env: dict[str, str] | None = None, database: str = "serve.db"
) -> Iterator[None]:
    """``webwork serve`` on ``port`` as an operator starts it, answering; stopped after."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")])),
        "WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / database}",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "webwork.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 90
        while not _answers(port):
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.2)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _answer(port: int, request: bytes) -> bytes:
    """What the server writes back to ``request`` before it closes the connection (or
    stops answering for 30 s). The server may close while the request is still being
    sent: that is a refusal too, and its answer is read all the same."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(request)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                answer += chunk
        return answer


def test_a_head_over_64_kilobytes_is_refused_and_the_server_answers_on(tmp_path: Path) -> None:
    port = _free_port()
    with _serving(tmp_path, port):
        header = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5_000_000 + b"\r\n\r\n"
        answer = _answer(port, header)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b'"error":"request_header_fields_too_large"' in answer, answer
        url = b"GET /health?" + b"q" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        assert _answer(port, url).startswith(b"HTTP/1.1 431 ")
        fits = (
            b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * 60_000 + b"\r\n\r\n"
        )
        assert _answer(port, fits).startswith(b"HTTP/1.1 200 ")
        assert _answers(port)
