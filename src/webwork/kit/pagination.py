"""Page parameters and SQL-side pagination (LIMIT/OFFSET with a windowed COUNT)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit import db

T = TypeVar("T")
AnySelect = Select[*tuple[Any, ...]]
# Keeps OFFSET within 32 bits whatever per_page is.
MAX_PAGE = 10_000_000


@dataclass(frozen=True)
class PageParams:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Items per page (1..100)")] = 20,
) -> PageParams:
    """Async, because FastAPI runs a plain function dependency in a worker thread."""
    return PageParams(page, per_page)


PageDep = Annotated[PageParams, Depends(page_params)]
# Reports that page by users show 30 members a page unless asked otherwise.
USERS_PER_PAGE = 30


async def users_page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Members per page (1..100)")] = USERS_PER_PAGE,
) -> PageParams:
    return PageParams(page, per_page)


UsersPageDep = Annotated[PageParams, Depends(users_page_params)]


@dataclass(frozen=True)
class Pagination:
    page: int
    per_page: int
    total: int
    count: int

    def as_dict(self) -> dict[str, Any]:
        first = (self.page - 1) * self.per_page + 1
        return {
            "current_page": self.page,
            "last_page": max(1, math.ceil(self.total / self.per_page)),
            "per_page": self.per_page,
            "total": self.total,
            "from": first if self.count else None,
            "to": first + self.count - 1 if self.count else None,
        }


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    pagination: Pagination


@dataclass(frozen=True)
class Paged:
    """A list statement made ready for paging: the page with its total in one query
    (``count(*) OVER ()``, LIMIT and OFFSET as bind parameters), and the count alone for
    a page past the end, which has no row to carry it. Built once where the list
    statement is (see :mod:`webwork.auth.prebuilt`), or per call for a statement whose
    filters change its shape: either way it is read by :func:`fetch_page`, the one way
    a list is paged.

    The statement must select ORM entities (or rows) with a deterministic ORDER BY and
    no DISTINCT (the window counts rows before DISTINCT would remove any)."""

    rows: AnySelect
    count: AnySelect
    one_entity: bool
    columns_only: bool = False  # no ORM entity: rows are read on the connection

    @classmethod
    def of(cls, stmt: AnySelect, *, columns_only: bool = False) -> Paged:
        rows = (
            stmt.add_columns(func.count().over().label("page_total"))
            .limit(bindparam("page_limit", type_=Integer))
            .offset(bindparam("page_offset", type_=Integer))
        )
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
        return cls(rows, count, len(stmt.column_descriptions) == 1, columns_only)


async def fetch_page(
    session: AsyncSession, paged: Paged, params: PageParams, values: dict[str, Any] | None = None
) -> Page[Any]:
    """One page of ``paged`` with its bind parameters ``values``."""
    bound = values or {}
    page_values = {**bound, "page_limit": params.per_page, "page_offset": params.offset}
    if paged.columns_only:
        rows = await db.column_rows(session, paged.rows, page_values)
    else:
        rows = (await session.execute(paged.rows, page_values)).all()
    if rows:
        total = int(rows[0][-1])
    elif params.page > 1:
        total = int(await session.scalar(paged.count, bound) or 0)
    else:
        total = 0
    items = [row[0] for row in rows] if paged.one_entity else [tuple(row[:-1]) for row in rows]
    return Page(items, Pagination(params.page, params.per_page, total, len(items)))
