"""The weekly mention report: figures from the store (``compute``), JSON/Markdown/HTML (``render``).

``weekly_job(app)`` is the scheduler's Monday job: last full week's report written to the reports
directory in all three formats, and its summary posted to Slack through the alert outbox.
``build_report(app, week=None)`` returns the figures; ``social_care.reports.cli.register`` adds
``social-care report``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from ..alerts import enqueue
from ..config import ReportSettings
from ..models import as_utc
from ..store.tables import Alert, Post
from .compute import Week, compute_report, count_posts, current_week, last_full_week, parse_week, summary_lines
from .render import FORMATS, render

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "FORMATS",
    "ReportSettings",
    "CURRENT_WEEK",
    "build_report",
    "empty_default_week",
    "last_full_week",
    "parse_week",
    "render",
    "report_due",
    "report_weeks",
    "resolve_week",
    "weekly_job",
    "write_report",
]
log = logging.getLogger(__name__)


CURRENT_WEEK = "current"  # `--week current`: this week so far (the report says "week to date")


def resolve_week(app: App, week: str | Week | None = None) -> Week:
    """``"2026-W47"``, ``"current"`` (this week so far) or None (the last full week), in the report time
    zone. ValueError for anything else, and for a week that has not begun."""
    cfg = app.settings.reports
    now = app.now()
    if week is None:
        return last_full_week(now, cfg.timezone)
    if isinstance(week, Week):
        return week
    if week.strip().lower() == CURRENT_WEEK:
        return current_week(now, cfg.timezone)
    wk = parse_week(week, cfg.timezone)
    if wk.start > now:
        raise ValueError(f"week {wk.label} has not begun yet (this week is {current_week(now, cfg.timezone).label})")
    return wk


def empty_default_week(app: App) -> dict[str, Any] | None:
    """When the last full week (the default report) has no posts but this week has some, both weeks
    and this week's count, so a command or page can say so and offer this week; else None."""
    cfg = app.settings.reports
    now = app.now()
    last, this = last_full_week(now, cfg.timezone), current_week(now, cfg.timezone)
    with app.session() as s:
        if count_posts(s, last):
            return None
        posts = count_posts(s, this)
    return {"last_full_week": last.label, "current_week": this.label, "current_posts": posts} if posts else None


def report_weeks(app: App) -> list[dict[str, Any]]:
    """The weeks a reader can open, newest first: this week so far, the last full week, and every week
    whose report the weekly job made; each with its post count (spam left out)."""

    cfg = app.settings.reports
    now = app.now()
    this, last = current_week(now, cfg.timezone), last_full_week(now, cfg.timezone)
    with app.session() as s:
        made = {
            key.removeprefix("report:"): as_utc(at)
            for key, at in s.exec(
                select(Alert.dedupe_key, Alert.created_at).where(col(Alert.dedupe_key).startswith("report:"))
            ).all()
        }
        weeks = {this.label: this, last.label: last}
        for label in made:
            try:
                weeks.setdefault(label, parse_week(label, cfg.timezone))
            except ValueError:
                log.warning("reports: a report alert names no week: %r", label)
        out = []
        for wk in sorted(weeks.values(), key=lambda w: w.start, reverse=True):
            out.append({
                "week": wk.label,
                "first_day": wk.first_day.isoformat(),
                "last_day": (wk.first_day + timedelta(days=6)).isoformat(),
                "posts": count_posts(s, wk),
                "week_to_date": wk == this,
                "last_full_week": wk == last,
                "generated_at": made.get(wk.label),
            })
    return out


def build_report(app: App, week: str | Week | None = None, *, tag: str | None = None) -> dict[str, Any]:
    """Figures of ``week`` (``"2026-W47"``, ``"current"`` for the week to date; default: the last full
    week in the report time zone); with ``tag``, of the posts carrying it (ValueError for what cannot be
    a tag)."""
    from ..inbox.tags import normalize_tag
    from ..workflow import WorkflowError

    now = app.now()
    wk = resolve_week(app, week)
    try:
        only = normalize_tag(tag) if tag is not None else None
    except WorkflowError as exc:
        raise ValueError(str(exc)) from None
    with app.session() as s:
        return compute_report(
            s,
            week=wk,
            settings=app.settings,
            as_of=now,
            public_url=str(getattr(app.settings, "public_url", "")),
            tag=only,
        )


def write_report(report: dict[str, Any], fmt: str, path: str | Path) -> Path:
    """Write atomically (temp file + rename), creating the directory."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(render(report, fmt))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def report_due(app: App) -> bool:
    """Whether the last full week's report is due and not made yet: its scheduled time (the configured
    day and hour after the week) has passed, the service held posts before the week ended, and no report
    for that week was sent. ``run --once`` from cron uses this instead of the scheduler's trigger."""

    cfg = app.settings.reports
    now = app.now()
    wk = last_full_week(now, cfg.timezone)
    day = DAYS.index(cfg.day.lower()[:3]) if cfg.day.lower()[:3] in DAYS else 0
    local_end = wk.end.astimezone(ZoneInfo(cfg.timezone))
    scheduled = (local_end + timedelta(days=day)).replace(hour=cfg.hour, minute=cfg.minute)
    if now < scheduled:
        return False
    with app.session() as s:
        if s.exec(select(Alert.id).where(Alert.dedupe_key == f"report:{wk.label}")).first() is not None:
            return False
        return s.exec(select(Post.id).where(Post.created_at < wk.end)).first() is not None


def weekly_job(app: App) -> dict[str, Any]:
    """Last full week's report in html, md and json, and its summary to Slack (once per week)."""

    cfg = app.settings.reports
    report = build_report(app)
    base = Path(cfg.reports_dir) / f"social-care-{report['week']}"
    files = [str(write_report(report, fmt, base.with_suffix(f".{fmt}"))) for fmt in FORMATS]
    lines = summary_lines(report)
    payload = {
        "headline": f":bar_chart: Weekly mention report {report['week']}",
        "body": "\n".join(f"• {line}" for line in lines),
        "context": [
            f"{report['first_day']} – {report['last_day']} ({report['timezone']})",
            f"Full report: {files[0]}",
        ],
        "buttons": [["Open the queue", f"{str(getattr(app.settings, 'public_url', '')).rstrip('/')}/posts"]],
        "fallback": f"Weekly mention report {report['week']}: {lines[0]}",
    }
    with app.session() as s:
        alert = enqueue(
            s, kind="report", dedupe_key=f"report:{report['week']}", now=app.now(), payload=payload
        )
    log.info("weekly report %s written to %s", report["week"], ", ".join(files))
    return {"week": report["week"], "files": files, "alert_created": alert is not None}
