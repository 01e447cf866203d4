"""The one console command, ``social-care``. Sub-areas register their commands on ``app`` here."""

from __future__ import annotations

import json
import sys

import typer

from .config import Settings, load_settings
from .errors import ConfigError, SocialCareError

app = typer.Typer(help="Social customer care for online shops: X and Facebook in one queue.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to SOCIAL_CARE_DATABASE_URL."""
    from .store import make_engine, upgrade

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    typer.echo(json.dumps({"database": settings.describe()["database_url"], "schema": "up to date"}))


def main() -> None:
    try:
        app()
    except SocialCareError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
