"""The FastAPI application of the queue: ``create_web_app(app)``; pages in ``pages``, JSON in ``api``."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request, Security
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.security import APIKeyCookie, HTTPBasic
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.datastructures import MutableHeaders

from ..durations import duration
from ..errors import StaleViewError
from ..models import Channel, as_utc
from ..scoring.base import CATEGORY_NAMES
from ..workflow import NotFoundError, WorkflowError
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

__all__ = ["LoginRequired", "api_user", "core", "create_web_app", "page_user", "templates_of"]
log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
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


class _SecurityHeaders:
    """Pure ASGI middleware: CSP and friends on every response, errors and static files included (static
    files may be cached); HSTS when ``SOCIAL_CARE_PUBLIC_URL`` is https."""

    def __init__(self, app: Any, hsts: bool = False) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if hsts:  # only when the public address is https: over plain http the header is ignored anyway
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if not (static and name == "Cache-Control") and name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


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


# ---- template helpers ----------------------------------------------------------------------------


def ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "—"
    delta = (now - as_utc(value)).total_seconds() / 60.0
    if delta < 0:
        return "in " + duration(-delta)
    return duration(delta) + " ago"


def hhmm(value: datetime | None) -> str:
    return f"{as_utc(value):%Y-%m-%d %H:%M} UTC" if value else "—"


def channel_label(value: str) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return value


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["duration"] = duration
    env.filters["hhmm"] = hhmm
    env.filters["iso"] = lambda v: as_utc(v).isoformat() if v else ""
    env.filters["channel_label"] = channel_label
    env.filters["category_name"] = lambda c: CATEGORY_NAMES.get(c, c) if c else "—"
    env.globals["ago"] = ago
    env.globals["channels"] = [(c.value, c.label) for c in Channel]
    return Jinja2Templates(env=env)


# ---- the application -----------------------------------------------------------------------------


def create_web_app(app: App) -> FastAPI:
    """The queue's web application (pages + ``/api/``) over a wired ``App``."""
    from . import api, pages, reports

    web = FastAPI(
        title="social-care queue",
        version="1",
        description=(
            "The social team's queue. Every route needs a signed-in team member: the session cookie "
            "(from /login) with the X-CSRF-Token header on writes, or HTTP Basic for scripts. "
            "Writes carry the post `version` they were made from; a stale one is refused with 409."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served behind sign-in at /api/openapi.json
    )
    web.state.core = app
    web.state.sessions = SessionStore(app)
    web.state.templates = _templates()
    # outermost, around Starlette's own error handler, so that a 500 carries the headers too
    build_stack = web.build_middleware_stack
    hsts = web.state.sessions.secure
    web.build_middleware_stack = lambda: _SecurityHeaders(build_stack(), hsts=hsts)  # type: ignore[method-assign]
    web.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @web.get("/favicon.ico", include_in_schema=False)
    async def _favicon() -> FileResponse:  # browsers ask for it on pages without a <link rel=icon>
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    web.include_router(pages.router)
    web.include_router(reports.router)
    web.include_router(api.router)

    @web.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        # a session cookie that no longer works: the session ended (sign-out, timeout, new password…)
        ended = "ended=1&" if request.cookies.get(SESSION_COOKIE) else ""
        resp = RedirectResponse(f"/login?{ended}next=" + quote(exc.next_url, safe="/"), status_code=303)
        if ended:
            resp.delete_cookie(SESSION_COOKIE, **request.app.state.sessions.cookie_kwargs())
        return resp

    @web.exception_handler(StaleViewError)
    async def _stale(request: Request, exc: StaleViewError) -> JSONResponse:
        return JSONResponse({"error": "stale", "detail": str(exc)}, status_code=409)

    @web.exception_handler(WorkflowError)
    async def _workflow(request: Request, exc: WorkflowError) -> JSONResponse:
        status = 404 if isinstance(exc, NotFoundError) else 400
        return JSONResponse({"error": "refused", "detail": str(exc)}, status_code=status)

    return web
