"""``social-care report --tag TAG``: the hand-computed week restricted to the posts carrying a tag, every
figure of posts, replies and follow-ups counted over those posts alone (both weeks)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from reports.week import build_week
from social_care.inbox.tags import add_tags
from social_care.reports import build_report, render
from social_care.reports.cli import register


@pytest.fixture
def tagged_app(care_app: Any, clock: Any) -> Any:
    posts = build_week(care_app, clock)
    for key in ("p1", "p3", "p5", "q1"):  # three posts of W47, one of W46
        add_tags(care_app, posts[key].id, "VIP", actor="jane", expected_version=None)
    add_tags(care_app, posts["p2"].id, "order-1234", actor="jane", expected_version=None)
    return care_app


def test_a_tag_report_counts_the_tagged_posts_alone(tagged_app: Any) -> None:
    everything = build_report(tagged_app, "2026-W47")
    r = build_report(tagged_app, "2026-W47", tag=" vip ")  # normalised as tags are
    assert everything["tag"] is None and r["tag"] == "vip"
    assert (r["posts"]["total"], r["posts"]["previous"], r["posts"]["spam"]) == (3, 1, 0)
    assert {c: n for c, n in r["posts"]["by_channel"].items() if n} == {
        "x.mention": 1, "x.dm": 1, "facebook.messenger": 1}
    assert r["sentiment"]["counts"] == {"negative": 3, "neutral": 0, "positive": 0, "unscored": 0}
    assert (r["flagged"]["count"], r["flagged"]["previous"]) == (3, 1)
    # first responses p1 30, p3 10, p5 180 min; resolutions p1 120, p5 210 min
    assert (r["first_response"]["count"], r["first_response"]["median_minutes"]) == (3, 30.0)
    assert (r["resolution"]["count"], r["resolution"]["median_minutes"]) == (2, 165.0)
    assert r["within_target"]["needing_answer"] == 3
    # follow-ups sent in W47 to tagged posts: p1 satisfied, p5 unsatisfied, q1 no answer
    assert {k: r["satisfaction"][k] for k in ("followups_sent", "satisfied", "unsatisfied", "no_answer")} == {
        "followups_sent": 3, "satisfied": 1, "unsatisfied": 1, "no_answer": 1}
    # replies sent to tagged posts (p1 twice, p3, p5), follow-ups left out; the whole week had six
    assert (r["answered_by"]["replies_sent"], everything["answered_by"]["replies_sent"]) == (4, 6)
    assert [(t["tag"], t["posts"]) for t in r["tags"]] == [("vip", 3)]
    assert r["team"] == everything["team"]  # the team table stays the whole team's, as the report says


def test_the_formats_name_the_tag(tagged_app: Any) -> None:
    r = build_report(tagged_app, "2026-W47", tag="vip")
    md = render(r, "md")
    assert md.startswith("# Weekly mention report 2026-W47 · tag vip") and "Only the posts tagged `vip`" in md
    html = render(r, "html")
    assert 'id="tag-scope"' in html and "· tag vip" in html
    assert 'id="tag-scope"' not in render(build_report(tagged_app, "2026-W47"), "html")


def test_report_tag_command(tagged_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = typer.Typer()
    register(cli)

    @cli.command("noop")
    def noop() -> None:  # a second command keeps Typer in multi-command mode
        pass

    monkeypatch.setenv("SOCIAL_CARE_DATABASE_URL", tagged_app.settings.database_url)
    result = CliRunner().invoke(cli, ["report", "--week", "2026-W47", "--format", "json", "--tag", "vip"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["tag"], data["posts"]["total"]) == ("vip", 3)
    none = CliRunner().invoke(cli, ["report", "--week", "2026-W47", "--format", "json", "--tag", "never-used"])
    assert none.exit_code == 0 and json.loads(none.stdout)["posts"]["total"] == 0
    bad = CliRunner().invoke(cli, ["report", "--week", "2026-W47", "--tag", "not a tag!"])
    assert bad.exit_code == 2 and "is not a tag" in bad.output
