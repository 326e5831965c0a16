"""What every page shares: templates shipped in the package, the signed session cookie
(Starlette's SessionMiddleware: HttpOnly, SameSite=Lax, Secure over HTTPS), a CSRF
token kept in that session and sent back by every form, and headers that keep the
pages out of caches and frames and let them load nothing from elsewhere."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.accounts import service as accounts
from webwork.config import Settings
from webwork.kit.ratelimit import RateLimiter, address_key
from webwork.models import User

SESSION_COOKIE = "webwork_session"
SESSION_MAX_AGE = 8 * 3600
CSRF_FIELD = "csrf_token"
USER_KEY, STAMP_KEY, CSRF_KEY = "user_id", "stamp", "csrf"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Inline styles only; no script, image, font or frame from anywhere.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
    "base-uri 'none'",
}

templates = Jinja2Templates(
    env=Environment(loader=PackageLoader("webwork.pages", "templates"), autoescape=select_autoescape())
)


def session_options(settings: Settings, fallback_key: str) -> dict[str, Any]:
    """SessionMiddleware's arguments for these settings."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else fallback_key
    return {
        "secret_key": key,
        "session_cookie": SESSION_COOKIE,
        "max_age": SESSION_MAX_AGE,
        "same_site": "lax",
        "https_only": settings.public_https,
    }


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("csrf_field", CSRF_FIELD)
    context.setdefault("csrf_token", csrf_token(request))
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(HEADERS)
    return response


def error_page(request: Request, title: str, message: str, status_code: int = 400) -> HTMLResponse:
    return render(request, "error.html", status_code, title=title, message=message)


def redirect(url: str) -> RedirectResponse:
    """After a form: 303, so the browser follows with a GET."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this server (never another site: an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


async def form(request: Request) -> dict[str, str]:
    """The posted form's text fields (the first of repeats)."""
    data = await request.form()
    fields: dict[str, str] = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, value)
    return fields


def csrf_ok(request: Request, fields: Mapping[str, str]) -> bool:
    expected = request.session.get(CSRF_KEY)
    sent = fields.get(CSRF_FIELD, "")
    return isinstance(expected, str) and hmac.compare_digest(expected.encode(), sent.encode())


def csrf_refused(request: Request) -> HTMLResponse:
    return error_page(
        request,
        "This form has expired",
        "The page was open too long or came from elsewhere. Go back, reload it and try again.",
        403,
    )


async def signed_in(request: Request, session: AsyncSession) -> User | None:
    user_id, stamp = request.session.get(USER_KEY), request.session.get(STAMP_KEY)
    if not isinstance(user_id, int) or not isinstance(stamp, str):
        return None
    return await accounts.session_user(session, user_id, stamp)


def sign_in(request: Request, user: User) -> None:
    """A new CSRF token with every sign-in, so a token seen before it is worth nothing."""
    request.session.clear()
    request.session.update({USER_KEY: user.id, STAMP_KEY: accounts.session_stamp(user)})
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


async def login_allowed(request: Request, email: str) -> bool:
    """One attempt spent from the account's bucket and the address's (both must allow)."""
    limiter: RateLimiter = request.app.state.login_limiter
    account = await limiter.hit("login:" + email.strip().lower()[:255])
    address = await limiter.hit("login-" + address_key(request))
    return all(window is None or window.allowed for window in (account, address))


def login_url(next_path: str) -> str:
    return "/login?" + urlencode({"next": next_path})
