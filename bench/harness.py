"""Servers under test, started as an operator starts them, each on a database of its own.

Ours: ``<venv>/bin/webwork db upgrade``, ``webwork bootstrap ... --json`` for the first key,
then ``webwork serve --host 127.0.0.1 --port P`` with ``WEBWORK_DATABASE_URL`` (a SQLite
file in a temporary folder, or a fresh PostgreSQL database created next to ``--pg-url`` and
dropped afterwards) and ``WEBWORK_RATE_LIMIT=off``. ``PYTHONPATH`` starts with this
checkout's ``src`` (or ``--src``) so that the code measured is that one, whatever venv runs it.
The rest of the setup data goes through the API, as a client would create it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

REPO = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")  # an invitation's confirmation code
PROBLEMS = re.compile(r"Traceback|database is locked|deadlock|ERROR|Exception|timeout", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """Which venv runs the servers, whose ``src`` they run, where PostgreSQL databases are made."""

    venv: Path
    pg_url: str
    src: Path = REPO / "src"

    def exe(self, name: str) -> Path:
        return self.venv / "bin" / name


@dataclass
class Database:
    kind: str
    url: str
    folder: Path
    src: Path

    def env(self) -> dict[str, str]:
        path = os.environ.get("PYTHONPATH")
        src = str(self.src)
        return dict(
            os.environ,
            WEBWORK_DATABASE_URL=self.url,
            WEBWORK_RATE_LIMIT="off",
            PYTHONPATH=f"{src}{os.pathsep}{path}" if path else src,
        )


def _admin(pg_url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@contextmanager
def database(kind: str, target: Target) -> Iterator[Database]:
    """A fresh, empty database of ``kind`` ("sqlite" or "postgres"), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="webwork-bench-") as tmp:
        folder = Path(tmp)
        if kind == "sqlite":
            yield Database(kind, f"sqlite+aiosqlite:///{folder / 'bench.db'}", folder, target.src)
            return
        name = f"webwork_bench_{uuid.uuid4().hex[:12]}"
        _admin(target.pg_url, f'CREATE DATABASE "{name}"')
        try:
            url = make_url(target.pg_url).set(database=name).render_as_string(hide_password=False)
            yield Database(kind, url, folder, target.src)
        finally:
            _admin(target.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def webwork(target: Target, db: Database, *args: str) -> str:
    done = subprocess.run(
        [str(target.exe("webwork")), *args], env=db.env(), cwd=db.folder, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"webwork {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(target: Target, db: Database) -> dict[str, Any]:
    """Migrate and bootstrap the owner of one workspace; answers the bootstrap JSON."""
    webwork(target, db, "db", "upgrade")
    out = webwork(
        target,
        db,
        *("bootstrap", "--email", "owner@example.com", "--firstname", "Bench", "--lastname", "Owner"),
        *("--workspace", "Bench", "--json"),
    )
    return json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("{")))


def serves_workers(target: Target, db: Database) -> bool:
    return "--workers" in webwork(target, db, "serve", "--help")


def code_location(target: Target, db: Database) -> str:
    done = subprocess.run(
        [str(target.exe("python")), "-c", "import webwork; print(webwork.__file__)"],
        env=db.env(),
        cwd=db.folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(Path(done.stdout.strip()).parent)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    base: str
    proc: subprocess.Popen[bytes]
    log: Path
    problems: list[str] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"{self.base}/api/v2"

    def collect_problems(self) -> None:
        """Lines of the server's log that tell of errors, locks or timeouts."""
        lines = self.log.read_text(errors="replace").splitlines()
        self.problems = [line for line in lines if PROBLEMS.search(line)]


def _wait_up(server: Server, probe: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(server.base + probe, timeout=2)
            return
        except httpx.HTTPError:
            pass
        if server.proc.poll() is not None:
            break
        time.sleep(0.2)
    tail = server.log.read_text(errors="replace")[-3000:]
    raise SystemExit(f"{server.name} did not start:\n{tail}")


@contextmanager
def running(
    name: str, argv: list[str], env: dict[str, str], cwd: Path, probe: str, bind: list[str] | None = None
) -> Iterator[Server]:
    """``argv`` serving on a free port: ``--host 127.0.0.1 --port P`` follow it, or
    ``bind`` with ``{port}`` filled in for a server spelled otherwise."""
    port = free_port()
    log = cwd / f"{name}.log"
    address = ["--host", "127.0.0.1", "--port", "{port}"] if bind is None else bind
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*argv, *(arg.format(port=port) for arg in address)], env=env, cwd=cwd, stdout=out, stderr=out
        )
    server = Server(name, f"http://127.0.0.1:{port}", proc, log)
    try:
        _wait_up(server, probe)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server.collect_problems()


SERVERS = ("uvicorn", "gunicorn", "granian")
WEBWORK_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"default": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "loggers": {"webwork": {"handlers": ["default"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["default"], "level": "WARNING"},
}
APP_FACTORY = "webwork.app:create_app"


@contextmanager
def ours(
    target: Target, db: Database, workers: int | None = None, server: str = "uvicorn"
) -> Iterator[Server]:
    """Our app as ``webwork serve`` runs it (uvicorn and its supervisor), or the same
    app factory under gunicorn with uvicorn-worker, or under granian (the supervisors
    compared in bench/README.md; ``make bench`` installs both)."""
    count = str(workers or 1)
    bind = None
    # The seeding reads confirmation codes from the `webwork.mail` log, which `webwork
    # serve` configures; the other servers get the same logger from a file.
    log_config = db.folder / "logging.json"
    log_config.write_text(json.dumps(WEBWORK_LOGGING))
    if server == "uvicorn":
        argv = [str(target.exe("webwork")), "serve", "--no-migrate"]
        if workers is not None:
            argv += ["--workers", count]
    elif server == "gunicorn":
        argv = [str(target.exe("gunicorn")), "-k", "uvicorn_worker.UvicornWorker", "-w", count]
        argv += ["--log-config-json", str(log_config), f"{APP_FACTORY}()"]
        bind = ["--bind", "127.0.0.1:{port}"]
    else:
        argv = [str(target.exe("granian")), "--interface", "asgi", "--factory", "--workers", count]
        argv += ["--log-config", str(log_config), APP_FACTORY]
    with running("ours", argv, db.env(), db.folder, "/openapi.json", bind) as served:
        yield served


@contextmanager
def ceiling(target: Target, db: Database) -> Iterator[Server]:
    """bench/ceiling.py under uvicorn on ``db`` (already migrated and bootstrapped)."""
    path = make_url(db.url).database or ""
    env = dict(db.env(), CEILING_DATABASE=path)
    argv = [str(target.exe("uvicorn")), "bench.ceiling:app", "--app-dir", str(REPO), "--log-level", "warning"]
    with running("ceiling", argv, env, db.folder, "/") as server:
        yield server


class Api:
    """Setup calls through the API; any answer other than 2xx stops the benchmark."""

    def __init__(self, base: str, key: str | None, workspace_id: int) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(base_url=base, headers=headers, timeout=60)
        self.workspace_id = workspace_id

    def answer(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        params = {"workspace_id": self.workspace_id}
        response = self.client.request(method, path, params=params, json=body)
        if response.status_code >= 300:
            raise SystemExit(f"setup {method} {path}: {response.status_code} {response.text[:500]}")
        return response.status_code, response.json()["data"]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.answer(method, path, body)[1]


@dataclass
class Workspace:
    """What the load needs to know about the seeded workspace."""

    id: int
    owner_id: int
    owner_key: str
    manager_key: str
    member_ids: list[int]
    contract_ids: list[int]
    project_ids: list[int]


def _mailed_code(server: Server, email: str) -> str:
    """The confirmation code of the last mail to ``email``, from the log mail backend."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        text = server.log.read_text(errors="replace")
        at = text.rfind(f" to {email}")
        found = CODE.search(text, at) if at >= 0 else None
        if found:
            return found.group()
        time.sleep(0.1)
    raise SystemExit(f"no confirmation code mailed to {email} in {server.log}")


def _invite(owner: Api, server: Server, email: str, role: str) -> tuple[int, str]:
    """Invite through ``POST /members`` and accept the link as the new person would: where
    accepting mails a confirmation code first (202), the code is read from the mail log."""
    invited = owner.call(
        "POST", "/members", {"email": email, "firstname": "Bench", "lastname": role, "role": role}
    )
    accept = f"/invitations/{invited['invitation_link'].rsplit('/', 1)[1]}/accept"
    public = Api(server.api, None, owner.workspace_id)
    status, accepted = public.answer("POST", accept)
    if status == 202:
        accepted = public.call("POST", accept, {"code": _mailed_code(server, email)})
    return int(accepted["user_id"]), str(accepted["api_key"])


def seed(server: Server, boot: dict[str, Any], *, members: int, projects: int) -> Workspace:
    """Projects, an executive manager (who drives the load), members with a contract each
    (the owner gets one too: the peer workload records the owner's own time)."""
    ws, owner_id = int(boot["workspace_id"]), int(boot["user_id"])
    owner = Api(server.api, boot["api_key"], ws)
    project_ids = [
        int(owner.call("POST", "/projects", {"name": f"Bench {i}"})["id"]) for i in range(projects)
    ]
    _, manager_key = _invite(owner, server, "manager@example.com", "executive_manager")
    member_ids = [_invite(owner, server, f"member{i}@example.com", "member")[0] for i in range(members)]
    contract_ids = [
        int(owner.call("POST", "/contracts", {"project_id": project_ids[i % projects], "user_id": uid})["id"])
        for i, uid in enumerate([owner_id, *member_ids])
    ]
    return Workspace(
        ws, owner_id, boot["api_key"], manager_key, [owner_id, *member_ids], contract_ids, project_ids
    )


def seed_ceiling(db: Database, boot: dict[str, Any]) -> Workspace:
    """The ceiling has no setup API: one project and the owner's contract, inserted directly."""
    from webwork.models import Contract, Project

    ws, owner_id = int(boot["workspace_id"]), int(boot["user_id"])
    engine = create_engine(make_url(db.url).set(drivername="sqlite"))
    try:
        with engine.begin() as conn:
            project = conn.execute(
                insert(Project)
                .values(workspace_id=ws, name="Bench 0", owner_id=owner_id)
                .returning(Project.id)
            ).scalar_one()
            contract = conn.execute(
                insert(Contract)
                .values(workspace_id=ws, project_id=project, user_id=owner_id)
                .returning(Contract.id)
            ).scalar_one()
    finally:
        engine.dispose()
    return Workspace(ws, owner_id, boot["api_key"], boot["api_key"], [owner_id], [contract], [project])
