"""Platforms refuse a text the brand already posted (X 403 "duplicate content", Graph code 506): the refusal
is classified, the reply is redrafted with the case reference and sent once more, and a second refusal
fails with its reason, shown in `status`."""

from __future__ import annotations

import pytest
from sqlmodel import select

from social_care.models import Channel
from social_care.runner import run_once, status_report
from social_care.store.tables import Reply

from .helpers import ANGRY, Feeder


def _replies(app):
    with app.session() as s:
        return list(s.exec(select(Reply).order_by(Reply.id)).all())


def test_identical_angry_mentions_all_get_a_reply_x_accepts(make_settings, clock, sim):
    from social_care.app import build_app

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    feed = Feeder(sim)
    for _ in range(6):  # same first name, same problem: the playbook draft is the same text
        feed.add(Channel.X_MENTION, ANGRY, name="Jane Doe")
    summary = run_once(app)
    replies = _replies(app)
    assert summary["replies_sent"] == 6 and summary["replies_failed"] == 0, summary
    assert all(r.status == "sent" and r.error is None for r in replies)
    texts = [w.payload["text"] for w in sim.writes if w.kind == "tweet_reply"]
    assert len(texts) == 6 and len(set(texts)) == 6
    assert sum("(ref. #" in t for t in texts) == 5
    app.engine.dispose()


@pytest.mark.parametrize("refusals", [1, 2], ids=["refused-once-redrafted", "refused-twice-fails"])
def test_graph_duplicate_refusal(make_settings, clock, sim, refusals):
    """The reply (POST /{comment-id}/comments) is refused as a duplicate: once, the redraft goes out;
    twice, it fails with a reason `status` shows."""
    from social_care.app import build_app
    from social_care.outbox import send_due
    from social_care.pipeline import poll_all

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    comment = Feeder(sim).add(Channel.FACEBOOK_COMMENT, ANGRY)
    poll_all(app)
    sim.graph_error_next(code=506, message="(#506) Duplicate status message", count=refusals,
                         path_contains=f"{comment}/comments")
    send_due(app)
    [reply] = _replies(app)
    if refusals == 1:
        assert reply.status == "sent" and reply.text.endswith(f"(ref. #{reply.post_id})")
        assert [w.payload["message"] for w in sim.writes if w.kind == "comment_reply"] == [reply.text]
    else:
        assert reply.status == "failed" and "duplicate" in (reply.error or "").lower()
        problems = status_report(app)["reply_problems"]
        assert problems and problems[0]["reply_id"] == reply.id and "reword" in problems[0]["reason"]
    app.engine.dispose()
