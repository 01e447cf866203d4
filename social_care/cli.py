"""The one console command, ``social-care``. Each area registers its commands on ``app`` here.

Each command imports what it runs (the store, the scheduler, the web server) in its body, so that the others,
``--help`` included, start without loading them.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.exc import DatabaseError, OperationalError

from . import scale
from .cli_support import build_or_exit, settings_or_exit
from .config import Settings
from .errors import ConfigError, SocialCareError
from .inbox.cli import register as register_inbox
from .playbook.cli import register as register_playbook
from .reports.cli import register as register_reports
from .scoring.cli import register as register_scoring
from .web.cli import register as register_web
from .webhook_subscribe import register as register_going_live
from .webhooks.cli import register as register_webhooks

app = typer.Typer(help="Social customer care for online shops: X and Facebook in one queue.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
feedback_app = typer.Typer(help="Reviewers' corrections of the scorer.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(feedback_app, name="feedback")
log = logging.getLogger("social_care")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to SOCIAL_CARE_DATABASE_URL."""
    from .store import make_engine, upgrade
    from .store.engine import open_error

    settings = settings_or_exit()
    try:
        upgrade(make_engine(settings.database_url))
    except (DatabaseError, OperationalError) as exc:
        typer.echo(f"error: {open_error(settings.database_url, exc)}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"database": settings.describe()["database_url"], "schema": "up to date"}))


@app.command()
def run(
    once: bool = typer.Option(False, "--once", help="Poll every stream to exhaustion, send what autosend allows, "
                              "print one JSON summary line and exit."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the queue page while running."),
    host: str = typer.Option("127.0.0.1", help="Queue page address."),
    port: int = typer.Option(8000, help="Queue page port."),
    tick_seconds: int | None = typer.Option(
        None, "--tick-seconds", min=1,
        help="Find Slack pings and due follow-ups every N seconds instead of every 30 s / 5 min "
        "(compressed time, for demos and tests)."),
) -> None:
    """Run the service: scheduled polling, replies, Slack pings and reports (Ctrl-C stops it)."""
    from .logging_setup import configure_logging

    configure_logging()
    settings = settings_or_exit()
    if scale.enabled(settings) and not once:
        _run_scaled(settings, serve=serve, host=host, port=port, tick_seconds=tick_seconds)
        return
    application = build_or_exit(settings, create=True)
    if once:
        from .runner import run_once

        typer.echo(json.dumps(run_once(application), sort_keys=True))
        return
    from scheduler import build_scheduler

    from .alerts.outbox import recover_interrupted

    recover_interrupted(application)  # this is the one process that sends: a `sending` alert was cut off
    sched = build_scheduler(application, tick_seconds=tick_seconds)
    if serve:
        from .web import serve_in_thread

        _server, _thread, url = serve_in_thread(application, host, port)
        typer.echo(f"queue: {url}")
    streams = [c.stream for c in application.connectors] or ["none: no platform credentials set"]
    typer.echo(f"polling: {', '.join(streams)} (Ctrl-C stops)")
    stopper = _stop_on_signals(sched)
    sched.start()  # returns once the scheduler is shut down
    if stopper.ident is not None:
        stopper.join()
    typer.echo("stopped")


def _scaled_app(settings: Settings) -> Any:
    try:
        scale.require_postgres(settings)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    return build_or_exit(settings, create=True)


def _run_scaled(settings: Settings, *, serve: bool, host: str, port: int, tick_seconds: int | None) -> None:
    """With a broker: serve the queue and stand for scheduler leader; the workers do the work."""
    from .scale.leader import Leadership
    from .scale.tasks import configure

    application = _scaled_app(settings)
    configure(settings)
    leadership = Leadership(application, tick_seconds=tick_seconds)
    if serve:
        from .web import serve_in_thread

        _server, _thread, url = serve_in_thread(application, host, port)
        typer.echo(f"queue: {url}")
    typer.echo(f"scheduler: standing for leader as {leadership.holder}; broker "
               f"{scale.mask_broker_url(settings.broker_url)} (Ctrl-C stops)")

    def handler(signum: int, _frame: object) -> None:
        leadership.stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    leadership.run()
    typer.echo("stopped")


@app.command()
def worker(
    concurrency: int = typer.Option(2, "--concurrency", "-c", min=1, help="Worker processes (default 2)."),
    queues: str = typer.Option(",".join(scale.QUEUES), "--queues", "-Q",
                               help="Queues to consume, comma-separated: ingest, send, alerts."),
    loglevel: str = typer.Option("INFO", "--loglevel", help="Celery's log level."),
) -> None:
    """A Celery worker (needs SOCIAL_CARE_BROKER_URL and PostgreSQL): polls, scores, sends, pings Slack."""
    from .logging_setup import configure_logging

    configure_logging()
    settings = settings_or_exit()
    if not scale.enabled(settings):
        typer.echo("error: SOCIAL_CARE_BROKER_URL is not set: `social-care worker` takes tasks from a broker "
                   "(redis://… or amqp://…); without one, `social-care run` does everything itself", err=True)
        raise typer.Exit(2)
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(wanted) - set(scale.QUEUES))
    if unknown or not wanted:
        typer.echo(f"error: unknown queue(s) {', '.join(unknown) or '(none given)'}; "
                   f"choose from {', '.join(scale.QUEUES)}", err=True)
        raise typer.Exit(2)
    application = _scaled_app(settings)  # migrates; each worker process then opens its own connections
    application.engine.dispose()
    from .scale.tasks import configure

    celery_app = configure(settings)
    typer.echo(f"worker: queues {', '.join(wanted)}, concurrency {concurrency}, broker "
               f"{scale.mask_broker_url(settings.broker_url)}")
    celery_app.worker_main([
        "worker", f"--concurrency={concurrency}", f"--queues={','.join(wanted)}", f"--loglevel={loglevel}",
        f"--hostname=social-care-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--pool=prefork",
    ])


def _stop_on_signals(sched: Any) -> threading.Thread:
    """Ctrl-C / SIGTERM shut the scheduler down from a thread of its own (running jobs finish first).

    No KeyboardInterrupt is raised into APScheduler's main loop, where it could leave a lock held.
    """
    stopper = threading.Thread(target=lambda: sched.shutdown(wait=True), name="scheduler-stop", daemon=True)

    def handler(signum: int, _frame: object) -> None:
        if not stopper.is_alive() and stopper.ident is None:
            typer.echo("stopping… (waiting for running jobs)", err=True)
            stopper.start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    return stopper


@app.command()
def export(
    format: str = typer.Option("jsonl", "--format", help="Only jsonl for now."),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
    tag: str | None = typer.Option(None, "--tag", help="Only the posts carrying this tag."),
) -> None:
    """Every stored customer post with its score, status, tags, replies and audit trail, one JSON object per
    line."""
    from .exporting import export_jsonl

    if format != "jsonl":
        typer.echo(f"error: unknown format {format!r} (use jsonl)", err=True)
        raise typer.Exit(2)
    application = build_or_exit()
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = export_jsonl(application, out, tag=tag)
    finally:
        if output:
            out.close()
    typer.echo(f"exported {count} posts", err=True)


@app.command()
def audit(
    post: int | None = typer.Option(None, "--post", help="Only this post's events."),
    user: str | None = typer.Option(None, "--user", help="Only what this actor did: a user name, system or "
                                    "autosend."),
    since: str | None = typer.Option(None, "--since", help="From this time on: 2026-11-20, 2026-11-20T09:30 (UTC) "
                                     "or an age such as 24h or 7d."),
    action: str | None = typer.Option(None, "--action", help="Only these actions, comma-separated (approved,sent,"
                                      "…; see below)."),
    limit: int = typer.Option(200, "--limit", help="The newest this many events (shown oldest first)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per event and line, for scripts."),
) -> None:
    """Who approved, edited, sent, assigned, resolved, flagged or unflagged which post, and when.

    Actions: received, flagged, unflagged, drafted, edited, approved, sent, answered, redrafted,
    send_failed, needs_human, assigned, snoozed, woken, corrected, resolved, reopened, marked_spam,
    followup_sent, followup_on, followup_off, tagged, untagged, noted, macro_used, author_marked,
    author_unmarked, status.
    """
    from .audit import AuditFilter, event_dict, query
    from .models import as_utc

    application = build_or_exit()
    try:
        f = AuditFilter.from_params(post_id=post, user=user, since=since, action=action, limit=limit,
                                    now=application.now())
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with application.session() as s:
        events = query(s, f)
    if as_json:
        for ev in events:
            typer.echo(json.dumps(event_dict(ev), ensure_ascii=False))
        return
    if not events:
        typer.echo("no events match")
        return
    lines = [("WHEN (UTC)", "POST", "ACTOR", "ACTION", "STATUS", "REPLY", "DETAIL")]
    for ev in events:
        status = f"{ev.from_status or '∅'}→{ev.to_status}" if ev.to_status else ""
        detail = " ".join((ev.detail or "").split())
        lines.append((f"{as_utc(ev.at):%Y-%m-%d %H:%M}", str(ev.post_id), ev.actor, ev.action, status,
                      str(ev.reply_id or ""), detail if len(detail) <= 80 else detail[:79] + "…"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for line in lines:
        typer.echo(("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])) + "  " + line[-1]).rstrip())


@feedback_app.command("export")
def feedback_export(
    output: Path = typer.Option(None, "--output", "-o", help="CSV file to write (default: stdout)."),
) -> None:
    """Reviewers' corrections as training rows (text,label,flagged,category,lang), latest correction wins."""
    from .exporting import export_feedback_csv

    application = build_or_exit()
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        count = export_feedback_csv(application, out)
    finally:
        if output:
            out.close()
    typer.echo(f"exported {count} corrected posts", err=True)


@app.command()
def status() -> None:
    """Streams, cursors, pauses, last polls, outbox and alert counts (secrets masked)."""
    from sqlalchemy.exc import OperationalError

    from .runner import status_report

    settings = settings_or_exit()
    try:
        report = status_report(build_or_exit(settings))
    except OperationalError as exc:  # PostgreSQL restarting or away: say so, not a traceback
        reason = str(exc.orig or exc).strip().splitlines()[0][:200]
        typer.echo(f"error: the database {settings.describe()['database_url']} does not answer ({reason}); "
                   "the service reconnects by itself once it is back", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(report, indent=2, default=str, sort_keys=True))


@app.command()
def demo(
    exit_when_idle: bool = typer.Option(False, "--exit-when-idle", help="Stop once every post is processed."),
    port: int = typer.Option(8000, help="Queue page port (0 = any free port)."),
    speed: float = typer.Option(60.0, help="How many times faster than real time the posts arrive "
                                "(60: the demo's four hours of traffic in four minutes)."),
    database: str = typer.Option("sqlite:///./social_care_demo.db", help="Database for the demo (fresh each run)."),
    autosend: str = typer.Option("none", "--autosend", help="none: every reply waits for your approval in the "
                                 "queue (the default); playbook: flagged posts are answered automatically."),
    webhooks: bool = typer.Option(True, "--webhooks/--no-webhooks", help="The simulator delivers signed webhooks "
                                  "(posts flagged within a second; the default) or the service only polls."),
) -> None:
    """Start the platform simulator, feed it customer posts over time, and run the service on it."""
    from .demo import run_demo

    if autosend not in ("none", "playbook"):
        typer.echo("error: --autosend must be none or playbook", err=True)
        raise typer.Exit(2)
    raise typer.Exit(run_demo(exit_when_idle=exit_when_idle, port=port, speed=speed, database_url=database,
                              autosend=autosend, webhooks=webhooks))


def _register_areas() -> None:
    """Commands that live with their area (scoring, queue, reports)."""
    for register in (register_scoring, register_web, register_reports, register_playbook, register_webhooks,
                     register_inbox):
        register(app)


def main(argv: list[str] | None = None) -> None:
    _register_areas()
    _register_going_live()
    try:
        app(args=argv)
    except SocialCareError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _register_going_live() -> None:
    """`webhooks subscribe` / `webhooks subscriptions`, added to the `webhooks` group (created if absent)."""
    register_going_live(app)
