"""``social-care report``: the weekly mention report as html, md or json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..cli_support import build_or_exit, settings_or_exit

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the ``social-care`` Typer app."""

    @app.command("report")
    def report(
        week: Annotated[
            str | None,
            typer.Option(
                "--week",
                help="ISO week like 2026-W47, or 'current' for this week so far (default: last full week).",
            ),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="html, md or json.")] = "html",
        out: Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout).")] = None,
        tag: Annotated[
            str | None, typer.Option("--tag", help="Only the posts carrying this tag (e.g. vip, refund-approved).")
        ] = None,
    ) -> None:
        """The weekly mention report: volumes, sentiment, response and resolution times, top issues; with
        --tag, of the posts carrying that tag."""
        # the report loads the store: only this command pays for it, not every `social-care` start
        from . import FORMATS, build_report, empty_default_week, render, write_report

        if fmt not in FORMATS:
            typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
            raise typer.Exit(2)
        settings = settings_or_exit()
        application = build_or_exit(settings)
        try:
            data = build_report(application, week, tag=tag)
            hint = empty_default_week(application) if week is None and tag is None else None
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        finally:
            application.engine.dispose()
        if hint is not None:
            typer.echo(
                f"note: the last full week, {hint['last_full_week']}, has no posts; this week so far "
                f"({hint['current_week']}) has {hint['current_posts']}. For the week to date run: "
                f"social-care report --week current",
                err=True,
            )
        if out is None:
            sys.stdout.write(render(data, fmt))
        else:
            path = write_report(data, fmt, out)
            typer.echo(f"wrote {path} ({data['week']})", err=True)
