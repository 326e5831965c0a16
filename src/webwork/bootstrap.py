"""Operator actions outside the HTTP API: first user, workspace and API key.

The operator is trusted to create credentials, but not to change by accident what
others decided: an existing membership keeps its role unless one is given, and its
status always (an archived member stays archived, an invitation stays pending). Every
step is reported in ``changes``."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.accounts import service as accounts
from webwork.api_keys import service as api_keys
from webwork.auth.roles import Role
from webwork.kit.errors import invalid
from webwork.members import service as members
from webwork.models import User, Workspace
from webwork.models.statuses import MembershipStatus
from webwork.users import service as users
from webwork.workspaces import service as workspaces

NEW_WORKSPACE_HINT = "My workspace"


@dataclass(frozen=True)
class Bootstrapped:
    user_id: int
    workspace_id: int
    api_key: str
    changes: tuple[str, ...] = ()


async def bootstrap(
    session: AsyncSession,
    *,
    email: str,
    firstname: str = "",
    lastname: str = "",
    workspace_name: str | None = None,
    workspace_id: int | None = None,
    role: Role | None = None,
    key_name: str = "bootstrap",
    password: str | None = None,
) -> Bootstrapped:
    """Create the user if missing; then either a new workspace they own, or their
    membership in an existing one; then a fresh API key. ``password`` becomes the
    user's password (for OAuth sign-in and the web pages), replacing any."""
    try:
        email = users.check_email(email)
    except ValueError as exc:
        raise invalid("email", str(exc)) from None
    user, changes = await _user(session, email, firstname, lastname)
    if password is not None:
        await accounts.set_password(session, user, password)
        changes.append("set the user's password")
    if workspace_name is not None:
        workspace = await workspaces.create(session, user, workspace_name)
        changes.append(f'created workspace {workspace.id} "{workspace.name}", owned by the user')
    elif workspace_id is None:
        raise invalid("workspace_id", "Either a workspace name or a workspace id is needed.")
    else:
        workspace = await workspaces.get_for_operator(session, workspace_id)
        changes.extend(await _membership(session, workspace, user, role))
    _, plaintext = await api_keys.create(session, user, key_name)
    return Bootstrapped(user.id, workspace.id, plaintext, tuple(changes))


async def _user(session: AsyncSession, email: str, firstname: str, lastname: str) -> tuple[User, list[str]]:
    """The account of ``email``, or a new one. The key printed goes to whoever the
    operator means by that address, so it must never be an account that merely claims
    it: an account that someone holds has proven its address (a change of email waits
    for the code mailed to the new one, ``members/service.py``), and one that nobody
    holds yet (invited, never accepted) carries the address it was invited at, as good
    as a new account."""
    existing = await users.get_by_email(session, email)
    if existing is None:
        user = await users.get_or_create(session, email, firstname, lastname)
        return user, [f"created user {user.id} <{user.email}>"]
    note = f"user {existing.id} <{existing.email}> already exists"
    if (firstname and firstname != existing.firstname) or (lastname and lastname != existing.lastname):
        note += "; its name is left as it is"
    return existing, [note]


async def _membership(
    session: AsyncSession, workspace: Workspace, user: User, role: Role | None
) -> list[str]:
    enrolled = await members.enroll(session, workspace, user, role)
    membership, current = enrolled.membership, Role(enrolled.membership.role)
    if enrolled.previous_role is None:
        return [f"added to workspace {workspace.id} as {current.label}"]
    if enrolled.previous_role is current:
        changes = [f"kept the role {current.label} in workspace {workspace.id}"]
    else:
        changes = [
            f"changed the role in workspace {workspace.id}: {enrolled.previous_role.label} -> {current.label}"
        ]
    if membership.status == MembershipStatus.INACTIVE:
        changes.append(
            f"membership in workspace {workspace.id} is inactive (archived), left as it is: an owner "
            f"or executive manager restores it with POST /api/v2/members/{user.id}/restore"
        )
    elif membership.status == MembershipStatus.INVITED:
        changes.append(
            f"membership in workspace {workspace.id} is invited, left as it is: "
            "the user accepts the invitation signed in with this key"
        )
    return changes


async def key_hint(session: AsyncSession) -> str:
    """The bootstrap arguments that give the first workspace's owner a new key."""
    first = await workspaces.first_active_owner(session)
    if first is not None:
        email, workspace_id = first
        return shlex.join(["bootstrap", "--email", email, "--workspace-id", str(workspace_id)])
    oldest = await users.first_email(session)
    return shlex.join(
        ["bootstrap", "--email", oldest or "you@example.com", "--workspace", NEW_WORKSPACE_HINT]
    )


async def has_users(session: AsyncSession) -> bool:
    return await users.exist(session)
