"""Instagram comments and DMs and untagged X posts: what the contract suite does not cover.

Through the real pipeline against the simulator: an untagged X post never gets a reply without a person
(autosend on), its draft is phrased for someone who did not ask, the search query leaves out what is not
an untagged customer post, its daily budget pauses the stream, Instagram's DM window and 20-message view,
and a week with all seven channels exported and reported, checked against a hand count.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from social_care.alerts.blocks import post_message
from social_care.audit import AUTOSEND
from social_care.exporting import export_jsonl
from social_care.models import Channel, ReplyStatus, ReplyTarget
from social_care.outbox import send_due, send_reply
from social_care.pipeline import poll_all, poll_stream
from social_care.playbook import Playbook
from social_care.reports import build_report
from social_care.reports.render import to_html, to_markdown
from social_care.runner import status_report
from social_care.store.tables import Post, Reply
from social_care.workflow import approve_and_send

from .helpers import ALL_CHANNELS, ANGRY, IG_USER_ID, STREAM_OF, Feeder, connector

SENDS = ("tweet_reply", "dm", "comment_reply", "messenger_send", "ig_comment_reply", "ig_message_send")


@pytest.fixture
def settings(make_settings):
    return make_settings(SOCIAL_CARE_AUTOSEND="playbook", **ALL_CHANNELS)


def _post(app, channel: Channel, external_id: str) -> Post:
    with app.session() as s:
        return s.exec(select(Post).where(Post.channel == channel.value, Post.external_id == external_id)).one()


def _reply(app, post_id: int) -> Reply:
    with app.session() as s:
        return s.exec(select(Reply).where(Reply.post_id == post_id)).one()


def _sends(sim) -> list:
    return [w for w in sim.writes if w.kind in SENDS]


def test_newer_channels_are_not_polled_without_their_settings(make_settings, clock):
    from connectors import build_clients, build_connectors

    bare = make_settings(INSTAGRAM_BUSINESS_ACCOUNT_ID=None, SOCIAL_CARE_X_SEARCH_TERMS=None)
    streams = [c.stream for c in build_connectors(build_clients(bare, clock=clock), bare)]
    assert streams == ["x.mentions", "x.dms", "facebook.comments", "facebook.messenger"]
    full = make_settings(**ALL_CHANNELS)
    streams = [c.stream for c in build_connectors(build_clients(full, clock=clock), full)]
    assert sorted(streams) == sorted(STREAM_OF.values())
    assert make_settings(SOCIAL_CARE_X_SEARCH_TERMS=" , ,").x_search_term_list == []


# ---- x.search: a person approves every reply ------------------------------------------------------------

def test_untagged_x_post_never_goes_out_without_a_person(app, sim):
    assert app.settings.autosend.value == "playbook"
    feed = Feeder(sim)
    tweet = feed.add(Channel.X_SEARCH, ANGRY)
    tagged = feed.add(Channel.X_MENTION, ANGRY)  # the same words tagging the brand: autosend answers it
    poll_all(app)
    post, mention = _post(app, Channel.X_SEARCH, tweet), _post(app, Channel.X_MENTION, tagged)
    assert post.flagged and mention.flagged
    draft = _reply(app, post.id)
    assert (draft.status, draft.author, draft.approved_at) == (ReplyStatus.DRAFT.value, None, None)
    assert _reply(app, mention.id).status == ReplyStatus.APPROVED.value
    send_due(app)
    assert [w.target for w in _sends(sim)] == [tagged]  # only the tagged post was answered

    # even a reply that reached `approved` without a person (a bug, a script) is held by the outbox
    with app.session() as s:
        row = s.get(Reply, draft.id)
        row.status, row.author, row.approved_at = ReplyStatus.APPROVED.value, AUTOSEND, app.now()
        s.add(row)
    held = send_reply(app, draft.id)
    assert held.status == ReplyStatus.NEEDS_HUMAN.value
    assert "a person must approve every reply" in held.error
    assert [w.target for w in _sends(sim)] == [tagged]


def test_a_person_approves_and_x_decides(app, sim):
    """A team member's approval sends the reply on the post's own thread; when X refuses replies to a post
    that did not tag the brand (self-serve apps), the reply is left to a person with X's reason."""
    feed = Feeder(sim)
    first, second = feed.add(Channel.X_SEARCH, ANGRY), feed.add(Channel.X_SEARCH, ANGRY + " Again.")
    poll_stream(app, connector(app, "x.search"))
    refused = approve_and_send(app, _post(app, Channel.X_SEARCH, first).id, text=None, actor="ana",
                               expected_version=None)
    assert refused.reply.status == ReplyStatus.NEEDS_HUMAN.value
    assert "mention or quote the brand" in refused.reply.error and not _sends(sim)

    sim.x.summoned_replies_only = False  # an app tier X lets reply to any post
    sent = approve_and_send(app, _post(app, Channel.X_SEARCH, second).id, text=None, actor="ana",
                            expected_version=None)
    assert sent.reply.status == ReplyStatus.SENT.value and sent.reply.author == "ana"
    assert [r.text for r in sim.x.replies_to(second)] == [sent.reply.text] and not sim.x.replies_to(first)


def test_search_draft_is_phrased_for_someone_who_did_not_ask(app, sim):
    feed = Feeder(sim)
    tweet = feed.add(Channel.X_SEARCH, ANGRY)
    poll_stream(app, connector(app, "x.search"))
    draft = _reply(app, _post(app, Channel.X_SEARCH, tweet).id)
    assert draft.template_id == "en.unsolicited.other"
    book = Playbook.load(brand="Acme")
    for lang in book.languages:  # every language the playbook has drafts it from its own section
        for option in book.drafts(channel=Channel.X_SEARCH, lang=lang, category="delivery", name="Ana"):
            assert option.template_id == f"{lang}.unsolicited.other"
            assert len(option.text) <= 280
    # a templates file without the section still drafts (from en's)
    templates = {k: v for k, v in book.templates.items()}
    templates["de"] = {k: v for k, v in templates["de"].items() if k != "unsolicited"}
    assert Playbook(templates).drafts(channel=Channel.X_SEARCH, lang="de", category=None,
                                      name=None)[0].template_id == "en.unsolicited.other"


def test_search_leaves_out_own_posts_retweets_and_tagged_posts(app, sim):
    feed = Feeder(sim)
    wanted = feed.add(Channel.X_SEARCH, "three weeks and nothing")
    sim.x.add_tweet("4301", "akme lost my parcel", username="typo_user")  # a misspelling in the terms
    sim.x.add_tweet("4302", "@acmeshop acme where is my order")  # tagged: x.mention's
    sim.x.add_tweet("99", "Acme winter sale starts today")  # the brand's own post
    sim.x.add_tweet("4303", "RT: ordered from Acme", retweet_of=wanted)  # a retweet
    sim.x.add_tweet("4304", "nothing about the shop here")
    result = poll_stream(app, connector(app, "x.search"))
    assert result.outcome == "ok", result.error
    with app.session() as s:
        texts = sorted(s.exec(select(Post.text).where(Post.channel == "x.search")).all())
    assert texts == ["akme lost my parcel", "ordered from Acme: three weeks and nothing"]
    query = next(r.query["query"] for r in sim.requests if r.path == "/2/tweets/search/recent")
    assert query == '(acme OR "acme shop" OR akme) -from:99 -@acmeshop -is:retweet'


def test_search_budget_pauses_the_stream_until_the_next_day(make_settings, sim, clock):
    from social_care.app import build_app

    app = build_app(make_settings(SOCIAL_CARE_X_SEARCH_MAX_POSTS_PER_DAY=10, **ALL_CHANNELS), clock=clock)
    try:
        Feeder(sim).many(Channel.X_SEARCH, 25)
        result = poll_stream(app, connector(app, "x.search"))
        assert (result.outcome, result.stored) == ("rate_limited", 10)
        pause = status_report(app)["paused"]["x.search"]
        assert "daily budget of 10 posts" in pause["reason"]
        assert pause["until"].date() == (clock() + timedelta(days=1)).date()
        calls = len(sim.requests)
        assert poll_stream(app, connector(app, "x.search")).outcome == "paused"
        assert len(sim.requests) == calls  # no post read (nor paid for) while paused

        clock.advance(days=1)
        newer = Feeder(sim).many(Channel.X_SEARCH, 3, text="still waiting")
        again = poll_stream(app, connector(app, "x.search"))
        assert (again.outcome, again.stored) == ("ok", 3), again.error
        with app.session() as s:
            stored = set(s.exec(select(Post.external_id).where(Post.channel == "x.search")).all())
        assert set(newer) <= stored and len(stored) == 13
    finally:
        app.engine.dispose()


# ---- Instagram ------------------------------------------------------------------------------------------

def test_instagram_dm_window(app, sim, clock):
    """Like Messenger: inside 24 h of the customer's last message autosend answers; outside, a person does."""
    old = sim.facebook.add_ig_message(igsid="6100001", username="late.customer", text=ANGRY,
                                      created_at=clock() - timedelta(hours=25))
    fresh = sim.facebook.add_ig_message(igsid="6100002", username="new.customer", text=ANGRY,
                                        created_at=clock() - timedelta(hours=1))
    poll_stream(app, connector(app, "instagram.dms"))
    send_due(app)
    late = _reply(app, _post(app, Channel.INSTAGRAM_DM, old).id)
    assert late.status == ReplyStatus.NEEDS_HUMAN.value
    assert "outside Instagram DM's 24-hour window" in late.error
    assert _reply(app, _post(app, Channel.INSTAGRAM_DM, fresh).id).status == ReplyStatus.SENT.value
    assert [(w.kind, w.target) for w in _sends(sim)] == [("ig_message_send", "6100002")]


def test_instagram_dms_only_the_20_most_recent_can_be_read(app, sim):
    ids = [sim.facebook.add_ig_message(igsid="6100003", username="chatty", text=f"message {i}") for i in range(25)]
    result = poll_stream(app, connector(app, "instagram.dms"))
    assert result.stored == 20
    with app.session() as s:
        stored = set(s.exec(select(Post.external_id).where(Post.channel == "instagram.dm")).all())
    assert stored == set(ids[5:])
    assert "only the 20 most recent" in status_report(app)["last_polls"]["instagram.dms"]["error"]


def test_instagram_reply_to_a_reply_goes_under_the_top_comment(app, sim):
    media = sim.facebook.add_ig_media(caption="New boots")
    top = sim.facebook.add_ig_comment(media, user_id="6000001", username="first", text="do you ship to Oslo?")
    under = sim.facebook.add_ig_comment(media, user_id="6000002", username="second", text="same question",
                                        parent_id=top)
    poll_stream(app, connector(app, "instagram.comments"))
    post = _post(app, Channel.INSTAGRAM_COMMENT, under)
    assert (post.reply_thread_id, post.parent_external_id, post.author_handle) == (top, top, "second")
    target = ReplyTarget(Channel.INSTAGRAM_COMMENT, post.reply_thread_id, post.reply_recipient_id)
    app.responders.for_target(target).send(target, "We do, in 3 days!")
    assert [(c.from_id, c.text) for c in sim.facebook.ig_replies_to(top)] == [(IG_USER_ID, "We do, in 3 days!")]
    poll_stream(app, connector(app, "instagram.comments"))  # the brand's own reply is not a customer post
    with app.session() as s:
        assert len(s.exec(select(Post).where(Post.channel == "instagram.comment")).all()) == 2


def test_slack_message_names_the_platform(app, sim):
    tweet = Feeder(sim).add(Channel.INSTAGRAM_COMMENT, ANGRY)
    poll_stream(app, connector(app, "instagram.comments"))
    post = _post(app, Channel.INSTAGRAM_COMMENT, tweet)
    message = json.dumps(post_message("new_flag", post, now=app.now(), public_url="http://q"))
    assert "Instagram comment" in message and "View on Instagram" in message
    assert "https://www.instagram.com/p/" in message


# ---- all seven channels, exported and reported ----------------------------------------------------------

HAND_COUNT = {Channel.X_MENTION: 2, Channel.X_DM: 1, Channel.FACEBOOK_COMMENT: 3, Channel.MESSENGER: 1,
              Channel.INSTAGRAM_COMMENT: 4, Channel.INSTAGRAM_DM: 2, Channel.X_SEARCH: 3}


def test_an_exported_week_with_all_seven_channels_matches_the_report(app, sim):
    feed = Feeder(sim)
    texts = {"es": "Mi pedido no ha llegado y nadie responde", "de": "Meine Bestellung ist nicht angekommen",
             "en": "my order is late and nobody answers"}
    for channel, n in HAND_COUNT.items():
        for i in range(n):
            feed.add(channel, list(texts.values())[i % 3] + f" ({i})")
    results = poll_all(app)
    assert {r.stream for r in results} == set(STREAM_OF.values())
    assert all(r.outcome == "ok" for r in results), [(r.stream, r.error) for r in results]
    out = io.StringIO()
    export_jsonl(app, out)
    exported = Counter(json.loads(line)["channel"] for line in out.getvalue().splitlines())
    assert exported == {c.value: n for c, n in HAND_COUNT.items()}  # 16 posts, by hand
    report = build_report(app, "current")
    assert report["posts"]["total"] == sum(HAND_COUNT.values()) == 16
    assert report["posts"]["by_channel"] == {c.value: n for c, n in HAND_COUNT.items()}
    md, html = to_markdown(report), to_html(report)
    for channel in HAND_COUNT:
        assert channel.label in md and channel.label in html
