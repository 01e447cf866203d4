"""Crash at the worst moments, then run again: nothing lost, nothing duplicated, nothing sent twice."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import func, select

from social_care.models import Channel, ReplyTarget
from social_care.outbox import send_due, send_reply
from social_care.pipeline import poll_stream
from social_care.store.tables import Cursor, Post, Reply

from .helpers import ANGRY, PAGE_FILL, STREAM_OF, Feeder, allow_any_reply, connector

CHANNELS = list(Channel)
ids = [c.value for c in CHANNELS]


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the product catches it."""


class CrashingScorer:
    """Delegates to the real scorer and dies on the Nth batch: a kill between fetch and commit."""

    def __init__(self, real, crash_on_call: int) -> None:
        self.real, self.name, self.calls, self.crash_on_call = real, real.name, 0, crash_on_call

    def score(self, text):
        return self.real.score(text)

    def score_many(self, texts):
        self.calls += 1
        if self.calls == self.crash_on_call:
            raise Crash()
        return self.real.score_many(texts)


def _count(app, channel):
    with app.session() as s:
        return s.exec(select(func.count()).select_from(Post).where(Post.channel == channel.value)).one()


@pytest.mark.parametrize("crash_on", [1, 2], ids=["first-batch", "second-batch"])
@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_kill_between_fetch_and_commit_then_rerun(app, sim, channel, crash_on):
    Feeder(sim).many(channel, PAGE_FILL[channel])
    conn = connector(app, STREAM_OF[channel])
    crashing = replace(app, scorer=CrashingScorer(app.scorer, crash_on))
    with pytest.raises(Crash):
        poll_stream(crashing, conn)
    with app.session() as s:
        assert s.get(Cursor, conn.stream) is None
    result = poll_stream(app, conn)
    assert result.outcome == "ok", result.error
    assert _count(app, channel) == PAGE_FILL[channel]
    assert poll_stream(app, conn).stored == 0


def _flagged_reply(app, sim, channel):
    allow_any_reply(sim, channel)
    Feeder(sim).add(channel, ANGRY)
    poll_stream(app, connector(app, STREAM_OF[channel]))
    with app.session() as s:
        reply = s.exec(select(Reply)).one()
        reply.status, reply.author, reply.approved_at = "approved", "ana", app.now()
        s.add(reply)
    return reply


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_kill_after_send_before_mark_sent_never_sends_twice(app, sim, channel):
    reply = _flagged_reply(app, sim, channel)
    # the process sends, then dies before recording it: the row is left in `sending`
    target = ReplyTarget(channel, reply.target_thread_id, reply.target_recipient_id)
    app.responders.for_target(target).send(target, reply.text)
    with app.session() as s:
        row = s.get(Reply, reply.id)
        row.status, row.sending_at, row.attempts = "sending", app.now(), 1
        s.add(row)
    send_due(app)
    with app.session() as s:
        row = s.get(Reply, reply.id)
        post = s.get(Post, row.post_id)
    assert row.status == "sent" and row.external_id
    assert post.status == "sent"
    assert len([w for w in sim.writes if w.kind != "slack"]) == 1


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_kill_before_send_after_mark_sending_sends_once(app, sim, channel):
    reply = _flagged_reply(app, sim, channel)
    with app.session() as s:
        row = s.get(Reply, reply.id)
        row.status, row.sending_at, row.attempts = "sending", app.now(), 1
        s.add(row)
    send_due(app)
    send_due(app)
    with app.session() as s:
        assert s.get(Reply, reply.id).status == "sent"
    assert len([w for w in sim.writes if w.kind != "slack"]) == 1


def test_send_failure_is_retried_later_not_lost(app, sim, clock):
    reply = _flagged_reply(app, sim, Channel.X_MENTION)
    sim.fail_next(platform="x", status=503, path_contains="/2/tweets")
    # a 503 may come from a gateway after the platform posted: back in the queue with a next attempt time,
    # still `sending`, so that attempt looks on the platform first
    assert send_reply(app, reply.id).status == "sending"
    clock.advance(minutes=5)
    assert send_reply(app, reply.id).status == "sent"
    assert len(sim.x.replies_to(reply.target_thread_id)) == 1


def test_unconfirmable_reply_goes_to_a_person_not_resent(app, sim):
    reply = _flagged_reply(app, sim, Channel.X_DM)
    with app.session() as s:
        row = s.get(Reply, reply.id)
        row.status, row.sending_at, row.attempts = "sending", app.now(), 1
        s.add(row)
    sim.fail_next(platform="x", status=403, path_contains="dm_events",
                  body='{"title": "Forbidden", "detail": "Forbidden", "type": "about:blank", "status": 403}',
                  content_type="application/json")
    send_due(app)
    with app.session() as s:
        row = s.get(Reply, reply.id)
    assert row.status == "needs_human" and "cannot be checked" in row.error
    assert not [w for w in sim.writes if w.kind == "dm"]


def test_reconciliation_waits_while_the_platform_is_down(app, sim):
    reply = _flagged_reply(app, sim, Channel.FACEBOOK_COMMENT)
    with app.session() as s:
        row = s.get(Reply, reply.id)
        row.status, row.sending_at, row.attempts = "sending", app.now(), 1
        s.add(row)
    sim.fail_next(platform="facebook", status=503, count=5)
    send_due(app)
    with app.session() as s:
        assert s.get(Reply, reply.id).status == "sending"
    assert not [w for w in sim.writes if w.kind == "comment_reply"]
