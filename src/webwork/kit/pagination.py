"""Page parameters and SQL-side pagination (LIMIT/OFFSET with a windowed COUNT)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Items per page (1..100)")] = 20,
) -> PageParams:
    return PageParams(page, per_page)


PageDep = Annotated[PageParams, Depends(page_params)]


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


async def paginate(session: AsyncSession, stmt: AnySelect, params: PageParams) -> Page[Any]:
    """One query for the page and its total (``count(*) OVER ()``), whatever the page
    size; a second one only for a page past the end, which has no row to carry it.

    ``stmt`` must select ORM entities (or rows) with a deterministic ORDER BY and no
    DISTINCT (the window counts rows before DISTINCT would remove any)."""
    windowed = stmt.add_columns(func.count().over().label("page_total"))
    rows = (await session.execute(windowed.limit(params.per_page).offset(params.offset))).all()
    if rows:
        total = int(rows[0][-1])
    elif params.page > 1:
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        total = int(await session.scalar(counted) or 0)
    else:
        total = 0
    items = [row[0] for row in rows] if _selects_one_entity(stmt) else [tuple(row[:-1]) for row in rows]
    return Page(items, Pagination(params.page, params.per_page, total, len(items)))


def _selects_one_entity(stmt: AnySelect) -> bool:
    return len(stmt.column_descriptions) == 1
