"""``webwork serve --workers N``: every worker accepts on a socket of its own, the address
is refused when taken, and the supervisor stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.test_cli import SOURCE
from webwork import workers

pytestmark = pytest.mark.skipif(not workers.reuse_port_supported(), reason="needs SO_REUSEPORT")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_an_address_in_use_is_refused_even_by_another_reuse_port_server() -> None:
    port = _free_port()
    other = workers._listening_socket("127.0.0.1", port)
    other.listen()
    try:
        with pytest.raises(OSError):
            workers._check_free("127.0.0.1", port)
    finally:
        other.close()


def test_workers_share_the_port_each_with_its_own_socket() -> None:
    port = _free_port()
    first, second = (workers._listening_socket("127.0.0.1", port) for _ in range(2))
    try:
        first.listen()
        second.listen()  # a second listener on the same port: the kernel balances them
    finally:
        first.close()
        second.close()


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


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc")
def test_serve_with_two_workers_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
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
        assert len(_workers_of(server.pid)) == 2
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
