"""`social-care playbook check`: lint a templates file before the service uses it."""

from __future__ import annotations

import typer

from social_care.config import load_settings
from social_care.errors import ConfigError

from . import check_templates

playbook_app = typer.Typer(help="The reply playbook (templates a social team can edit).", no_args_is_help=True)


@playbook_app.command("check")
def check(
    path: str | None = typer.Argument(None, help="a templates JSON file; default: SOCIAL_CARE_TEMPLATES, else the "
                                                 "built-in templates"),
) -> None:
    """Check every phrasing of every template: placeholders, each channel's length limit, tone, repeats."""

    try:
        settings = load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    path = path or settings.templates_path
    brand = settings.brand_name
    try:
        result = check_templates(path, brand=brand)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for problem in result.problems:
        typer.echo(f"error: {problem}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if result.problems:
        typer.echo(f"{result.source}: {len(result.problems)} problem(s); the service refuses these templates", err=True)
        raise typer.Exit(2)
    typer.echo(f"{result.source}: ok, {len(result.languages)} languages ({', '.join(result.languages)}), "
               f"{result.templates} templates, {result.phrasings} phrasings")


def register(app: typer.Typer) -> None:
    app.add_typer(playbook_app, name="playbook")
