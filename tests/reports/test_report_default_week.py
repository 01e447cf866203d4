"""`social-care report` right after posts came in (as after the demo): the default stays the last full
week, but when it is empty and this week is not, the command says so and offers `--week current`, which
reports the week to date under that label. Through the real CLI, against the simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from spine.helpers import ANGRY, HAPPY, Feeder
from spine.test_cli import _cli, _env, _values

from social_care.models import Channel


def _this_week() -> str:
    y, w, _ = datetime.now(UTC).isocalendar()
    return f"{y}-W{w:02d}"


def _last_week() -> str:
    y, w, _ = (datetime.now(UTC) - timedelta(days=7)).isocalendar()
    return f"{y}-W{w:02d}"


def _store_posts_of_this_week(make_settings, sim, tmp_path) -> dict[str, str]:
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY)
    feed.add(Channel.FACEBOOK_COMMENT, HAPPY)
    env = _env(_values(make_settings()))
    proc = _cli("run", "--once", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["stored"] == 2
    return env


def test_default_report_says_the_last_week_is_empty_and_offers_this_week(make_settings, sim, tmp_path):
    env = _store_posts_of_this_week(make_settings, sim, tmp_path)
    proc = _cli("report", "--format", "json", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["week"] == _last_week() and report["posts"]["total"] == 0  # the default is unchanged
    assert report["week_to_date"] is False
    assert f"the last full week, {_last_week()}, has no posts" in proc.stderr
    assert f"this week so far ({_this_week()}) has 2" in proc.stderr
    assert "social-care report --week current" in proc.stderr


def test_week_current_is_the_week_to_date_and_says_so(make_settings, sim, tmp_path):
    env = _store_posts_of_this_week(make_settings, sim, tmp_path)
    proc = _cli("report", "--week", "current", "--format", "json", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["week"] == _this_week() and report["week_to_date"] is True
    assert report["posts"]["total"] == 2 and report["flagged"]["count"] == 1
    assert "note:" not in proc.stderr  # an explicit week gets no hint
    md = _cli("report", "--week", "current", "--format", "md", env=env, cwd=tmp_path)
    assert md.stdout.startswith(f"# Weekly mention report {_this_week()} (week to date)")
    html = _cli("report", "--week", _this_week(), "--format", "html", env=env, cwd=tmp_path)
    assert "· week to date</h1>" in html.stdout and "Week to date: the week is not over" in html.stdout


def test_no_hint_when_the_last_week_has_posts_or_nothing_came_in(make_settings, sim, tmp_path):
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY, created_at=datetime.now(UTC) - timedelta(days=7))
    env = _env(_values(make_settings()))
    assert _cli("run", "--once", env=env, cwd=tmp_path).returncode == 0
    proc = _cli("report", "--format", "json", env=env, cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["posts"]["total"] == 1, proc.stderr
    assert "note:" not in proc.stderr


def test_a_week_not_begun_is_refused(make_settings, sim, tmp_path):
    env = _env(_values(make_settings()))
    assert _cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    y, w, _ = (datetime.now(UTC) + timedelta(days=14)).isocalendar()
    proc = _cli("report", "--week", f"{y}-W{w:02d}", env=env, cwd=tmp_path)
    assert proc.returncode == 2 and "has not begun yet" in proc.stderr, proc.stderr
