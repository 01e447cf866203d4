"""``social-care report``: the weekly mention report as html, md or json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the ``social-care`` Typer app."""

    @app.command("report")
    def report(
        week: Optional[str] = typer.Option(None, "--week", help="ISO week like 2026-W47 (default: last full week)."),
        fmt: str = typer.Option("html", "--format", help="html, md or json."),
        out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: stdout)."),
    ) -> None:
        """The weekly mention report: volumes, sentiment, response and resolution times, top issues."""
        from ..app import build_app
        from ..cli import settings_or_exit
        from . import FORMATS, build_report, render, write_report

        if fmt not in FORMATS:
            typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
            raise typer.Exit(2)
        settings = settings_or_exit()
        application = build_app(settings)
        try:
            data = build_report(application, week)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        finally:
            application.engine.dispose()
        if out is None:
            sys.stdout.write(render(data, fmt))
        else:
            path = write_report(data, fmt, out)
            typer.echo(f"wrote {path} ({data['week']})", err=True)
