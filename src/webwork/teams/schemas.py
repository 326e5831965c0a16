"""Team request bodies and the team as the API shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from webwork.kit.schemas import QueryScopedBody
from webwork.kit.types import MAX_IDS, Id, Name, Timestamp
from webwork.models import Team, TeamMember


def _list_of_ids(value: object) -> object:
    """Forms and connectors send ``1,2,3`` or a lone id; an empty string is no ids."""
    if value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return value


UserIds = Annotated[
    list[Id], Field(max_length=MAX_IDS, description="User ids (members' ids)"), BeforeValidator(_list_of_ids)
]


class TeamCreate(QueryScopedBody):
    name: Name
    member_ids: UserIds = []
    manager_ids: UserIds = []


class TeamUpdate(QueryScopedBody):
    """Only the fields sent change; a list sent replaces the team's current list."""

    name: Name | None = None
    member_ids: UserIds | None = None
    manager_ids: UserIds | None = None


@dataclass(frozen=True)
class TeamView:
    """A team with its member rows (managers flagged)."""

    team: Team
    rows: list[TeamMember]


class TeamOut(BaseModel):
    model_config = ConfigDict(title="Team")

    id: int
    name: str
    member_ids: list[int] = Field(description="Everyone in the team, managers included")
    manager_ids: list[int]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, view: TeamView) -> TeamOut:
        team, rows = view.team, view.rows
        return cls(
            id=team.id,
            name=team.name,
            member_ids=sorted(r.user_id for r in rows),
            manager_ids=sorted(r.user_id for r in rows if r.is_manager),
            created_at=team.created_at,
            updated_at=team.updated_at,
        )
