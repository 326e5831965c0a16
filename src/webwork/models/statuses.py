"""The status values stored in ``status`` columns, named once so that a query, a rule
and a schema cannot spell the same state two ways."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class WorkspaceStatus(StrEnum):
    ACTIVE = "active"


class MembershipStatus(StrEnum):
    """``invited`` until the invitation is accepted; ``inactive`` once archived."""

    ACTIVE = "active"
    INVITED = "invited"
    INACTIVE = "inactive"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class ProjectStatus(IntEnum):
    """Stored and answered as an integer, as the hosted API shows it."""

    ARCHIVED = 0
    ACTIVE = 1


class TimeRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class TimesheetStatus(StrEnum):
    """A period nobody acted on is ``open`` without a stored row; the hosted API calls a
    submitted one "pending"."""

    OPEN = "open"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    APPROVED = "approved"


class ExpenseStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class LeaveStatus(StrEnum):
    """``cancelled`` leave counts as neither used nor pending."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """A delivery is ``pending`` until it succeeds (``delivered``) or its retries run out
    (``failed``)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
