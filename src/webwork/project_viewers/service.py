"""Project viewers: people outside the team who read the projects granted to them.

A project viewer is a member of the workspace whose role is ``project_viewer``, however
it was added (here, ``POST /members`` or ``webwork bootstrap --role project_viewer``):
all of them are listed here, and each sees exactly the projects granted here
(``auth.visibility.viewer_project_ids``), none until one is. Creating one is a members'
invitation with that role (same mail, link and confirmation code); archiving and
restoring follow the members' rules. Owners and executive managers (the router) manage
them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit.errors import Conflict, NotFound, found, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.members import service as members
from webwork.members.schemas import MemberInvite
from webwork.project_viewers import repository
from webwork.project_viewers.schemas import ViewerCreate, ViewerView
from webwork.projects import service as projects
from webwork.users import service as users

WHO = "project viewer"


async def list_page(
    session: AsyncSession, actor: Actor, email: str | None, params: PageParams
) -> Page[ViewerView]:
    normalized = users.normalize_email(email) if email else None
    return await repository.list_page(session, actor, params, normalized_email=normalized)


async def get(session: AsyncSession, actor: Actor, user_id: int) -> ViewerView:
    """404 for anyone who is not a project viewer of the workspace."""
    return found(await repository.get(session, actor, user_id), "Project viewer not found.")


@dataclass(frozen=True)
class Created:
    viewer: ViewerView
    link: str


async def create(session: AsyncSession, actor: Actor, body: ViewerCreate, public_address: str) -> Created:
    """The members' invitation, with the project viewer role: ``invited`` until the
    link is accepted, the mail sent after the commit."""
    data = MemberInvite(
        email=body.email, firstname=body.firstname, lastname=body.lastname, role=Role.PROJECT_VIEWER
    )
    invited = await members.invite(session, actor, data, public_address)
    return Created(ViewerView(invited.member.membership, invited.member.user, []), invited.link)


async def archive(session: AsyncSession, actor: Actor, user_id: int) -> ViewerView:
    """Soft: the membership becomes inactive (the viewer sees nothing), its grants stay
    for a restore."""
    viewer = await get(session, actor, user_id)
    await members.archive_membership(session, viewer.membership, WHO)
    return viewer


async def restore(session: AsyncSession, actor: Actor, user_id: int) -> ViewerView:
    viewer = await get(session, actor, user_id)
    await members.restore_membership(session, viewer.membership, WHO)
    return viewer


def _required(project_id: int | None) -> int:
    if project_id is None:
        raise invalid("project_id", "The project id field is required.")
    return project_id


async def assign_project(
    session: AsyncSession, actor: Actor, user_id: int, project_id: int | None
) -> ViewerView:
    """Grant a project of the workspace (archived ones too: the viewer then reads it as
    everyone does, without its tasks); 409 if it already is."""
    wanted = _required(project_id)
    viewer = await get(session, actor, user_id)
    project = (await projects.get(session, actor, wanted)).project
    if not await repository.grant(session, actor.workspace_id, viewer.user.id, project.id):
        raise Conflict("The project is already assigned to this project viewer.")
    granted = sorted([*viewer.projects, (project.id, project.name)])
    return ViewerView(viewer.membership, viewer.user, granted)


async def unassign_project(
    session: AsyncSession, actor: Actor, user_id: int, project_id: int | None
) -> ViewerView:
    """Withdraw a project; 404 if it is not assigned to the viewer."""
    wanted = _required(project_id)
    viewer = await get(session, actor, user_id)
    if not await repository.revoke(session, actor.workspace_id, viewer.user.id, wanted):
        raise NotFound("The project is not assigned to this project viewer.")
    kept = [(i, name) for i, name in viewer.projects if i != wanted]
    return ViewerView(viewer.membership, viewer.user, kept)
