"""The weekly report says who answered: replies sent in the week per team member, "automatic" for autosend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alerts.factory import add_post, add_reply, care_app, slack_settings  # noqa: F401  (shared fixtures)
from web.factory import make_user

from social_care.reports import build_report
from social_care.reports.render import to_html, to_markdown


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def answered_week(care_app: Any, clock: Any) -> Any:  # noqa: F811
    app = care_app
    make_user(app, "jane", "Jane Roe")
    make_user(app, "bob", "<b>Bob</b> & Co")
    post = add_post(app, created_at=at(16, 8), flagged=True, label="negative")
    old = add_post(app, created_at=at(9, 8), flagged=True, label="negative")
    sent = [  # (post, sent_at, kind, author)
        (post, at(16, 9), "manual", "jane"),
        (post, at(17, 9), "playbook", "jane"),  # a playbook draft jane approved
        (post, at(18, 9), "manual", "bob"),
        (post, at(18, 10), "playbook", "autosend"),
        (post, at(19, 10), "playbook", "autosend"),
        (post, at(20, 10), "playbook", "system"),  # autosent before the audit trail named it
        (post, at(20, 11), "followup", "system"),  # follow-ups are not answers
        (old, at(15, 23), "manual", "bob"),  # the week before
        (post, at(23, 1), "manual", "bob"),  # the week after
    ]
    for p, when, kind, author in sent:
        add_reply(app, p, sent_at=when, kind=kind, author=author)
    add_reply(app, post, sent_at=None, status="draft", author="bob")  # never sent
    clock.now = at(25, 12)
    return app


def test_who_answered_counts_replies_sent_in_the_week(answered_week: Any) -> None:
    r = build_report(answered_week, "2026-W47")
    assert r["answered_by"] == {
        "replies_sent": 6,
        "by_sender": [
            {"who": "automatic", "name": "Automatic (autosend)", "replies": 3},
            {"who": "jane", "name": "Jane Roe", "replies": 2},
            {"who": "bob", "name": "<b>Bob</b> & Co", "replies": 1},
        ],
    }
    md = to_markdown(r)
    assert "## Who answered" in md and "Replies sent this week: 6." in md
    assert "| Automatic (autosend) | 3 |" in md and "| Jane Roe | 2 |" in md
    html = to_html(r)
    table = html[html.index('id="answered-by"'):]
    table = table[: table.index("</table>")]
    assert "<b>Bob</b>" not in html and "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in table
    assert "Automatic (autosend)" in table and '<th class="n">6</th>' in table


def test_week_to_date_counts_only_what_was_sent_so_far(answered_week: Any, clock: Any) -> None:
    clock.now = at(18, 9).replace(minute=30)  # Wednesday 09:30: jane's two and bob's 09:00, not autosend's 10:00
    r = build_report(answered_week, "current")
    assert r["week_to_date"] is True
    assert r["answered_by"]["by_sender"] == [
        {"who": "jane", "name": "Jane Roe", "replies": 2},
        {"who": "bob", "name": "<b>Bob</b> & Co", "replies": 1},
    ]
