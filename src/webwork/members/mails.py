"""The mails of the members domain: the invitation and the confirmation codes (to accept
an invitation, to confirm a new email)."""

from __future__ import annotations

from datetime import timedelta

from webwork.auth.principal import UserView, WorkspaceView
from webwork.auth.roles import Role
from webwork.kit.mail import Message
from webwork.models import User, Workspace


def regarding(user_id: int, workspace_id: int) -> str:
    """Whose mail it is, as a failed send is logged."""
    return f"member {user_id} in workspace {workspace_id}"


def invitation(
    inviter: UserView, workspace: WorkspaceView, invitee: User, role: Role, link: str, page: str
) -> Message:
    body = f"""{inviter.fullname} invited you to the workspace "{workspace.name}" as {role.label}.

Join in your browser: {page}

The invitation in the API: {link}

To accept it through the API, POST {link}/accept
- if you already have an account here: with your API key (Authorization: Bearer wwk_...);
- otherwise: without a key. A confirmation code is then mailed to this address, and
  POST {link}/accept with {{"code": "<the code>"}} answers your first API key.

If you did not expect this invitation, ignore this mail.
"""
    return Message(to=invitee.email, subject=f"You are invited to {workspace.name} on WebWork", body=body)


def confirmation_code(
    workspace: Workspace, invitee: User, code: str, link: str, lifetime: timedelta
) -> Message:
    minutes = int(lifetime.total_seconds() // 60)
    body = f"""Your confirmation code is {code}. It expires in {minutes} minutes.

To join "{workspace.name}", POST {link}/accept with {{"code": "{code}"}};
the answer holds your first API key.

If you did not ask for this code, ignore this mail: nobody can accept without it.
"""
    return Message(to=invitee.email, subject=f"Your confirmation code for {workspace.name}", body=body)


def email_change_code(
    user: User, new_email: str, code: str, confirm_url: str, lifetime: timedelta
) -> Message:
    minutes = int(lifetime.total_seconds() // 60)
    body = f"""Your confirmation code is {code}. It expires in {minutes} minutes.

It makes {new_email} the email of the WebWork account now known as {user.email}:
POST {confirm_url} with {{"code": "{code}"}}, signed in with that account's API key
(Authorization: Bearer wwk_...).

If you did not ask for this change, ignore this mail: the email does not change without it.
"""
    return Message(to=new_email, subject="Confirm your new email address on WebWork", body=body)
