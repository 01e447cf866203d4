"""Platforms refuse a text the brand already posted (X 403 "duplicate content", Graph code 506).

Each playbook template has several phrasings; a reply takes one the brand has not sent or queued on the channel
recently, and a public one gets the case reference only when every phrasing went out recently. A refusal is
classified, redrafted once with another unused phrasing (or, when none is left, the case reference) and sent once
more; a second refusal fails with its reason, shown in `status` and on the post page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from social_care.drafting import playbook_options
from social_care.models import Channel
from social_care.runner import run_once, status_report
from social_care.store.tables import Post, Reply

from .helpers import ANGRY, Feeder

X_USER_ID = "99"  # the brand's account in the shared simulator (tests/conftest.py)


def _replies(app):
    with app.session() as s:
        return list(s.exec(select(Reply).order_by(Reply.id)).all())


def _options(app, reply):
    with app.session() as s:
        return [o.text for o in playbook_options(app.playbook, s.get(Post, reply.post_id))]


def _x_refusals(sim):
    return [r for r in sim.requests if r.platform == "x" and r.method == "POST" and r.path == "/2/tweets"
            and r.status == 403]


@pytest.fixture
def generous_x(sim):
    """200 replies are more than X's 100 posts per 15 minutes; the simulator's rate limits are not under test."""
    sim.set_rate_limits("generous")
    yield sim
    sim.set_rate_limits("documented")


def test_200_same_named_angry_customers_all_get_a_reply_x_accepts(make_settings, clock, generous_x):
    """200 angry mentions from customers with the same first name about the same issue, playbook autosend, against
    the simulator's duplicate rule: every reply goes out, X refuses none, and no two texts are the same."""
    from social_care.app import build_app

    sim = generous_x
    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    feed = Feeder(sim)
    for _ in range(200):  # same first name, same problem: one template for all of them
        feed.add(Channel.X_MENTION, ANGRY, name="Jane Doe")
    sent = 0
    for _ in range(10):  # each cycle sends up to 50
        summary = run_once(app)
        sent += summary["replies_sent"]
        assert summary["replies_failed"] == 0, summary
        if sent == 200:
            break
    replies = _replies(app)
    assert len(replies) == 200 and sent == 200
    assert all(r.status == "sent" and r.error is None for r in replies)
    assert len({r.template_id for r in replies}) == 1  # the same template: only the phrasing differs
    texts = [w.payload["text"] for w in sim.writes if w.kind == "tweet_reply"]
    assert len(texts) == 200 and len(set(texts)) == 200
    assert _x_refusals(sim) == []  # none refused at all, so none refused twice
    # every phrasing is used before any reply needs the case reference
    options = set(_options(app, replies[0]))
    plain = [t for t in texts if "(ref. #" not in t]
    assert set(plain) == options and len(plain) == len(options) >= 3
    with_ref = [r for r in replies if "(ref. #" in r.text]
    assert all(r.text.endswith(f"(ref. #{r.post_id})") and len(r.text) <= 280 for r in with_ref)
    assert status_report(app)["reply_problems"] == []
    app.engine.dispose()


def test_a_phrasing_refused_by_x_is_redrafted_with_another_phrasing(app, sim):
    """The brand posted the draft's exact words by hand on X (the service cannot know): X refuses, and the reply is
    redrafted with another phrasing, not the case reference, and sent."""
    from social_care.outbox import send_due
    from social_care.pipeline import poll_all
    from social_care.workflow import approve_and_send

    Feeder(sim).add(Channel.X_MENTION, ANGRY, name="Jane Doe")
    poll_all(app)
    [draft] = _replies(app)
    sim.x.add_tweet(X_USER_ID, draft.text)  # the same words, already on the brand's timeline
    result = approve_and_send(app, draft.post_id, text=None, actor="system", expected_version=None)
    send_due(app)
    [reply] = _replies(app)
    assert reply.status == "sent" and reply.error is None, (result, reply.error)
    assert reply.text != draft.text and reply.text in _options(app, reply) and "(ref. #" not in reply.text
    assert [w.payload["text"] for w in sim.writes if w.kind == "tweet_reply"] == [reply.text]
    assert len(_x_refusals(sim)) == 1


def test_when_every_other_phrasing_is_in_use_the_redraft_gets_the_case_reference(make_settings, clock, sim):
    """Three same-named customers take the three phrasings; X refuses the first (posted by hand before): no phrasing is
    left, so that reply gets the case reference, and the other two go out as drafted."""
    from social_care.app import build_app
    from social_care.outbox import send_due
    from social_care.pipeline import poll_all

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    feed = Feeder(sim)
    for _ in range(3):
        feed.add(Channel.X_MENTION, ANGRY, name="Jane Doe")
    poll_all(app)
    drafted = _replies(app)
    assert len({r.text for r in drafted}) == 3 and not any("(ref. #" in r.text for r in drafted)
    sim.x.add_tweet(X_USER_ID, drafted[0].text)
    send_due(app)
    first, *others = _replies(app)
    assert first.status == "sent" and first.text == f"{drafted[0].text} (ref. #{first.post_id})"
    assert [(r.status, r.text) for r in others] == [("sent", r.text) for r in drafted[1:]]
    assert len(_x_refusals(sim)) == 1
    app.engine.dispose()


def test_a_persons_own_reply_refused_as_a_duplicate_gets_the_case_reference(app, sim):
    from social_care.pipeline import poll_all
    from social_care.workflow import approve_and_send

    Feeder(sim).add(Channel.X_MENTION, ANGRY, name="Jane Doe")
    poll_all(app)
    [draft] = _replies(app)
    mine = "Jane, so sorry about this. Please DM us your order number and we'll sort it out today."
    sim.x.add_tweet(X_USER_ID, mine)
    approve_and_send(app, draft.post_id, text=mine, actor="system", expected_version=None)
    sent = [r for r in _replies(app) if r.status == "sent"]
    assert [r.text for r in sent] == [f"{mine} (ref. #{draft.post_id})"]


@pytest.mark.parametrize("refusals", [1, 2], ids=["refused-once-redrafted", "refused-twice-fails"])
def test_graph_duplicate_refusal(make_settings, clock, sim, refusals):
    """The reply (POST /{comment-id}/comments) is refused as a duplicate: once, a redraft in another phrasing goes
    out; twice, it fails with a reason that `status` and the post page show."""
    from social_care.app import build_app
    from social_care.outbox import send_due
    from social_care.pipeline import poll_all

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    comment = Feeder(sim).add(Channel.FACEBOOK_COMMENT, ANGRY)
    poll_all(app)
    [drafted] = _replies(app)
    sim.graph_error_next(code=506, message="(#506) Duplicate status message", count=refusals,
                         path_contains=f"{comment}/comments")
    send_due(app)
    [reply] = _replies(app)
    if refusals == 1:
        assert reply.status == "sent" and reply.text != drafted.text and "(ref. #" not in reply.text
        assert reply.text in _options(app, reply)
        assert [w.payload["message"] for w in sim.writes if w.kind == "comment_reply"] == [reply.text]
    else:
        assert reply.status == "failed" and "duplicate" in (reply.error or "").lower()
        problems = status_report(app)["reply_problems"]
        assert problems and problems[0]["reply_id"] == reply.id and "reword" in problems[0]["reason"]
        _assert_post_page_shows(app, reply)
    app.engine.dispose()


def _assert_post_page_shows(app, reply):
    import html

    from fastapi.testclient import TestClient
    from web.factory import login, make_user

    from social_care.web import create_web_app

    make_user(app, "jane", "Jane Roe")
    with TestClient(create_web_app(app), base_url="http://127.0.0.1") as client:
        login(client, "jane")
        page = client.get(f"/posts/{reply.post_id}")
    assert page.status_code == 200
    assert html.escape(reply.error, quote=False) in page.text or html.escape(reply.error) in page.text


def test_recent_means_live_replies_on_the_same_channel_drafted_or_sent_in_the_last_7_days(app, clock):
    from datetime import timedelta

    from social_care.drafting import recent_texts

    now = clock()
    rows = [  # (text, channel, status, created days ago, sent days ago)
        ("sent yesterday", "x.mention", "sent", 1, 1),
        ("queued", "x.mention", "approved", 0, None),
        ("a draft", "x.mention", "draft", 0, None),
        ("drafted long ago, sent lately", "x.mention", "sent", 20, 2),
        ("sent 8 days ago", "x.mention", "sent", 8, 8),
        ("failed", "x.mention", "failed", 0, None),
        ("on another channel", "facebook.comment", "sent", 0, 0),
    ]
    with app.session() as s:
        post = Post(channel="x.mention", external_id="e1", author_id="1", customer_key="x:1", text="t",
                    created_at=now, ingested_at=now, thread_key="e1", reply_channel="x.mention", reply_thread_id="e1",
                    scorer="test", status="sent", updated_at=now)
        s.add(post)
        s.flush()
        for n, (text, channel, status, created, sent) in enumerate(rows):
            s.add(Reply(post_id=post.id, channel=channel, target_thread_id="e1", text=text, status=status,
                        idempotency_key=f"k{n}", created_at=now - timedelta(days=created),
                        sent_at=None if sent is None else now - timedelta(days=sent)))
    with app.session() as s:
        found = recent_texts(s, Channel.X_MENTION, [r[0] for r in rows], now=now)
    assert found == {"sent yesterday", "queued", "a draft", "drafted long ago, sent lately"}
