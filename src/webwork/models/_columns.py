"""Column shapes repeated across tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from sqlalchemy import ForeignKey, Integer, Numeric
from sqlalchemy.orm import mapped_column

from webwork.kit import clock
from webwork.kit.db import UTCDateTime


def _now() -> datetime:
    """Looked up at each insert, so that a test freezing ``clock.utcnow`` stamps rows too."""
    return clock.utcnow()


IntPk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
CreatedAt = Annotated[datetime, mapped_column(UTCDateTime(), default=_now, nullable=False)]
UpdatedAt = Annotated[datetime, mapped_column(UTCDateTime(), default=_now, onupdate=_now, nullable=False)]
DeletedAt = Annotated[datetime | None, mapped_column(UTCDateTime(), nullable=True)]
MoneyColumn = Annotated[Decimal | None, mapped_column(Numeric(12, 2), nullable=True)]
HoursColumn = Annotated[Decimal | None, mapped_column(Numeric(6, 2), nullable=True)]
WorkspaceFk = Annotated[
    int, mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
]
UserFk = Annotated[int, mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)]
