"""Running the queue with uvicorn: in the foreground (``serve``) or in a background thread (``run``/``demo``)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import uvicorn

from ..errors import SocialCareError
from .app import create_web_app

if TYPE_CHECKING:
    from ..app import App

__all__ = ["serve", "serve_in_thread"]


def _config(app: App, host: str, port: int, **kw: Any) -> uvicorn.Config:
    kw.setdefault("log_level", "warning")
    kw.setdefault("access_log", False)  # URLs carry no secrets, but keep logs to what matters
    return uvicorn.Config(create_web_app(app), host=host, port=port, lifespan="off", **kw)


def serve(app: App, host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> None:
    """Serve in the foreground until Ctrl-C."""
    kw.setdefault("log_level", "info")
    uvicorn.Server(_config(app, host, port, **kw)).run()


def serve_in_thread(
    app: App, host: str = "127.0.0.1", port: int = 8000, *, timeout: float = 10.0, **kw: Any
) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Start serving in a daemon thread; returns (server, thread, url) once it accepts connections.

    ``port=0`` picks a free port (the url says which). Stop with ``server.should_exit = True; thread.join()``.
    """
    server = uvicorn.Server(_config(app, host, port, **kw))
    thread = threading.Thread(target=server.run, name="social-care-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise SocialCareError(f"the web server could not start on {host}:{port} (is the port in use?)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise SocialCareError(f"the web server did not start on {host}:{port} within {timeout:g} s")
        time.sleep(0.02)
    bound = port
    for srv in server.servers:
        for sock in srv.sockets:
            bound = sock.getsockname()[1]
            break
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return server, thread, f"http://{shown}:{bound}"
