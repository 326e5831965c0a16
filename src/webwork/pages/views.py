"""The pages outside OAuth itself: ``/login`` and ``/logout`` (which the authorization
pages send people to), ``/invite/{token}`` (the page the invitation mail links to:
joining through the same service as ``POST /api/v2/invitations/{token}/accept``) and
``/reset`` (a forgotten password). Every form carries the session's CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from webwork.accounts import service as accounts
from webwork.auth import passwords
from webwork.auth.deps import SessionDep
from webwork.auth.principal import Principal
from webwork.auth.roles import Role
from webwork.kit.errors import ApiError, NotFound
from webwork.members import service as members
from webwork.pages import web

router = APIRouter(include_in_schema=False)

Token = Annotated[str, Path(max_length=100)]
SIGN_IN_FAILED = "The email or password is wrong."
SLOW_DOWN = "Too many sign-in attempts. Wait a minute and try again."
RESET_SENT = "If an account has this address, a link to set a new password is on its way to it."


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return web.render(request, "login.html", next=web.local_path(next), email="", error=None, app_name=None)


@router.post("/login")
async def login(request: Request, session: SessionDep) -> Response:
    """Sign in, then back to ``next`` (a path of this server). Attempts are limited per
    account and per address; a wrong email and a wrong password read the same."""
    fields = await web.form(request)
    if not web.csrf_ok(request, fields):
        return web.csrf_refused(request)
    email, password = fields.get("email", "")[:255], fields.get("password", "")
    next_path = web.local_path(fields.get("next"))

    def again(error: str, status_code: int) -> HTMLResponse:
        return web.render(
            request, "login.html", status_code, next=next_path, email=email, error=error, app_name=None
        )

    if not await web.login_allowed(request, email):
        return again(SLOW_DOWN, 429)
    user = await accounts.sign_in(session, email, password)
    if user is None:
        return again(SIGN_IN_FAILED, 400)
    web.sign_in(request, user)
    return web.redirect(next_path)


@router.post("/logout")
async def logout(request: Request) -> Response:
    fields = await web.form(request)
    if not web.csrf_ok(request, fields):
        return web.csrf_refused(request)
    web.sign_out(request)
    return web.redirect(web.local_path(fields.get("next")))


async def _invitation_page(
    request: Request, session: SessionDep, token: str, **state: object
) -> HTMLResponse:
    try:
        invitation = await members.get_invitation(session, token)
    except NotFound:
        return web.error_page(
            request, "Invitation not found", "This invitation was accepted, withdrawn or never existed.", 404
        )
    inviter_id = invitation.membership.invited_by
    inviter = await accounts.get_user(session, inviter_id) if inviter_id is not None else None
    user = await web.signed_in(request, session)
    context: dict[str, object] = {
        "token": token,
        "workspace_name": invitation.workspace.name,
        "inviter": inviter.fullname if inviter else None,
        "email": invitation.user.email,
        "role": Role(invitation.membership.role).label,
        "signed_in_as_invited": user is not None and user.id == invitation.user.id,
        "login": web.login_url(f"/invite/{token}"),
        "firstname": invitation.membership.invited_firstname or "",
        "lastname": invitation.membership.invited_lastname or "",
        "error": None,
        "joined": False,
        "code_sent": False,
        "api_key": None,
    }
    status = int(str(state.pop("status_code", 200)))
    context.update(state)
    return web.render(request, "invite.html", status, **context)


@router.get("/invite/{token}")
async def invitation_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    """The workspace, who invited, and the ways to join: signed in as the invited
    account, or with a code mailed to the invited address (then a name and a password)."""
    return await _invitation_page(request, session, token)


@router.post("/invite/{token}")
async def join(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    """``step``: ``accept`` (signed in as the invited account), ``send`` (mail a code)
    or ``confirm`` (the code, a name and a password)."""
    fields = await web.form(request)
    if not web.csrf_ok(request, fields):
        return web.csrf_refused(request)
    try:
        invitation = await members.get_invitation(session, token)
    except NotFound:
        return await _invitation_page(request, session, token)
    step = fields.get("step")
    user = await web.signed_in(request, session)
    principal = Principal(user=user) if user is not None and step == "accept" else None
    code = fields.get("code", "").strip()[:32] if step == "confirm" else None
    password = fields.get("password", "") if step == "confirm" else ""
    firstname, lastname = fields.get("firstname", "").strip()[:100], fields.get("lastname", "").strip()[:100]
    if password:
        try:
            passwords.check(password)
        except ValueError as exc:
            return await _invitation_page(
                request, session, token, error=str(exc), code_sent=True, status_code=422
            )
    if step == "confirm" and not code:
        return await _invitation_page(
            request, session, token, error="Enter the code we mailed.", code_sent=True, status_code=422
        )
    address = web.settings_of(request).public_address()
    try:
        result = await members.accept_invitation(session, token, principal, code, address, password or None)
    except ApiError as exc:
        message = " ".join(m for ms in (exc.errors or {}).values() for m in ms) or exc.message
        return await _invitation_page(
            request, session, token, error=message, code_sent=step == "confirm", status_code=exc.status_code
        )
    if isinstance(result, members.CodeSent):
        return await _invitation_page(request, session, token, code_sent=True)
    joined = await accounts.get_user(session, result.user_id)
    if joined is not None and result.api_key is not None and (firstname or lastname):
        await accounts.rename(session, joined, firstname, lastname)
    if joined is not None and joined.password_hash is not None and user is None:
        web.sign_in(request, joined)
    return web.render(
        request,
        "invite.html",
        joined=True,
        api_key=result.api_key,
        token=token,
        workspace_name=invitation.workspace.name,
        email=joined.email if joined else "",
        role="",
        inviter=None,
    )


@router.get("/reset")
async def reset_request_page(request: Request) -> HTMLResponse:
    return web.render(request, "reset.html", token=None, done=None, error=None)


@router.post("/reset")
async def request_reset(request: Request, session: SessionDep) -> HTMLResponse:
    """The same answer whether or not the address has an account (limited like sign-ins)."""
    fields = await web.form(request)
    if not web.csrf_ok(request, fields):
        return web.csrf_refused(request)
    email = fields.get("email", "")[:255]
    if not await web.login_allowed(request, email):
        return web.render(request, "reset.html", 429, token=None, done=None, error=SLOW_DOWN)
    await accounts.request_reset(session, web.settings_of(request).public_address(), email)
    return web.render(request, "reset.html", token=None, done=RESET_SENT, error=None)


@router.get("/reset/{token}")
async def reset_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    try:
        await accounts.check_reset(session, token)
    except ApiError:
        return web.error_page(request, "Link expired", accounts.RESET_INVALID, 404)
    return web.render(request, "reset.html", token=token, done=None, error=None)


@router.post("/reset/{token}")
async def reset(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    fields = await web.form(request)
    if not web.csrf_ok(request, fields):
        return web.csrf_refused(request)
    password = fields.get("password", "")
    try:
        passwords.check(password)
    except ValueError as exc:
        return web.render(request, "reset.html", 422, token=token, done=None, error=str(exc))
    try:
        await accounts.reset_password(session, token, password)
    except ApiError:
        return web.error_page(request, "Link expired", accounts.RESET_INVALID, 404)
    web.sign_out(request)
    return web.render(request, "reset.html", token=None, done="Your password is set. You can sign in now.")
