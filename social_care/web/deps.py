"""What every route depends on: the wired ``App``, the templates, and the signed-in user (page or API)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPBasic
from fastapi.templating import Jinja2Templates

from .auth import (
    CSRF_HEADER,
    SESSION_COOKIE,
    AuthUser,
    SessionStore,
    authenticate,
    basic_credentials,
    client_address,
    locked_until,
    record_failure,
    same_token,
)

if TYPE_CHECKING:
    from ..app import App

log = logging.getLogger("social_care.web.app")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
HSTS = "max-age=31536000"


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url

def core(request: Request) -> App:
    return request.app.state.core  # type: ignore[no-any-return]


def templates_of(request: Request) -> Jinja2Templates:
    return request.app.state.templates  # type: ignore[no-any-return]


def _session_user(request: Request) -> AuthUser | None:
    store: SessionStore = request.app.state.sessions
    return store.user_of(request.cookies.get(SESSION_COOKIE))


def page_user(request: Request) -> AuthUser:
    """Dependency of every page: the signed-in user, else a redirect to the sign-in page."""
    user = _session_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


class _SessionCookieScheme(APIKeyCookie):
    """Declares the session cookie in /api/openapi.json; ``api_user`` does the checking."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


class _BasicScheme(HTTPBasic):
    """Declares HTTP Basic in /api/openapi.json; ``api_user`` reads it (FastAPI's reader refuses UTF-8
    passwords)."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


_SESSION_SCHEME = _SessionCookieScheme(
    name=SESSION_COOKIE, scheme_name="session",
    description="The session cookie from signing in at /login; writes also need the X-CSRF-Token header.",
)
_BASIC_SCHEME = _BasicScheme(scheme_name="basic",
                             description="A team member's user name and password, for scripts.")


def api_user(
    request: Request, _session: None = Security(_SESSION_SCHEME), _basic: None = Security(_BASIC_SCHEME)
) -> AuthUser:
    """Dependency of every API route: session cookie (+ X-CSRF-Token on writes) or HTTP Basic."""
    user = _session_user(request)
    if user is not None:
        if request.method not in SAFE_METHODS and not same_token(request.headers.get(CSRF_HEADER), user.csrf):
            raise HTTPException(403, "missing or wrong X-CSRF-Token header")
        return user
    creds = basic_credentials(request.headers.get("authorization"))
    if creds is not None:
        # the same throttle as the sign-in form: HTTP Basic is no way around it
        app, address = core(request), client_address(request.client)
        until = locked_until(app, creds[0], address)
        if until is not None:
            log.warning("HTTP Basic refused (throttled until %s UTC): user %r from %s", f"{until:%H:%M}",
                        creds[0][:64], address)
            wait = max(1, int((until - app.now()).total_seconds()))
            raise HTTPException(429, f"too many failed sign-ins for this account or from your address: try again "
                                     f"at {until:%H:%M} UTC", headers={"Retry-After": str(wait)})
        found = authenticate(app, *creds)
        if found is not None:
            return AuthUser(found.username, found.display_name or found.username, "")
        record_failure(app, creds[0], address)
        log.warning("failed HTTP Basic sign-in: user %r from %s", creds[0][:64], address)
    raise HTTPException(401, "sign in first (session cookie), or use HTTP Basic with a team member's password")
