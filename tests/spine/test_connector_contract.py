"""The contract every connector passes, against the simulator over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from social_care.errors import RetriableError, SocialCareError
from social_care.models import Channel, ReplyTarget
from social_care.pipeline import poll_stream
from social_care.store import repo
from social_care.store.tables import Cursor, Post, StreamPause

from .helpers import FAULT_PLATFORM, PAGE_FILL, STREAM_OF, Feeder, allow_any_reply, connector

CHANNELS = list(Channel)
ids = [c.value for c in CHANNELS]




def _count(app, channel: Channel) -> int:
    with app.session() as s:
        return s.exec(select(func.count()).select_from(Post).where(Post.channel == channel.value)).one()


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_connector_resumes_from_cursor_without_duplicates(app, sim, channel):
    feed = Feeder(sim)
    feed.many(channel, 3)
    first = poll_stream(app, connector(app, STREAM_OF[channel]))
    assert (first.outcome, first.stored) == ("ok", 3)
    again = poll_stream(app, connector(app, STREAM_OF[channel]))
    assert again.stored == 0
    feed.add(channel, "one more question about sizes")
    third = poll_stream(app, connector(app, STREAM_OF[channel]))
    assert third.stored == 1
    assert _count(app, channel) == 4


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_connector_drains_every_page(app, sim, channel):
    Feeder(sim).many(channel, PAGE_FILL[channel])
    result = poll_stream(app, connector(app, STREAM_OF[channel]))
    assert result.outcome == "ok", result.error
    assert _count(app, channel) == PAGE_FILL[channel]


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_cursor_unchanged_when_drain_is_interrupted(app, sim, channel):
    Feeder(sim).many(channel, PAGE_FILL[channel])
    conn = connector(app, STREAM_OF[channel])
    batches = conn.poll(None)
    first = next(batches)
    assert first.checkpoint is None  # newest-first and multi-page streams only checkpoint at the end
    sim.fail_next(platform=FAULT_PLATFORM[channel], status=503, count=50)
    with pytest.raises(RetriableError):
        for _ in batches:
            pass
    # through the pipeline: the failure is recorded, the cursor is not written
    result = poll_stream(app, conn)
    assert result.outcome == "retriable"
    with app.session() as s:
        assert s.get(Cursor, conn.stream) is None


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_rate_limit_pauses_the_stream_until_reset(app, sim, clock, channel):
    Feeder(sim).many(channel, 2)
    sim.rate_limit(platform=FAULT_PLATFORM[channel], seconds=900)
    conn = connector(app, STREAM_OF[channel])
    result = poll_stream(app, conn)
    assert result.outcome == "rate_limited"
    with app.session() as s:
        pause = s.get(StreamPause, conn.stream)
        assert pause is not None and pause.kind == "rate_limit"
    # the next tick skips the stream without calling the platform
    calls = len(sim.requests)
    assert poll_stream(app, conn).outcome == "paused"
    assert len(sim.requests) == calls


def test_x_rate_limit_reset_comes_from_the_header(app, sim, clock):
    Feeder(sim).many(Channel.X_MENTION, 1)
    sim.rate_limit(platform="x", seconds=900)
    conn = connector(app, "x.mentions")
    poll_stream(app, conn)
    with app.session() as s:
        pause = repo.active_pause(s, stream=conn.stream, now=clock())
        assert pause is not None
        until = pause.until if pause.until.tzinfo else pause.until.replace(tzinfo=clock().tzinfo)
    # the simulator's reset is real time + 900 s; the pause ends there, not at a made-up default
    assert timedelta(seconds=600) < until - clock() < timedelta(seconds=1200)


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_own_posts_are_not_stored(app, sim, channel):
    allow_any_reply(sim, channel)
    feed = Feeder(sim)
    feed.add(channel, "my parcel is late, please help")
    poll_stream(app, connector(app, STREAM_OF[channel]))
    with app.session() as s:
        post = s.exec(select(Post).where(Post.channel == channel.value)).one()
    target = ReplyTarget(channel, post.reply_thread_id, post.reply_recipient_id)
    app.responders.for_target(target).send(target, "Sorry to hear that! We're on it.")
    poll_stream(app, connector(app, STREAM_OF[channel]))
    with app.session() as s:
        texts = s.exec(select(Post.text).where(Post.channel == channel.value)).all()
    assert all("We're on it" not in t for t in texts)
    assert len(texts) == 1


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_reply_lands_on_exactly_the_right_thread(app, sim, channel):
    allow_any_reply(sim, channel)
    feed = Feeder(sim)
    ids_ = [feed.add(channel, f"question number {i}") for i in range(3)]
    poll_stream(app, connector(app, STREAM_OF[channel]))
    with app.session() as s:
        post = s.exec(select(Post).where(Post.channel == channel.value, Post.external_id == ids_[1])).one()
    target = ReplyTarget(channel, post.reply_thread_id, post.reply_recipient_id)
    delivery = app.responders.for_target(target).send(target, "Thanks for asking, here is the answer.")
    assert delivery.external_id
    writes = [w for w in sim.writes if w.kind in ("tweet_reply", "dm", "comment_reply", "messenger_send",
                                                   "ig_comment_reply", "ig_message_send")]
    assert len(writes) == 1
    if channel in (Channel.X_MENTION, Channel.X_SEARCH):
        assert [r["id"] if isinstance(r, dict) else r for r in sim.x.replies_to(ids_[1])]
        assert not sim.x.replies_to(ids_[0]) and not sim.x.replies_to(ids_[2])
    elif channel == Channel.X_DM:
        assert len(sim.x.dms_to(post.author_id)) == 1
    elif channel == Channel.FACEBOOK_COMMENT:
        assert len(sim.facebook.replies_to(ids_[1])) == 1
        assert not sim.facebook.replies_to(ids_[0])
    elif channel == Channel.INSTAGRAM_COMMENT:
        assert [c.text for c in sim.facebook.ig_replies_to(ids_[1])] == ["Thanks for asking, here is the answer."]
        assert not sim.facebook.ig_replies_to(ids_[0]) and not sim.facebook.ig_replies_to(ids_[2])
        assert writes[0].kind == "ig_comment_reply"
    elif channel == Channel.INSTAGRAM_DM:
        assert len(sim.facebook.messages_to(post.author_id)) == 1
        assert writes[0].kind == "ig_message_send"
    else:
        assert len(sim.facebook.messages_to(post.author_id)) == 1


@pytest.mark.parametrize("channel", CHANNELS, ids=ids)
def test_responder_declares_its_channel_limit(app, channel):
    responder = app.responders.for_target(ReplyTarget(channel, "1"))
    assert responder.channel == channel
    assert responder.max_length == {Channel.X_MENTION: 280, Channel.X_DM: 10_000,
                                    Channel.FACEBOOK_COMMENT: 8_000, Channel.MESSENGER: 2_000,
                                    Channel.INSTAGRAM_COMMENT: 2_200, Channel.INSTAGRAM_DM: 1_000,
                                    Channel.X_SEARCH: 280}[channel]


NEWER = [Channel.INSTAGRAM_COMMENT, Channel.INSTAGRAM_DM, Channel.X_SEARCH]


@pytest.mark.parametrize("channel", NEWER, ids=[c.value for c in NEWER])
def test_platform_refuses_a_reply_over_the_channel_limit(app, sim, channel):
    """The limit the responder declares is the platform's: one character more is refused (never cut)."""
    allow_any_reply(sim, channel)
    feed = Feeder(sim)
    feed.add(channel, "is my order on its way?")
    poll_stream(app, connector(app, STREAM_OF[channel]))
    with app.session() as s:
        post = s.exec(select(Post).where(Post.channel == channel.value)).one()
    target = ReplyTarget(channel, post.reply_thread_id, post.reply_recipient_id)
    responder = app.responders.for_target(target)
    with pytest.raises(SocialCareError):
        responder.send(target, "a" * (responder.max_length + 1))
    assert responder.send(target, "b" * responder.max_length).external_id
