"""Request and response models of ``/project-viewers`` (field names as the hosted API)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from webwork.kit.schemas import SCOPE, QueryOrBodyId, RequestBody
from webwork.kit.types import Timestamp
from webwork.members.schemas import Email, PersonName, shown_profile
from webwork.models import Membership, User
from webwork.models.statuses import MembershipStatus

# A viewer's ``status`` as shown: the hosted API's active|archived, and ours for an
# invitation not yet accepted (as ``/members`` shows it).
STATUSES = {
    MembershipStatus.ACTIVE: "active",
    MembershipStatus.INVITED: "invited",
    MembershipStatus.INACTIVE: "archived",
}


class ViewerCreate(RequestBody):
    email: Email
    firstname: PersonName
    lastname: PersonName


class ProjectScope(RequestBody):
    """Body of assign-project and unassign-project."""

    needed = (SCOPE, "project_id")

    project_id: QueryOrBodyId = Field(None, description="ID of the project (or in the query string)")


@dataclass(frozen=True)
class ViewerView:
    """A viewer's membership and user, with the (id, name) of the projects granted to
    them, by id."""

    membership: Membership
    user: User
    projects: list[tuple[int, str]]


class ViewerProjectOut(BaseModel):
    model_config = ConfigDict(title="ViewerProject")

    id: int
    name: str


class ViewerOut(BaseModel):
    model_config = ConfigDict(title="ProjectViewer")

    id: int = Field(description="The viewer's user id")
    email: str
    firstname: str
    lastname: str
    status: str = Field(description="active, archived, or invited until the invitation is accepted")
    member_since: Timestamp = Field(description="When the viewer was added to the workspace")
    projects: list[ViewerProjectOut]

    @classmethod
    def of(cls, view: ViewerView) -> ViewerOut:
        firstname, lastname, _ = shown_profile(view.membership, view.user)
        return cls(
            id=view.user.id,
            email=view.user.email,
            firstname=firstname,
            lastname=lastname,
            status=STATUSES[MembershipStatus(view.membership.status)],
            member_since=view.membership.created_at,
            projects=[ViewerProjectOut(id=i, name=name) for i, name in view.projects],
        )


class ViewerCreated(ViewerOut):
    model_config = ConfigDict(title="ViewerCreated")

    invitation_link: str = Field(description="The invitation link mailed to the viewer")
