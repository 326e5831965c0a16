"""The ``webwork`` command: serve the API, run the worker, migrate the database, bootstrap users."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork import __version__
from webwork.auth.roles import ROLE_HELP, ROLE_INVALID, parse_role
from webwork.config import Settings, describe, get_settings, masked
from webwork.kit.db import Database
from webwork.kit.errors import ApiError

# Plain help (no rich markup): docstrings' paragraphs are rewrapped to the terminal.
app = typer.Typer(
    help="WebWork Time Tracker API server.", no_args_is_help=True, add_completion=False, rich_markup_mode=None
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"webwork {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")
    ] = False,
) -> None:
    """WebWork Time Tracker API server."""


db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")

T = TypeVar("T")
EXIT_BAD_SETTINGS = 2


def _settings() -> Settings:
    """Every command starts here: a bad value stops it with one line per value, before a
    server starts or a database is touched (``--help`` still works with bad values)."""
    try:
        return get_settings()
    except ValidationError as exc:
        for line in describe(exc):
            typer.echo(line, err=True)
        raise typer.Exit(EXIT_BAD_SETTINGS) from None


EXIT_NO_DATABASE = 3
EXIT_BAD_INPUT = 2


@contextmanager
def _database_answers(url: str) -> Iterator[None]:
    """A database that cannot be reached stops the command with one line naming it
    (password masked) and the driver's reason, not a traceback."""
    try:
        yield
    except (OSError, DBAPIError, TimeoutError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        typer.echo(f"Database {masked(url)} does not answer: {reason}", err=True)
        raise typer.Exit(EXIT_NO_DATABASE) from None


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database.from_url(url)
        try:
            async with database.sessionmaker() as session, session.begin():
                return await work(session)
        finally:
            await database.dispose()

    url = _settings().database_url
    with _database_answers(url):
        return asyncio.run(run())


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations up to REVISION (default: the latest), and say where the
    database was and is."""
    from alembic import command

    _migrate(command.upgrade, revision, "Upgraded")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Revision to go back to ('base': none)")],
) -> None:
    """Undo the migrations after REVISION, and say where the database was and is."""
    from alembic import command

    _migrate(command.downgrade, revision, "Downgraded")


@db_app.command("current")
def db_current() -> None:
    """Say which migration the database is at and whether it is the latest."""
    from webwork.migrations import current_revision, head_revision

    url = _settings().database_url
    with _database_answers(url):
        current, head = current_revision(url), head_revision()
    typer.echo(f"{_named(current)}{' (latest)' if current == head else f'; the latest is {head}'}")


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="The new backup file")]) -> None:
    """Copy the whole database to PATH, consistent while the server keeps writing
    (SQLite: the online backup API; PostgreSQL: pg_dump's custom format)."""
    from webwork.backups import backup as run_backup

    _say_or_stop(run_backup, path)


@app.command()
def restore(path: Annotated[Path, typer.Argument(help="A file made by `webwork backup`")]) -> None:
    """Put a backup made by `webwork backup` into the (empty) database the settings name."""
    from webwork.backups import restore as run_restore

    _say_or_stop(run_restore, path)


def _say_or_stop(step: Callable[[str, Path], str], path: Path) -> None:
    from webwork.backups import BackupError

    try:
        typer.echo(step(_settings().database_url, path))
    except (BackupError, sqlite3.Error) as exc:
        typer.echo(f"{exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def check() -> None:
    """Say which database and Redis the settings name, whether they answer and whether
    the schema is at the latest migration; exit 0 only when all is well (1 otherwise)."""
    from webwork.checks import run_checks

    findings = asyncio.run(run_checks(_settings()))
    for finding in findings:
        typer.echo(("ok    " if finding.ok else "FAIL  ") + finding.line)
    if not all(finding.ok for finding in findings):
        raise typer.Exit(1)


def _migrate(step: Callable[[Any, str], None], revision: str, verb: str) -> None:
    from webwork.migrations import alembic_config, current_revision

    url = _settings().database_url
    with _database_answers(url):
        before = current_revision(url)
        step(alembic_config(url), revision)
        after = current_revision(url)
    said = (
        f"{verb} from {_named(before)} to {_named(after)}."
        if after != before
        else f"Already at {_named(after)}."
    )
    typer.echo(said, err=True)


def _named(revision: str | None) -> str:
    return revision or "an empty schema (no migration applied)"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (WEBWORK_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (WEBWORK_PORT)", min=1, max=65535)] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before serving")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes (WEBWORK_WORKERS, default 1); more than one needs PostgreSQL",
        ),
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(
            help="Also run the webhook and mail worker in the server's processes "
            "(--no-worker: `webwork worker` runs it apart; WEBWORK_SERVE_WORKER)"
        ),
    ] = True,
) -> None:
    """Serve the API (uvicorn), migrating the database first.

    One process, or N under uvicorn's own supervisor, which restarts a worker that dies
    or stops answering its health check. Every process is stateless: the database (and
    Redis, for rate limits) holds what they share."""
    import uvicorn

    from webwork.protocol import BoundedHeadProtocol

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    count = 1 if reload else (workers or settings.workers)
    _check_processes(settings, count)
    # The app uvicorn builds (in reload and worker processes too) reads its settings
    # from the environment: links then default to the address served here.
    os.environ["WEBWORK_HOST"], os.environ["WEBWORK_PORT"] = host, str(port)
    os.environ["WEBWORK_SERVE_WORKER"] = str(worker and settings.serve_worker).lower()
    get_settings.cache_clear()
    if settings.mail_backend == "log":
        typer.echo(
            "Mail backend 'log': invitations and confirmation codes are written to the log, "
            "not sent (set WEBWORK_MAIL_BACKEND=smtp to send them).",
            err=True,
        )
    if not (worker and settings.serve_worker):
        typer.echo(
            "No worker in this server (--no-worker): webhook events and mail wait in the outbox "
            "until `webwork worker` sends them.",
            err=True,
        )
    if migrate:
        db_upgrade()
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the
    # handler it found: this one, so that a stop asked for is an exit status of 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.run(
        app="webwork.app:create_app",
        factory=True,
        host=host,
        port=port,
        # Forwarded headers are read by the app, and only from WEBWORK_TRUSTED_PROXIES
        # (kit/proxies.py); uvicorn's own reading would trust X-Forwarded-For from
        # 127.0.0.1 (its FORWARDED_ALLOW_IPS default), whoever sends it.
        proxy_headers=False,
        # httptools' protocol, with a bound on request heads (webwork/protocol.py)
        http=BoundedHeadProtocol,
        # The app writes its own JSON line per request (WEBWORK_ACCESS_LOG, kit/observe.py).
        access_log=False,
        log_config=_log_config(),
        reload=reload,
        workers=count if count > 1 else None,
        # SIGTERM: stop accepting, let the requests in flight finish, then exit 0.
        timeout_graceful_shutdown=settings.shutdown_grace,
    )


def _check_processes(settings: Settings, count: int) -> None:
    """More than one process: SQLite has one writer and this server queues its writers
    in process, so several processes are PostgreSQL's; rate limits counted per process
    would multiply by the count, so they are shared through Redis; the pages' sessions
    need one signing key for every process."""
    if count == 1:
        return
    if settings.database_url.startswith("sqlite"):
        _refuse(
            f"--workers {count}: SQLite is served by one process; "
            "set WEBWORK_DATABASE_URL to PostgreSQL to run several."
        )
    if settings.rate_limit != "off" and settings.redis_url is None:
        _refuse(
            f"--workers {count}: rate limits need WEBWORK_REDIS_URL to be shared by the processes "
            "(or WEBWORK_RATE_LIMIT=off)."
        )
    if settings.secret_key is None:
        # A warning, not a refusal: the API works without it; only the pages' sign-in
        # sessions break, each process signing with a random key of its own.
        typer.echo(
            f"--workers {count}: WEBWORK_SECRET_KEY is not set, so each process signs the sign-in "
            "pages' sessions with its own random key and a sign-in works only by chance; set it.",
            err=True,
        )


def _refuse(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(EXIT_BAD_SETTINGS)


def _log_config() -> dict[str, Any]:
    """uvicorn's logging plus our ``webwork`` loggers at INFO: the log mail backend
    writes there, and a developer reads invitation codes from it; the access log's JSON
    lines go to standard output unprefixed."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["webwork"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    # The access log's lines are JSON already: written as they are, one per line.
    config["formatters"]["json_lines"] = {"format": "%(message)s"}
    config["handlers"]["access_json"] = {
        "formatter": "json_lines",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["webwork.access"] = {"handlers": ["access_json"], "level": "INFO", "propagate": False}
    return config


def _program() -> str:
    """How to name this command in what we print: as it was run (`make run` runs
    .venv/bin/webwork), or the virtualenv's script when run as a module."""
    return sys.argv[0] if Path(sys.argv[0]).name == "webwork" else ".venv/bin/webwork"


@app.command("worker")
def run_worker(
    once: Annotated[bool, typer.Option(help="Send what is due now, then exit")] = False,
) -> None:
    """Deliver webhook events and mail from the outbox until stopped (SIGTERM or Ctrl-C
    finish the deliveries in flight first). On PostgreSQL any number may run, beside
    `serve --no-worker`; on SQLite run one (or let `serve` run it)."""
    import logging.config

    from webwork.kit.mail import mailer_from
    from webwork.webhooks.worker import Worker

    settings = _settings()
    logging.config.dictConfig(_log_config())

    async def run() -> None:
        database = Database.from_url(settings.database_url)
        worker = Worker(database, settings, mailer_from(settings))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop_signal, stop.set)
        try:
            await (worker.drain() if once else worker.run(stop))
        finally:
            await worker.aclose()
            await database.dispose()

    with _database_answers(settings.database_url):
        asyncio.run(run())


@app.command()
def bootstrap(
    email: Annotated[str, typer.Option(help="The user's email (created if missing)")],
    firstname: Annotated[str, typer.Option(help="First name for a new user")] = "",
    lastname: Annotated[str, typer.Option(help="Last name for a new user")] = "",
    workspace: Annotated[
        str | None, typer.Option(help="Create a workspace with this name, owned by the user")
    ] = None,
    workspace_id: Annotated[
        int | None, typer.Option("--workspace-id", help="Add the user to this workspace")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            help="Role with --workspace-id (default: member for a new membership; an existing one "
            "keeps its role): " + ROLE_HELP
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="WEBWORK_BOOTSTRAP_PASSWORD",
            help="Set the user's password (8 to 256 characters; for OAuth sign-in and the web pages)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout")] = False,
) -> None:
    """Create a user, a workspace or membership, and a new API key (printed once).

    Says what it did (on stderr with --json). An existing membership keeps its role
    unless --role is given, and its status always."""
    from webwork.bootstrap import bootstrap as run_bootstrap

    _settings()
    if (workspace is None) == (workspace_id is None):
        raise typer.BadParameter("give exactly one of --workspace or --workspace-id")
    parsed = None if role is None else parse_role(role)
    if role is not None and parsed is None:
        raise typer.BadParameter(ROLE_INVALID)
    try:
        result = _in_transaction(
            lambda s: run_bootstrap(
                s,
                email=email,
                firstname=firstname,
                lastname=lastname,
                workspace_name=workspace,
                workspace_id=workspace_id,
                role=parsed,
                password=password,
            )
        )
    except ApiError as exc:
        typer.echo(_said(exc), err=True)
        raise typer.Exit(1) from exc
    for change in result.changes:
        typer.echo(change, err=as_json)
    payload = {"user_id": result.user_id, "workspace_id": result.workspace_id, "api_key": result.api_key}
    if as_json:
        typer.echo(json.dumps(payload))
    else:
        typer.echo(
            f"user {result.user_id} in workspace {result.workspace_id}; "
            f"API key (shown once): {result.api_key}"
        )


def _said(error: ApiError) -> str:
    """An error as one line: its message, and the message of each field it names."""
    fields = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in (error.errors or {}).items())
    return f"{error.message} ({fields})" if fields else error.message


oauth_app = typer.Typer(help="OAuth apps (clients).", no_args_is_help=True)
app.add_typer(oauth_app, name="oauth-client")


@oauth_app.command("create")
def oauth_client_create(
    workspace_id: Annotated[int, typer.Option("--workspace-id", help="The workspace the app belongs to")],
    name: Annotated[str, typer.Option(help="The app's name, shown on the consent page")],
    redirect_uri: Annotated[
        list[str], typer.Option("--redirect-uri", help="Where codes may be sent (repeat for several)")
    ],
    public: Annotated[
        bool,
        typer.Option(
            "--public/--confidential",
            help="Public: no secret, PKCE mandatory (browser and native apps); confidential: a secret",
        ),
    ],
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope the app may ask for (repeat; default: every scope)"),
    ] = None,
    client_credentials: Annotated[
        bool,
        typer.Option("--client-credentials", help="Also allow client_credentials (confidential apps only)"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout")] = False,
) -> None:
    """Register an OAuth app in a workspace and print its client_id and secret (shown
    once; none for a public app)."""
    from webwork.oauth import service
    from webwork.oauth.schemas import OAuthClientCreate

    _settings()
    grants = [*service.DEFAULT_GRANTS, *([service.CLIENT_CREDENTIALS] if client_credentials else [])]
    try:
        data = OAuthClientCreate(
            name=name,
            redirect_uris=redirect_uri,
            client_type="public" if public else "confidential",
            scopes=scope or None,
            grant_types=grants,
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            field = ".".join(str(part) for part in error["loc"])
            typer.echo(f"{field}: {str(error['msg']).removeprefix('Value error, ')}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None

    async def work(session: AsyncSession) -> service.Registered:
        if not await service.workspace_exists(session, workspace_id):
            raise ApiError(f"No active workspace {workspace_id}.")
        return await service.register(session, workspace_id, None, data)

    try:
        registered = _in_transaction(work)
    except ApiError as exc:
        typer.echo(_said(exc), err=True)
        raise typer.Exit(1) from exc
    payload = {"client_id": registered.client.client_id, "client_secret": registered.secret}
    if as_json:
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"OAuth app {name!r} in workspace {workspace_id}: client_id {payload['client_id']}")
    if registered.secret is not None:
        typer.echo(f"client_secret (shown once): {registered.secret}")


@app.command()
def demo() -> None:
    """On an empty database: create a demo owner, workspace and API key, and print the key."""
    from webwork.bootstrap import bootstrap as run_bootstrap
    from webwork.bootstrap import has_users, key_hint

    settings = _settings()

    async def work(session: AsyncSession) -> tuple[bool, str]:
        if await has_users(session):
            return False, await key_hint(session)
        result = await run_bootstrap(
            session,
            email="owner@example.com",
            firstname="Demo",
            lastname="Owner",
            workspace_name="Demo workspace",
        )
        return True, f"workspace_id={result.workspace_id} api_key={result.api_key}"

    created, text = _in_transaction(work)
    if not created:
        typer.echo("Database already has users; no demo data created. To get a new API key:")
        typer.echo(f"  {_program()} {text}")
        return
    typer.echo("Created demo owner owner@example.com. Keep this API key, it is shown only once:")
    typer.echo(f"  {text}")
    key = text.rsplit("api_key=", 1)[1]
    typer.echo(f"Try: curl -H 'Authorization: Bearer {key}' {settings.public_address()}/api/v2/workspaces")


if __name__ == "__main__":  # pragma: no cover
    app()
