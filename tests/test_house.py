"""The house rules every domain package follows, so that a new one can copy any other:
four modules (router, service, repository, schemas), SQL only in the repository, the
repository imported as ``repository``, one clock, and every operation of the OpenAPI
document with a camelCase ``operationId``, a summary and a description."""

from __future__ import annotations

import ast
import inspect
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from tests.assertions import ok
from tests.factories import Factory
from webwork.app import create_app
from webwork.config import Settings
from webwork.kit import clock
from webwork.kit.db import UnitOfWorkRoute
from webwork.kit.types import ICON_PATTERN, PATTERN_RULES
from webwork.oauth.rules import URI_PATTERN
from webwork.webhooks.schemas import URL_PATTERN

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "webwork"
DOMAINS = sorted(p.parent for p in PACKAGE.glob("*/router.py"))

SQL_BUILDERS = {"select", "insert", "update", "delete"}
SESSION_QUERIES = {"execute", "get", "scalar", "scalars", "stream", "add", "add_all", "delete", "merge"}
OPERATION_ID = re.compile(r"[a-z]+[A-Za-z0-9]*")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _marked(path: Path, domain: str) -> Any:
    return pytest.param(path, id=str(path.relative_to(PACKAGE)))


def _layer_files() -> list[Any]:
    """Every module of every domain but its repository."""
    paths = sorted(p for domain in DOMAINS for p in domain.glob("*.py") if p.name != "repository.py")
    return [_marked(path, path.parent.name) for path in paths]


def _units() -> list[Any]:
    """Each package of ``webwork`` and each module at its top."""
    units = [p for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()]
    return [_marked(unit, unit.name) for unit in sorted(units)]


def _sql_in(tree: ast.AST) -> list[str]:
    """The sqlalchemy statement builders imported and the session queries called."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found += [f"import {alias.name}" for alias in node.names if alias.name in SQL_BUILDERS]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_QUERIES
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
        ):
            found.append(f"line {node.lineno}: session.{node.func.attr}(...)")
    return found


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_domain_has_the_four_modules(domain: Path) -> None:
    missing = [
        f"{m}.py" for m in ("router", "service", "repository", "schemas") if not (domain / f"{m}.py").exists()
    ]
    assert missing == []


@pytest.mark.parametrize("path", _layer_files())
def test_only_repositories_hold_sql_and_persistence(path: Path) -> None:
    """SQL and persistence (``session.add``/``delete``) live in the domain's repository;
    any other module that builds or runs a statement bypasses the scoping that
    ``readable`` applies there."""
    assert _sql_in(ast.parse(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("unit", _units())
def test_repositories_are_imported_by_their_name_and_time_read_from_one_clock(unit: Path) -> None:
    """``from webwork.x import repository`` (never ``as repo``), and ``clock.utcnow()``
    (never ``from webwork.kit.clock import utcnow``), so that a test freezing
    ``clock.utcnow`` freezes it for every module."""
    offences = []
    for path in [unit] if unit.is_file() else sorted(unit.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("webwork"):
                continue
            # Another domain's repository may be imported under that domain's name.
            allowed = (None, "repository", f"{(node.module or '').rsplit('.', 1)[-1]}_repository")
            for alias in node.names:
                if alias.name == "repository" and alias.asname not in allowed:
                    offences.append(f"{path.name}: {node.module}.repository as {alias.asname}")
                if node.module == "webwork.kit.clock" and alias.name == "utcnow":
                    offences.append(f"{path.name}: from webwork.kit.clock import utcnow")
    assert offences == []


async def test_freezing_the_clock_freezes_every_module(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = await factory.space()
    project = await factory.project(space)
    frozen = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: frozen)
    archived = ok(await space.owner.api.delete(f"/projects/{project.id}", params=space.ws))
    key = ok(await space.owner.api.post("/api-keys", json={"name": "frozen"}), 201)["data"]
    team = ok(await space.owner.api.post("/teams", params=space.ws, json={"name": "Frozen"}), 201)["data"]
    assert archived["meta"]["timestamp"] == "2031-05-06T07:08:09Z"
    assert (
        archived["data"]["deleted_at"]
        == key["created_at"]
        == team["created_at"]
        == "2031-05-06T07:08:09+00:00"
    )


def _operations() -> list[Any]:
    spec = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    params = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                operation = item[method]
                params.append(pytest.param(operation, id=f"{method.upper()} {path}"))
    return params


OPERATIONS = _operations()


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_is_named_summarized_and_described(operation: dict[str, Any]) -> None:
    """Generated clients name their methods after ``operationId``; the hosted
    documentation names its pages the same way (getContracts, updateProject, assignTask)."""
    assert OPERATION_ID.fullmatch(operation.get("operationId", "")), operation.get("operationId")
    assert operation.get("summary"), "no summary"
    assert operation.get("description"), "no description"


def test_operation_ids_are_unique() -> None:
    ids = [param.values[0].get("operationId") for param in OPERATIONS]
    assert len(ids) == len(set(ids))


def _dependencies(dependant: Any) -> list[Any]:
    found = []
    for sub in dependant.dependencies:
        found += [sub.call, *_dependencies(sub)]
    return found


def test_api_routes_run_in_a_unit_of_work_and_depend_on_coroutines_only() -> None:
    """Every API route is mounted as a :class:`UnitOfWorkRoute` (its session, commit
    and rollback come from there), and every dependency is a coroutine function: FastAPI
    runs a plain function in a worker thread, a hop per call on every request."""
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    offences = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
            continue
        if not isinstance(route, UnitOfWorkRoute):
            offences.append(f"{route.path}: not mounted with kit.routes.mount")
        for call in _dependencies(route.dependant):
            target = call.__call__ if not inspect.isroutine(call) else call
            if not inspect.iscoroutinefunction(target):
                offences.append(f"{route.path}: {getattr(call, '__name__', call)!r} is not async")
    assert offences == []


# namedtuple's documented API wears an underscore so as not to clash with field names.
DOCUMENTED_UNDERSCORED = {"_fields", "_asdict", "_replace", "_make", "_field_defaults"}
# Library classes whose documentation invites subclasses, and the one exception: the
# inline SQLite driver's compiler (its module docstring says why and what it relies on).
DOCUMENTED_BASES = {
    "APIRoute",  # FastAPI: custom APIRoute class (route_class)
    "BaseModel",  # pydantic
    "RootModel",  # pydantic: a model of one value (a mapping the document names)
    "BaseSettings",  # pydantic-settings
    "DeclarativeBase",  # SQLAlchemy ORM
    "TypeDecorator",  # SQLAlchemy: augmenting existing types
    "JSONResponse",  # Starlette/FastAPI: custom response classes
    # Authlib: a framework integration implements the request, payload and model mixins
    # and subclasses the server, grants, endpoints and PKCE extension to fill in its hooks.
    "AuthorizationServer",
    "OAuth2Request",
    "OAuth2Payload",
    "ClientMixin",
    "AuthorizationCodeMixin",
    "TokenMixin",
    "AuthorizationCodeGrant",
    "RefreshTokenGrant",
    "ClientCredentialsGrant",
    "RevocationEndpoint",
    "IntrospectionEndpoint",
    "CodeChallenge",
    "Request",  # FastAPI: "Custom Request and APIRoute class" (a Request subclass reading the body)
    "Collector",  # prometheus-client: custom collectors
    "Exception",
    "Generic",
    "IntEnum",
    "StrEnum",
    "NamedTuple",
    "Protocol",
}
EXCEPTIONS = {("kit/sqlite_driver.py", "SQLiteCompiler")}


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in DOCUMENTED_UNDERSCORED


def test_no_private_name_of_a_dependency() -> None:
    """An underscore name read anywhere in src/ is one src/ defines itself; none is
    imported from a library (its next release may change or drop it)."""
    trees = _trees()
    defined: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defined.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                defined.add(node.attr)
            elif isinstance(node, ast.arg):
                defined.add(node.arg)
    found = []
    for path, tree in trees.items():
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in defined:
                found.append(f"{where}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "webwork":
                    continue
                names = [a.name for a in node.names] + node.module.split(".")
                found += [f"{where}:{node.lineno}: {name}" for name in names if _private(name)]
    assert found == []


def test_library_classes_are_subclassed_only_where_documented() -> None:
    ours = {
        node.name for tree in _trees().values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
    }
    found = []
    for path, tree in _trees().items():
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for base in node.bases:
                name = ast.unparse(base).split("[")[0].split(".")[-1]
                if name not in ours and name not in DOCUMENTED_BASES and (where, name) not in EXCEPTIONS:
                    found.append(f"{where}: {node.name}({name})")
    assert found == []


def test_mail_is_sent_after_the_commit_only() -> None:
    """No network I/O inside a transaction: outside the mail kit, a mailer is never
    awaited; services queue their mail with ``kit.mail.send_after_commit``."""
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "kit" / "mail.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "send"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "mailer"
            ):
                offences.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: mailer.send(...)")
    assert offences == []


# What a request's JSON schema may leave unbounded: parsed values (dates, times, enums)
# and the string spelling of a decimal, which max_digits bounds.
PARSED_FORMATS = {"date", "date-time", "time"}
# Patterns of a value's shape, none of which lets a control character through.
SHAPES = (ICON_PATTERN, URI_PATTERN, URL_PATTERN)
INT_MAX = 2**31 - 1
INF = float("inf")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded(spec: dict[str, Any], schema: dict[str, Any], where: str, strings: bool = True) -> list[str]:
    """The places in ``schema`` that take a string without maxLength or that may hold
    control characters (if ``strings``),
    an integer outside PostgreSQL's ``integer`` or without bounds, or a list without
    maxItems."""
    schema = _resolve(spec, schema)
    found: list[str] = []
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    decimal = any(branch.get("type") == "number" for branch in branches)
    for branch in branches:
        if not (decimal and branch.get("type") == "string"):
            found += _unbounded(spec, branch, where, strings)
    kind = schema.get("type")
    if kind == "string" and strings and "enum" not in schema and schema.get("format") not in PARSED_FORMATS:
        if schema.get("maxLength") != 0 and (
            "maxLength" not in schema or schema.get("pattern") not in (*PATTERN_RULES, *SHAPES)
        ):
            found.append(
                f"{where}: a string without maxLength or kit.types' pattern of no control characters"
            )
    elif (
        kind == "integer"
        and not -INT_MAX - 1 <= schema.get("minimum", -INF) <= schema.get("maximum", INF) <= INT_MAX
    ):
        found.append(f"{where}: an integer without minimum and maximum within PostgreSQL's integer")
    elif kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: a list without maxItems")
        found += _unbounded(spec, schema.get("items", {}), f"{where}[]", strings)
    for name, value in schema.get("properties", {}).items():
        found += _unbounded(spec, value, f"{where}.{name}", strings)
    return found


def test_every_request_value_is_bounded() -> None:
    """Each string a request may carry (query parameters and bodies, JSON or form) has a
    maxLength and refuses control characters (the types of ``kit/types.py``), each
    integer (paths too) fits the ``integer`` columns ids and codes are stored in, and
    each list has a maxItems: OpenAPI shows them, and a field added later cannot forget
    them. (Path segments of text name rows and are never stored; the bound on the
    request head bounds them.)"""
    spec = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    found: list[str] = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                strings = parameter["in"] == "query"
                found += _unbounded(spec, parameter["schema"], f"{where} {parameter['name']}", strings)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(spec, media["schema"], f"{where} body")
    assert found == []
