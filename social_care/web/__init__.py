"""The social team's queue: web pages, JSON API and CLI.

``create_web_app(app)`` builds the FastAPI application; ``serve_in_thread(app, host, port)`` runs it
with uvicorn in a background thread (for ``run``/``demo``); ``cli.register(typer_app)`` adds the commands.
Imports are lazy so that ``social_care.workflow`` (which uses ``web.tables``) stays light.
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
    from .app import create_web_app as _create

    return _create(app)


def serve_in_thread(app: App, host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    from .server import serve_in_thread as _serve

    return _serve(app, host, port, **kw)
