from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from webwork.auth.roles import Role
from webwork.kit.types import Timestamp
from webwork.models import Membership, Workspace


class WorkspaceOut(BaseModel):
    model_config = ConfigDict(title="Workspace")

    id: int
    name: str
    owner_id: int
    timezone: str
    currency: str
    role: str
    current_role: str
    status: str
    timesheet_period: str
    created_at: Timestamp

    @classmethod
    def of(cls, workspace: Workspace, membership: Membership) -> WorkspaceOut:
        role = Role(membership.role)
        return cls(
            id=workspace.id,
            name=workspace.name,
            owner_id=workspace.owner_id,
            timezone=workspace.timezone,
            currency=workspace.currency,
            role=role.value,
            current_role=role.label,
            status=workspace.status,
            timesheet_period=workspace.timesheet_period,
            created_at=workspace.created_at,
        )
