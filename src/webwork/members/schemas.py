"""Member request bodies and the member as the API shows it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from webwork.auth import passwords
from webwork.auth.roles import ROLE_HELP, ROLE_INVALID, Role, parse_role
from webwork.kit.schemas import QueryScopedBody
from webwork.kit.types import (
    LINE_PATTERN,
    BlankNone,
    GraceMinutes,
    Hours,
    Keyword,
    Money,
    Name,
    OptionalHours,
    OptionalMoney,
    Timestamp,
    Timezone,
    WorkDays,
)
from webwork.members.schedules import SCHEDULE_FIELDS, Schedule, StoredSchedule, hhmm, resolve
from webwork.models import Membership, User
from webwork.models.statuses import MembershipStatus
from webwork.time_entries.schemas import WallTime
from webwork.users.service import check_email

# What the list's ``status`` filter accepts: the stored statuses, and the hosted API's
# "left" and "unknown", which no member of ours ever has.
MEMBER_STATUSES = (*MembershipStatus, "left", "unknown")


def _role(value: object) -> Role:
    role = parse_role(value)
    if role is None:
        raise ValueError(ROLE_INVALID)
    return role


def _flag(field: str) -> BeforeValidator:
    """0/1 switches; forms send "0"/"1", JSON clients sometimes true/false (a switch,
    unlike an id, may be a boolean)."""

    def parse(value: object) -> int:
        if isinstance(value, bool):
            return int(value)
        if value in (0, 1) or (isinstance(value, str) and value.strip() in ("0", "1")):
            return int(str(value).strip())
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return int(value.strip().lower() == "true")
        raise ValueError(f"The {field} field must be 0 or 1.")

    return BeforeValidator(parse)


# RFC 5321 caps an address at 254 characters; the length is checked before the address.
Email = Annotated[
    str,
    Field(max_length=254, pattern=LINE_PATTERN, json_schema_extra={"format": "email"}),
    AfterValidator(check_email),
]
# The owner's role is never given (one owner per workspace): the document lists the others.
RoleField = Annotated[
    Role,
    BeforeValidator(_role),
    Field(description=f"Role code or label, {ROLE_HELP}"),
    WithJsonSchema(
        {"type": "string", "enum": [r.value for r in Role if r is not Role.OWNER]}, mode="validation"
    ),
]
PersonName = Annotated[Name, Field(max_length=100)]
Flag = Annotated[int, Field(ge=0, le=1)]


class MemberInvite(QueryScopedBody):
    email: Email
    firstname: PersonName
    lastname: PersonName
    role: RoleField


class MemberUpdate(QueryScopedBody):
    """Every field optional; only the fields sent are changed."""

    email: Email | None = None
    firstname: PersonName | None = None
    lastname: PersonName | None = None
    timezone: Timezone | None = None
    role: RoleField | None = None
    rate_status: Annotated[Flag | None, _flag("rate status")] = None
    weekly_hours_limit: OptionalHours = None
    rate: OptionalMoney = None
    remove_avatar: Annotated[Flag | None, _flag("remove avatar")] = None
    work_start: Annotated[WallTime | None, BlankNone] = Field(
        None, description="HH:mm the member's working day starts (null: the workspace's)"
    )
    work_end: Annotated[WallTime | None, BlankNone] = Field(
        None, description="HH:mm the member's working day ends, after work_start (null: the workspace's)"
    )
    work_days: WorkDays | None = Field(None, description="The member's work week (null: the workspace's)")
    grace_minutes: Annotated[GraceMinutes | None, BlankNone] = Field(
        None, description="Minutes the member may start late, 0..120 (null: the workspace's)"
    )


@dataclass(frozen=True)
class MemberFilters:
    """The list's query parameters, as sent."""

    email: str | None = None
    status: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class MemberView:
    """A membership with its user and the ids of the workspace teams the user is in."""

    membership: Membership
    user: User
    team_ids: list[int]
    workspace_schedule: StoredSchedule  # what the member's schedule is where it has no part of its own

    @property
    def schedule(self) -> Schedule:
        own = StoredSchedule(*(getattr(self.membership, field) for field in SCHEDULE_FIELDS))
        return resolve(own, self.workspace_schedule)


def shown_profile(membership: Membership, user: User) -> tuple[str, str, str | None]:
    """First name, last name and avatar as the workspace shows them: a pending
    invitation's own names and no avatar (inviting an address shows nothing of who may
    already hold it), else the account's."""
    if membership.invited_firstname is not None:
        return membership.invited_firstname, membership.invited_lastname or "", None
    return user.firstname, user.lastname, user.avatar


class WorkScheduleOut(BaseModel):
    model_config = ConfigDict(title="WorkSchedule")

    work_start: str = Field(description="HH:mm, the member's timezone")
    work_end: str = Field(description="HH:mm, the member's timezone")
    work_days: list[int] = Field(description="ISO weekdays worked (1 = Monday .. 7 = Sunday)")
    grace_minutes: int = Field(description="Minutes the member may start late without being late")
    is_default: bool = Field(description="The member has no schedule of their own: the workspace's applies")

    @classmethod
    def of(cls, schedule: Schedule) -> WorkScheduleOut:
        return cls(
            work_start=hhmm(schedule.work_start),
            work_end=hhmm(schedule.work_end),
            work_days=list(schedule.work_days),
            grace_minutes=schedule.grace_minutes,
            is_default=schedule.is_default,
        )


class MemberOut(BaseModel):
    model_config = ConfigDict(title="Member")

    id: int
    user_id: int
    email: str
    firstname: str
    lastname: str
    fullname: str
    avatar: str | None
    role: str
    current_role: str
    status: str
    timezone: str
    weekly_hours_limit: Hours | None
    rate_status: int
    rate: Money | None = Field(None, description="Only present when the caller may see this member's rate")
    currency: str
    team_ids: list[int]
    work_schedule: WorkScheduleOut
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None

    @classmethod
    def of(cls, view: MemberView, *, currency: str, with_rate: bool) -> MemberOut:
        """``rate`` is left unset (so omitted from the JSON) unless the caller may see it.
        A pending invitation shows the names it was sent with and no avatar, not the
        account's: inviting an address shows nothing of who may already hold it."""
        membership, user = view.membership, view.user
        role = Role(membership.role)
        extra: dict[str, Decimal | None] = {"rate": membership.rate} if with_rate else {}
        firstname, lastname, avatar = shown_profile(membership, user)
        return cls(
            id=user.id,
            user_id=user.id,
            email=user.email,
            firstname=firstname,
            lastname=lastname,
            fullname=f"{firstname} {lastname}".strip() or user.email,
            avatar=avatar,
            role=role.value,
            current_role=role.label,
            status=membership.status,
            timezone=membership.timezone,
            weekly_hours_limit=membership.weekly_hours_limit,
            rate_status=membership.rate_status,
            currency=currency,
            team_ids=view.team_ids,
            work_schedule=WorkScheduleOut.of(view.schedule),
            created_at=membership.created_at,
            updated_at=membership.updated_at,
            deleted_at=membership.deleted_at,
            **extra,
        )


class MemberInvited(MemberOut):
    model_config = ConfigDict(title="MemberInvited")

    invitation_link: str


class MemberUpdated(MemberOut):
    model_config = ConfigDict(title="MemberUpdated")

    pending_email: str | None = Field(
        description="A new email waiting for confirmation: a code was mailed to it, and the "
        "member confirms it with `POST /members/{id}/email/confirm`; `email` stays the old "
        "one until then. Null when the update changed no email or changed it at once."
    )
    invitation_link: str | None = Field(
        None,
        description="Only present when the address of an invitation not yet accepted was "
        "corrected: the new link, also mailed to the corrected address (the old one no "
        "longer works)",
    )


class EmailConfirm(QueryScopedBody):
    code: Annotated[Keyword, Field(min_length=1)] = Field(
        description="The confirmation code mailed to the new address (case, spaces and dashes do not matter)"
    )


class InvitationOut(BaseModel):
    model_config = ConfigDict(title="Invitation")

    workspace_id: int
    workspace_name: str
    email: str
    role: str
    current_role: str
    status: str


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    code: Annotated[Keyword | None, BlankNone] = Field(
        None,
        description="The confirmation code mailed to the invited address (accounts without "
        "credentials only); leave it out to have one mailed",
    )
    password: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=False,
                min_length=passwords.MIN_LENGTH,
                max_length=passwords.MAX_LENGTH,
                pattern=LINE_PATTERN,
            ),
        ]
        | None
    ) = Field(
        None,
        description="With `code`: the password of an account nobody held yet, for signing in "
        "to OAuth apps and the web pages; an account already held keeps its own",
    )


class InvitationCodeSent(BaseModel):
    user_id: int
    workspace_id: int
    email: str = Field(description="Where the code was mailed")
    code_expires_at: Timestamp


class InvitationAccepted(BaseModel):
    user_id: int
    workspace_id: int
    api_key: str | None = Field(
        description="The first API key of an account that confirmed its address with the "
        "mailed code (shown once); null when an existing account accepted signed in"
    )
