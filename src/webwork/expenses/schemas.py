"""Request and response models of ``/expenses`` and ``/expenses/categories``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from webwork.kit.envelope import Envelope, Meta
from webwork.kit.schemas import RequestBody, required_value
from webwork.kit.types import (
    FIRST_DAY,
    LAST_DAY,
    BlankNone,
    Day,
    Flag,
    Name,
    OptionalDate,
    OptionalId,
    Text,
    Timestamp,
    UuidText,
    decimal_number,
    decimal_to_number,
)
from webwork.models import Expense, ExpenseCategory, User

# The largest amount one expense may have: far beyond any receipt, and its sum over a
# workspace's expenses stays exact in NUMERIC and in a double alike.
MAX_AMOUNT = Decimal("99999999.99")
DAY_RANGE = f"between {FIRST_DAY} and {LAST_DAY}"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Number = PlainSerializer(decimal_to_number, return_type=int | float, when_used="json")
Amount = Annotated[
    Decimal,
    Field(
        gt=0,
        le=MAX_AMOUNT,
        max_digits=10,
        decimal_places=2,
        description=f"More than 0, at most {MAX_AMOUNT}, at most two decimal places",
    ),
    decimal_number(10, 2, maximum=str(MAX_AMOUNT), above=True),
    Number,
]
Note = Annotated[Text, Field(max_length=5000)]


def display_date(day: dt.date) -> str:
    """The hosted API's display form, "Jan 15, 2024", whatever the server's locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


class CategoryCreate(RequestBody):
    name: Name


class CategoryUpdate(RequestBody):
    name: Name


class CategoryOut(BaseModel):
    model_config = ConfigDict(title="ExpenseCategory")

    id: str
    name: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, category: ExpenseCategory) -> CategoryOut:
        return cls(
            id=str(category.id),
            name=category.name,
            created_at=category.created_at,
            updated_at=category.updated_at,
        )


class ExpenseCreate(RequestBody):
    expense_name: Name
    date: OptionalDate = Field(
        None, description=f"YYYY-MM-DD, {DAY_RANGE}; default: today in the member's timezone"
    )
    amount: Amount
    category_id: Annotated[UuidText | None, BlankNone] = Field(
        None, description="A category of the workspace"
    )
    project_id: OptionalId = Field(None, description="A project the member holds a contract on")
    note: Annotated[Note | None, BlankNone] = None
    description: Annotated[Note | None, BlankNone] = Field(None, description="Alias of note")
    is_billable: Flag = False
    user_id: OptionalId = Field(None, description="Whose expense it is; default: the caller")

    @property
    def text(self) -> str | None:
        return self.note or self.description or None


class ExpenseUpdate(RequestBody):
    """Only the fields sent change; ``category_id``, ``project_id`` and ``note`` may be
    cleared with null."""

    expense_name: Name | None = None
    date: Day | None = Field(None, description=f"YYYY-MM-DD, {DAY_RANGE}")
    amount: Amount | None = None
    category_id: Annotated[UuidText | None, BlankNone] = None
    project_id: OptionalId = None
    note: Annotated[Note | None, BlankNone] = None
    description: Annotated[Note | None, BlankNone] = Field(None, description="Alias of note")
    is_billable: Flag | None = None

    not_null = ("expense_name", "date", "amount", "is_billable")
    _required = field_validator(*not_null, mode="before")(required_value)


class ExpenseReject(RequestBody):
    reason: Annotated[Note | None, BlankNone] = Field(None, description="Why the expense is rejected")
    comment: Annotated[Note | None, BlankNone] = Field(None, description="Alias of reason")

    @property
    def text(self) -> str | None:
        return self.reason or self.comment or None


@dataclass(frozen=True)
class ExpenseFilters:
    """The list's query parameters, as sent."""

    id: str | None = None
    user_id: int | None = None
    category_id: str | None = None
    project_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str | None = None


@dataclass(frozen=True)
class Selection:
    """The list's filters, checked and parsed (None: not filtered on)."""

    id: uuid.UUID | None = None
    user_id: int | None = None
    category_id: uuid.UUID | None = None
    project_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str | None = None


@dataclass(frozen=True)
class ExpenseView:
    """An expense with its member and the names of its project and category."""

    expense: Expense
    member: User
    project_name: str | None
    category_name: str | None


class ExpenseOut(BaseModel):
    model_config = ConfigDict(title="Expense")

    id: str
    member: str = Field(description="The member's full name")
    expense_date: str = Field(description='The date shown, e.g. "Jan 15, 2024"')
    expense_name: str
    project: str | None = Field(description="The project's name")
    category: str | None = Field(description="The category's name")
    amount: Annotated[Decimal, Number]
    note: str | None
    type: str = Field(description="billable | non-billable")
    added_dte: str = Field(description='When it was added (UTC date), e.g. "Jan 15, 2024"')
    status: str = Field(description="pending | approved | rejected")
    reject_reason: str | None
    user_id: int
    project_id: int | None
    category_id: str | None
    date: dt.date = Field(description="YYYY-MM-DD")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, view: ExpenseView) -> ExpenseOut:
        e = view.expense
        return cls(
            id=str(e.id),
            member=view.member.fullname,
            expense_date=display_date(e.spent_on),
            expense_name=e.name,
            project=view.project_name,
            category=view.category_name,
            amount=e.amount,
            note=e.note,
            type="billable" if e.is_billable else "non-billable",
            added_dte=display_date(e.created_at.date()),
            status=e.status,
            reject_reason=e.reject_reason,
            user_id=e.user_id,
            project_id=e.project_id,
            category_id=None if e.category_id is None else str(e.category_id),
            date=e.spent_on,
            created_at=e.created_at,
            updated_at=e.updated_at,
        )


class ExpenseListMeta(Meta):
    total_amount: Annotated[Decimal, Number] = Field(
        description="Sum of the amounts of every expense the filters select (all pages)"
    )


class ExpenseListEnvelope(Envelope[list[ExpenseOut]]):
    model_config = ConfigDict(title="ExpenseList")

    meta: ExpenseListMeta
