"""``social-care webhooks status``: when each platform last delivered, and what was accepted or refused."""

from __future__ import annotations

import json

import typer

__all__ = ["register", "webhooks_app"]
webhooks_app = typer.Typer(help="The platforms' signed webhooks (/webhooks/x, /webhooks/meta).", no_args_is_help=True)


@webhooks_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="One JSON object instead of lines.")) -> None:
    """Per platform: live / broken / not used, the last accepted delivery, deliveries accepted and refused,
    unknown kinds acknowledged, and the poll interval it gives (backstop or normal)."""
    from ..cli_support import build_or_exit
    from .backstop import webhooks_status

    report = webhooks_status(build_or_exit())
    if as_json:
        typer.echo(json.dumps(report, sort_keys=True))
        return
    for platform, row in report.items():
        last = row["last_delivery_at"] or "never"
        typer.echo(f"{platform:9} {row['state']:9} last delivery {last}; accepted {row['accepted']}, "
                   f"rejected {row['rejected']}, unknown kinds {row['unknown']}, entries {row['events']}; "
                   f"polling: {row['poll_interval']}")
        if row.get("last_rejected_reason"):
            typer.echo(f"{'':9} last refused {row['last_rejected_at']}: {row['last_rejected_reason']}")
        if row.get("problem"):
            typer.echo(f"{'':9} {row['problem']}")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
