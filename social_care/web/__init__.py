"""The social team's queue: web pages, JSON API and CLI.

``create_web_app(app)`` builds the FastAPI application; ``serve_in_thread(app, host, port)`` runs it
with uvicorn in a background thread (for ``run``/``demo``); ``cli.register(typer_app)`` adds the commands.
Both load FastAPI and uvicorn when called, so that importing ``social_care.web.cli`` (every ``social-care``
start does) or ``social_care.web.auth`` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import threading

    import uvicorn
    from fastapi import FastAPI

    from ..app import App

__all__ = ["create_web_app", "serve_in_thread"]


def create_web_app(app: App) -> FastAPI:
    from .app import create_web_app as _create  # FastAPI only when a web app is built

    return _create(app)


def serve_in_thread(
    app: App, host: str = "127.0.0.1", port: int = 8000, **kw: Any
) -> tuple[uvicorn.Server, threading.Thread, str]:
    from .server import serve_in_thread as _serve  # uvicorn only when serving

    return _serve(app, host, port, **kw)
