"""All SQLAlchemy models, imported here so Alembic and the mappers see every table."""

from webwork.kit.db import Base
from webwork.models.contracts import Contract
from webwork.models.expenses import Expense, ExpenseCategory
from webwork.models.idempotency import IdempotencyKey
from webwork.models.leaves import Leave, LeaveHoliday, LeavePolicy, LeavePolicyMember, LeaveSettings
from webwork.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthToken, PasswordReset
from webwork.models.projects import Project, ProjectManager, ProjectViewerProject
from webwork.models.tasks import Task, TaskAssignee
from webwork.models.time import TimeEntry, TimeRequest, Timesheet
from webwork.models.users import ApiKey, EmailChange, User
from webwork.models.webhooks import Delivery, OutboxMessage, Webhook
from webwork.models.workspaces import InvitationCode, Membership, Team, TeamMember, Workspace

__all__ = [
    "ApiKey",
    "Base",
    "Contract",
    "Delivery",
    "EmailChange",
    "Expense",
    "ExpenseCategory",
    "IdempotencyKey",
    "InvitationCode",
    "Leave",
    "LeaveHoliday",
    "LeavePolicy",
    "LeavePolicyMember",
    "LeaveSettings",
    "Membership",
    "OAuthAuthorizationCode",
    "OAuthClient",
    "OAuthToken",
    "OutboxMessage",
    "PasswordReset",
    "Project",
    "ProjectManager",
    "ProjectViewerProject",
    "Task",
    "TaskAssignee",
    "Team",
    "TeamMember",
    "TimeEntry",
    "TimeRequest",
    "Timesheet",
    "User",
    "Webhook",
    "Workspace",
]
