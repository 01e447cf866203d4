"""The FastAPI application of the queue: ``create_web_app(app)``; pages in ``pages``, JSON in ``api``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..durations import duration
from ..errors import StaleViewError
from ..inbox.common import NotAllowedError
from ..workflow import NotFoundError, WorkflowError
from . import api, inbox_api, inbox_pages, pages, reports, webhooks
from .auth import SESSION_COOKIE, SessionStore
from .deps import HSTS, SECURITY_HEADERS, LoginRequired, api_user, core, page_user, templates_of
from .filters import ago, channel_label, hhmm, templates

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "LoginRequired", "ago", "api_user", "channel_label", "core", "create_web_app", "duration", "hhmm", "page_user",
    "templates_of",
]
log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


class _SecurityHeaders:
    """Pure ASGI middleware: CSP and friends on every response, errors and static files included (static
    files may be cached); HSTS when ``SOCIAL_CARE_PUBLIC_URL`` is https."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if hsts:  # only when the public address is https: over plain http the header is ignored anyway
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if not (static and name == "Cache-Control") and name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

def create_web_app(app: App) -> FastAPI:
    """The queue's web application (pages + ``/api/``) over a wired ``App``."""
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
    web.state.templates = templates()
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
    web.include_router(inbox_pages.router)
    web.include_router(api.router)
    web.include_router(webhooks.router)  # signed platform deliveries: no sign-in, no CSRF
    web.include_router(inbox_api.router)

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
        status = 404 if isinstance(exc, NotFoundError) else 403 if isinstance(exc, NotAllowedError) else 400
        return JSONResponse({"error": "refused", "detail": str(exc)}, status_code=status)

    return web
