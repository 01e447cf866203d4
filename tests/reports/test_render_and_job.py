"""The three formats carry the same figures; the HTML is self-contained; the Monday job writes and pings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reports.week import at
from social_care import alerts
from social_care.reports import build_report, render, weekly_job


def test_json_is_the_figures(week_app: Any) -> None:
    r = build_report(week_app, "2026-W47")
    assert json.loads(render(r, "json")) == r


def test_markdown_shows_the_same_figures(week_app: Any) -> None:
    md = render(build_report(week_app, "2026-W47"), "md")
    assert md.startswith("# Weekly mention report 2026-W47")
    for needle in (
        "| X mention | 4 |",
        "| negative | 5 | 62.5% | 50% | +12.5 pp |",
        "| First response, all channels | 5 | 30 min | 3.0 h |",
        "| Resolution | 3 | 3.5 h | 24.0 h |",
        "**50%** (3 of 6",
        "| delivery | 3 | 1 |",
        "| parcel | 4 | 1 | +3 |",
        "09:00–10:00 (5)",
        "| @ann | 3 | 2 | X mention |",
        "satisfied 1, unsatisfied 1, no answer 1",
    ):
        assert needle in md, needle


def test_html_is_one_self_contained_file(week_app: Any) -> None:
    html = render(build_report(week_app, "2026-W47"), "html")
    assert html.lstrip().startswith("<!doctype html>")
    assert html.count("<svg") >= 5 and "@media print" in html
    assert "<script" not in html and "<link" not in html and not re.search(r"\ssrc=", html)
    assert not re.search(r"url\(\s*['\"]?https?:", html)  # no remote fonts/images in CSS
    for needle in ("2026-W47", "62.5%", "+12.5 pp", "30 min", "parcel", "@ann", "50%"):
        assert needle in html, needle


def test_customer_text_is_escaped_in_html(care_app: Any, clock: Any) -> None:
    from alerts.factory import add_post

    clock.now = at(25, 12)
    add_post(
        care_app,
        created_at=at(17, 10),
        flagged=True,
        text="<script>alert(1)</script> & co",
        handle="<b>x</b>",
    )
    html = render(build_report(care_app, "2026-W47"), "html")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_weekly_job_writes_three_files_and_posts_the_summary_once(
    week_app: Any, sim: Any, clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # default SOCIAL_CARE_REPORTS_DIR is ./reports
    clock.now = at(23, 8)  # Monday morning
    result = weekly_job(week_app)
    assert result["week"] == "2026-W47" and result["alert_created"] is True
    names = sorted(Path(f).name for f in result["files"])
    assert names == ["social-care-2026-W47.html", "social-care-2026-W47.json", "social-care-2026-W47.md"]
    assert json.loads((tmp_path / "reports" / "social-care-2026-W47.json").read_text())["posts"]["total"] == 8
    assert weekly_job(week_app)["alert_created"] is False  # a re-run never posts twice
    alerts.evaluate(week_app)
    sent = 0
    for _ in range(5):
        sent += alerts.deliver(week_app)
        clock.advance(seconds=1)
    reports = [m for m in sim.slack.messages if "Weekly mention report" in m["text"]]
    assert len(reports) == 1
    assert "8 posts (+4 vs last week), 5 flagged" in str(reports[0]["blocks"])


def test_report_command(week_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    from social_care.reports.cli import register

    cli = typer.Typer()
    register(cli)

    @cli.command("noop")
    def noop() -> None:  # a second command keeps Typer in multi-command mode
        pass

    monkeypatch.setenv("SOCIAL_CARE_DATABASE_URL", week_app.settings.database_url)
    out = tmp_path / "r.md"
    result = CliRunner().invoke(cli, ["report", "--week", "2026-W47", "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| X mention | 4 |" in out.read_text()
    bad = CliRunner().invoke(cli, ["report", "--week", "2026-47"])
    assert bad.exit_code == 2 and "2026-W47" in bad.output
    bad_format = CliRunner().invoke(cli, ["report", "--format", "pdf"])
    assert bad_format.exit_code == 2
