"""What every command needs before it runs: the settings and the wired app, or a clean exit with the reason.

The main ``social-care`` command and each area's commands (scoring, queue, reports, playbook) import these
from here, so that no area's CLI imports the main command back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from .config import Settings, load_settings
from .errors import ConfigError, SocialCareError

if TYPE_CHECKING:
    from .app import App


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def build_or_exit(settings: Settings | None = None, *, create: bool = False) -> App:
    """The app for a command; only `run`, `demo` and `db upgrade` may create the database."""
    from .app import build_app  # the wired app pulls in every area: only commands that use it pay for it

    try:
        return build_app(settings or settings_or_exit(), create=create)
    except SocialCareError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
