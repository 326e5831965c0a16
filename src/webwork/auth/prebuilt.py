"""Statements built once per role, bound to the actor on each call.

Building a SQLAlchemy statement (``select``, ``where``, the visibility subqueries of
:mod:`webwork.auth.visibility`) costs more than SQLite takes to run it, and hot paths run
theirs on every request. What a statement depends on is the actor's role (which rows a
role sees has a different shape per role) and values (workspace, user id, the ids of the
request); the shape is built once, the values are bind parameters.

A repository declares ``_DAY = PerRole(lambda viewer: readable(viewer).where(...))``
with ``bindparam("...")`` for its own values, and runs ``_DAY(actor)`` with
``{**viewer_params(actor), ...}``. ``readable`` and the visibility functions take any
:class:`Scope`: the actor itself (values inline) or a :class:`Viewer` (placeholders)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Integer, bindparam

from webwork.auth.roles import ADMINS, Role

S = TypeVar("S")


class Scope(Protocol):
    """Who reads, as far as which rows they see is concerned."""

    @property
    def role(self) -> Role: ...

    @property
    def workspace_id(self) -> int | ColumnElement[int]: ...

    @property
    def user_id(self) -> int | ColumnElement[int]: ...

    @property
    def is_admin(self) -> bool: ...


_WORKSPACE_ID: BindParameter[int] = bindparam("viewer_workspace_id", type_=Integer)
_USER_ID: BindParameter[int] = bindparam("viewer_user_id", type_=Integer)


class Viewer:
    """A role with its workspace and user id left as bind parameters."""

    __slots__ = ("_role",)

    def __init__(self, role: Role) -> None:
        self._role = role

    @property
    def role(self) -> Role:
        return self._role

    @property
    def workspace_id(self) -> BindParameter[int]:
        return _WORKSPACE_ID

    @property
    def user_id(self) -> BindParameter[int]:
        return _USER_ID

    @property
    def is_admin(self) -> bool:
        return self._role in ADMINS


VIEWERS = {role: Viewer(role) for role in Role}


class Actorlike(Protocol):
    @property
    def role(self) -> Role: ...

    @property
    def workspace_id(self) -> int: ...

    @property
    def user_id(self) -> int: ...


def viewer_params(actor: Actorlike) -> dict[str, Any]:
    """The values of a :class:`Viewer`'s placeholders for ``actor``."""
    return {"viewer_workspace_id": actor.workspace_id, "viewer_user_id": actor.user_id}


class PerRole(Generic[S]):
    """``build(viewer, *shape)`` run once for each role and shape (optional filters
    that add conditions, say), then served from memory."""

    def __init__(self, build: Callable[..., S]) -> None:
        self._build = build
        self._built: dict[tuple[Hashable, ...], S] = {}

    def __call__(self, actor: Actorlike, *shape: Hashable) -> S:
        key = (actor.role, *shape)
        try:
            return self._built[key]
        except KeyError:
            built = self._built[key] = self._build(VIEWERS[actor.role], *shape)
            return built
