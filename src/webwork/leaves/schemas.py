"""Leave request bodies and the policies, holidays, leave and balances as the API shows them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from webwork.kit.schemas import RequestBody, required_value
from webwork.kit.types import (
    CLOCK_PATTERN,
    CLOCK_SCHEMA,
    BlankNone,
    Day,
    Flag,
    GraceMinutes,
    Id,
    Keyword,
    Line,
    Name,
    Text,
    Timestamp,
    UuidText,
    choices,
    decimal_number,
    decimal_to_number,
)
from webwork.models import Leave, LeaveHoliday, LeavePolicy
from webwork.teams.schemas import UserIds
from webwork.time_entries.schemas import WallTime

Number = Annotated[Decimal, PlainSerializer(decimal_to_number, return_type=int | float, when_used="json")]
# An allowance per year, or what of it carries over: days or hours.
Allowance = Annotated[
    Decimal,
    Field(max_digits=8, decimal_places=2, ge=0, le=10_000),
    decimal_number(8, 2, maximum="10000"),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]
DayHours = Annotated[
    Decimal,
    Field(max_digits=4, decimal_places=2, gt=0, le=24),
    decimal_number(4, 2, maximum="24", above=True),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]


def _clock(value: str) -> str:
    if not re.fullmatch(CLOCK_PATTERN, value):
        raise ValueError("The time must be in the format HH:mm (24 h).")
    return value


Clock = Annotated[Line, Field(max_length=5, description="HH:mm (24 h)"), AfterValidator(_clock), CLOCK_SCHEMA]
Reason = Annotated[Text, Field(max_length=1000)]
LeaveDate = Annotated[Day, Field(description="YYYY-MM-DD")]
TIME_UNITS = ("days", "hours")
ACCRUALS = ("yearly", "monthly")


class PolicyCreate(RequestBody):
    name: Name
    time_unit: Keyword = Field(
        description="days | hours (fixed once created)", json_schema_extra=choices(*TIME_UNITS)
    )
    duration: Allowance = Field(description="Allowance per calendar year, in the time unit")
    is_paid: Flag = True
    allow_negative_balance: Flag = False
    reason_required: Flag = False
    member_ids: UserIds = []
    accrual: Keyword = Field(
        "yearly",
        description="yearly (all on January 1) | monthly (a twelfth a month)",
        json_schema_extra=choices(*ACCRUALS),
    )
    carry_over: Allowance = Field(Decimal(0), description="At most this much unused moves into the next year")


class PolicyUpdate(RequestBody):
    """Only the fields sent change; ``member_ids`` sent replaces the list."""

    name: Name | None = None
    time_unit: Annotated[Keyword, Field(json_schema_extra=choices(*TIME_UNITS))] | None = Field(
        None, description="Fixed: only its current value is accepted"
    )
    duration: Allowance | None = None
    is_paid: Flag | None = None
    allow_negative_balance: Flag | None = None
    reason_required: Flag | None = None
    member_ids: UserIds | None = None
    accrual: Annotated[Keyword, Field(json_schema_extra=choices(*ACCRUALS))] | None = None
    carry_over: Allowance | None = None

    not_null = (
        "name",
        "duration",
        "is_paid",
        "allow_negative_balance",
        "reason_required",
        "accrual",
        "carry_over",
    )
    _required = field_validator(*not_null, mode="before")(required_value)


@dataclass(frozen=True)
class PolicyView:
    policy: LeavePolicy
    member_ids: list[int]


class PolicyOut(BaseModel):
    model_config = ConfigDict(title="LeavePolicy")

    id: str
    name: str
    time_unit: str
    duration: Number
    is_paid: bool
    allow_negative_balance: bool
    reason_required: bool
    accrual: str
    carry_over: Number
    member_ids: list[int] = Field(description="The members it applies to (those the caller sees)")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, view: PolicyView) -> PolicyOut:
        p = view.policy
        return cls(
            id=str(p.id),
            name=p.name,
            time_unit=p.time_unit,
            duration=p.duration,
            is_paid=p.is_paid,
            allow_negative_balance=p.allow_negative_balance,
            reason_required=p.reason_required,
            accrual=p.accrual,
            carry_over=p.carry_over,
            member_ids=view.member_ids,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class HolidayCreate(RequestBody):
    date: LeaveDate
    name: Name


class HolidayOut(BaseModel):
    model_config = ConfigDict(title="Holiday")

    id: int
    date: date
    name: str

    @classmethod
    def of(cls, holiday: LeaveHoliday) -> HolidayOut:
        return cls(id=holiday.id, date=holiday.date, name=holiday.name)


class SettingsUpdate(RequestBody):
    work_days: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(max_length=7)] | None = Field(
        None, description="ISO weekdays worked (1 = Monday .. 7 = Sunday)"
    )
    hours_per_day: DayHours | None = Field(None, description="Hours of a working day (a day of leave)")
    work_start: WallTime | None = Field(None, description="HH:mm a working day starts (members' default)")
    work_end: WallTime | None = Field(
        None, description="HH:mm a working day ends, after work_start (members' default)"
    )
    grace_minutes: GraceMinutes | None = Field(
        None, description="Minutes one may start late without being late, 0..120 (members' default)"
    )

    not_null = ("work_days", "hours_per_day", "work_start", "work_end", "grace_minutes")
    _required = field_validator(*not_null, mode="before")(required_value)


class SettingsOut(BaseModel):
    model_config = ConfigDict(title="LeaveSettings")

    work_days: list[int] = Field(description="ISO weekdays worked (1 = Monday .. 7 = Sunday)")
    hours_per_day: Number
    work_start: str = Field(
        description="HH:mm a working day starts, unless a member's schedule says otherwise"
    )
    work_end: str = Field(description="HH:mm a working day ends, unless a member's schedule says otherwise")
    grace_minutes: int = Field(description="Minutes one may start late without being late")


class LeaveCreate(RequestBody):
    policy_id: UuidText
    user_id: Id
    start: LeaveDate
    end: LeaveDate
    leave_period: Annotated[int, Field(ge=0, le=2)] = Field(
        0, description="0 full days, 1 first half, 2 second half (of a one-day leave)"
    )
    reason: Annotated[Reason | None, BlankNone] = None
    start_time: Annotated[Clock | None, BlankNone] = Field(None, description="HH:mm, hour-based policies")
    end_time: Annotated[Clock | None, BlankNone] = Field(None, description="HH:mm, hour-based policies")
    hours_per_day: Annotated[DayHours | None, BlankNone] = Field(None, description="Hour-based policies")


class LeaveReject(RequestBody):
    reason: Reason = Field(description="Why the leave is rejected")

    not_null = ("reason",)
    _required = field_validator(*not_null, mode="before")(required_value)


@dataclass(frozen=True)
class LeaveView:
    leave: Leave
    policy_name: str
    time_unit: str
    is_paid: bool


class LeaveTotal(BaseModel):
    days: Number
    hours: Number


class LeaveOut(BaseModel):
    model_config = ConfigDict(title="Leave")

    id: str
    user_id: int
    policy_id: str
    policy_name: str
    time_unit: str
    status: str
    note: str | None
    is_paid: str = Field(description='"yes" | "no"')
    created_by: int | None
    approved_by: int | None
    rejected_by: int | None
    cancelled_by: int | None
    reject_reason: str | None
    start_date: date
    end_date: date
    leave_period: int
    start_time: str | None
    end_time: str | None
    hours_per_day: Number | None
    created_on: Timestamp
    total: LeaveTotal
    amount: Number = Field(description="What it counts against the policy, in its time unit")

    @classmethod
    def of(cls, view: LeaveView) -> LeaveOut:
        leave = view.leave
        return cls(
            id=str(leave.id),
            user_id=leave.user_id,
            policy_id=str(leave.policy_id),
            policy_name=view.policy_name,
            time_unit=view.time_unit,
            status=leave.status,
            note=leave.reason,
            is_paid="yes" if view.is_paid else "no",
            created_by=leave.created_by,
            approved_by=leave.approved_by,
            rejected_by=leave.rejected_by,
            cancelled_by=leave.cancelled_by,
            reject_reason=leave.reject_reason,
            start_date=leave.start_date,
            end_date=leave.end_date,
            leave_period=leave.leave_period,
            start_time=leave.start_time,
            end_time=leave.end_time,
            hours_per_day=leave.hours_per_day,
            created_on=leave.created_at,
            total=LeaveTotal(days=leave.days, hours=leave.hours),
            amount=leave.amount,
        )


class PolicyBalance(BaseModel):
    leave_type: str = Field(description="The policy's name")
    balance: str = Field(description='What remains, spelled: "10 days"')
    policy_id: str
    time_unit: str
    entitled: Number
    carried_over: Number
    accrued: Number
    used: Number
    pending: Number
    remaining: Number
    taken: Number = Field(description="Approved leave starting within date_from..date_to")


class MemberBalance(BaseModel):
    user_id: int
    user_name: str
    leave_information: list[PolicyBalance]
    total_balance: str | None = Field(description="What remains of every policy; null without any")


@dataclass(frozen=True)
class DayLeave:
    """A day of approved leave, as a timesheet shows it."""

    leave_id: uuid.UUID
    policy_id: uuid.UUID
    policy_name: str
    days: Decimal
    minutes: int
