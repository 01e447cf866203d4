"""Every event kind, edits and removals, what is dropped, batches, duplicates, order, and a crash after the
commit: against the real pipeline and store, with payloads rendered from simulator records."""

from __future__ import annotations

import random
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import func, select

from social_care.app import build_app
from social_care.models import Channel, as_utc
from social_care.store.tables import Alert, Post, StatusEvent, WebhookState
from social_care.web import create_web_app
from social_care.webhooks.wake import stop_senders
from tests.spine.helpers import ANGRY, HAPPY, Feeder

from .signing import (
    ig_comment_change,
    ig_payload,
    meta_comment_change,
    meta_message_event,
    meta_payload,
    post_meta,
    post_x,
    x_dm_event,
    x_dms_payload,
    x_mentions_payload,
    x_tweet,
)

PAGE_ID = "104512345678901"


def _posts(app: Any) -> list[Post]:
    with app.session() as s:
        return list(s.exec(select(Post).order_by(Post.id)).all())


def _events(app: Any, post_id: int) -> list[StatusEvent]:
    with app.session() as s:
        return list(s.exec(select(StatusEvent).where(StatusEvent.post_id == post_id).order_by(StatusEvent.id)))


def test_x_mention_and_dm(client: Any, hook_app: Any, sim: Any) -> None:
    feed = Feeder(sim)
    tweet = feed.add(Channel.X_MENTION, ANGRY, name="Jane Doe")
    dm = feed.add(Channel.X_DM, HAPPY, name="Jo Bloggs")
    assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 200
    r = post_x(client, x_dms_payload(sim, [dm]))
    assert r.status_code == 200 and r.json()["stored"] == 1
    mention, message = _posts(hook_app)
    assert (mention.channel, mention.external_id, mention.author_handle) == ("x.mention", tweet, "user4201")
    assert mention.flagged and mention.status == "awaiting_approval"
    assert (mention.reply_thread_id, mention.reply_recipient_id, mention.thread_key) == (tweet, "4201", tweet)
    assert (message.channel, message.external_id, message.author_name) == ("x.dm", dm, "Jo Bloggs")
    assert message.reply_thread_id == message.thread_key == "99-4202" and not message.flagged
    with hook_app.session() as s:  # the Slack ping of the flagged post is queued with it
        assert s.exec(select(Alert.dedupe_key)).all() == [f"flagged:{mention.id}"]


def test_x_long_post_uses_extended_full_text(client: Any, hook_app: Any, sim: Any) -> None:
    text = "I have been waiting for three weeks now. " * 8
    tweet = sim.x.add_mention(author_id="77", username="longwinded", text=text)
    payload = {"for_user_id": "99", "tweet_create_events": [x_tweet(sim, tweet, long_text="yes")]}
    assert payload["tweet_create_events"][0]["truncated"] is True
    assert post_x(client, payload).status_code == 200
    [post] = _posts(hook_app)
    assert post.text == sim.x.tweets[tweet].text and len(post.text) > 280


def test_x_drops_the_brands_own_posts_other_users_and_unknown_kinds(client: Any, hook_app: Any, sim: Any) -> None:
    own = sim.x.add_tweet("99", "Our winter sale starts now")
    unrelated = sim.x.add_tweet("55", "just a tweet about the weather", username="someone")
    brand_dm = sim.x._append_dm("99", "42-99", "Thanks for writing, we are on it")
    payload = x_mentions_payload(sim, [own, unrelated])
    payload["direct_message_events"] = [x_dm_event(sim, brand_dm), {"type": "message_read", "id": "1"}]
    payload["favorite_events"] = [{"id": "fav"}]
    r = post_x(client, payload)
    assert r.status_code == 200
    assert r.json()["stored"] == 0 and r.json()["dropped"] == 3 and r.json()["unknown"] == 2
    other = post_x(client, x_mentions_payload(sim, [unrelated], for_user_id="12345"))
    assert other.status_code == 200 and other.json()["unknown"] == 1  # another account of the same app
    assert _posts(hook_app) == []
    with hook_app.session() as s:
        row = s.get(WebhookState, "x")
        assert (row.accepted, row.rejected, row.unknown) == (2, 0, 3)


def test_meta_comment_add_edit_remove(client: Any, hook_app: Any, sim: Any) -> None:
    page_post = sim.facebook.add_post(message="Winter sale!")
    comment = sim.facebook.add_comment(page_post, user_id="7011", name="Ann", text=ANGRY)
    reply = sim.facebook.add_comment(page_post, user_id="7012", name="Bo", text="me too, no answer at all",
                                     parent_id=comment)
    r = post_meta(client, meta_payload(PAGE_ID, changes=[meta_comment_change(sim, comment),
                                                         meta_comment_change(sim, reply)]))
    assert r.status_code == 200 and r.json()["stored"] == 2
    top, answer = _posts(hook_app)
    assert (top.channel, top.external_id, top.parent_external_id) == ("facebook.comment", comment, page_post)
    assert top.thread_key == f"{page_post}:{comment}" and top.reply_thread_id == comment
    assert answer.parent_external_id == comment and answer.thread_key == f"{page_post}:{comment}"

    edited = meta_comment_change(sim, comment, verb="edited", text="Sorted now, thanks")
    for _ in range(2):  # a retried delivery of the same edit changes nothing more
        assert post_meta(client, meta_payload(PAGE_ID, changes=[edited])).status_code == 200
    removed = {"field": "feed", "value": {"item": "comment", "verb": "remove", "comment_id": reply,
                                          "post_id": page_post, "from": {"id": "7012"}}}
    for _ in range(2):
        assert post_meta(client, meta_payload(PAGE_ID, changes=[removed])).status_code == 200
    top, answer = _posts(hook_app)
    assert top.text == "Sorted now, thanks"
    history = [e for e in _events(hook_app, top.id) if e.action == "customer_edited"]
    assert len(history) == 1 and ANGRY in (history[0].detail or "")
    assert answer.removed_at is not None and answer.text == "me too, no answer at all"  # kept, never deleted
    assert [e.action for e in _events(hook_app, answer.id)].count("customer_removed") == 1


def test_meta_edit_of_a_comment_not_stored_yet_stores_it_as_it_now_reads(client: Any, hook_app: Any,
                                                                           sim: Any) -> None:
    page_post = sim.facebook.add_post(message="New arrivals")
    comment = sim.facebook.add_comment(page_post, user_id="7020", name="Cy", text="first words")
    edited = meta_comment_change(sim, comment, verb="edited", text="where is my parcel??")
    assert post_meta(client, meta_payload(PAGE_ID, changes=[edited])).status_code == 200
    [post] = _posts(hook_app)
    assert post.text == "where is my parcel??"


def test_meta_drops_the_pages_own_comments_and_echoes_and_acknowledges_unknown(client: Any, hook_app: Any,
                                                                               sim: Any) -> None:
    page_post = sim.facebook.add_post(message="Hello")
    own = sim.facebook.add_comment(page_post, user_id=PAGE_ID, name="Acme", text="We are here to help")
    echo = {"sender": {"id": PAGE_ID}, "recipient": {"id": "8042"}, "timestamp": 1795680300000,
            "message": {"mid": "m_echo", "text": "our answer", "is_echo": True, "app_id": 1}}
    read = {"sender": {"id": "8042"}, "recipient": {"id": PAGE_ID}, "timestamp": 1795680300000,
            "read": {"watermark": 1795680300000}}
    payload = meta_payload(PAGE_ID, changes=[meta_comment_change(sim, own),
                                             {"field": "feed", "value": {"item": "reaction", "verb": "add"}},
                                             {"field": "ratings", "value": {}}],
                           messaging=[echo, read])
    r = post_meta(client, payload)
    assert r.status_code == 200 and r.json()["stored"] == 0
    assert r.json()["dropped"] == 2 and r.json()["unknown"] == 3
    r = post_meta(client, {"object": "permissions", "entry": []})
    assert r.status_code == 200 and r.json()["unknown"] == 1
    assert _posts(hook_app) == []


def test_instagram_drops_the_accounts_own_comments_and_echoes(client: Any, hook_app: Any, sim: Any) -> None:
    ig = sim.facebook.ig_user_id
    media = sim.facebook.add_ig_media("New arrivals")
    customer = sim.facebook.add_ig_comment(media, user_id="6042", username="dee", text=ANGRY)
    own = sim.facebook.add_ig_comment(media, user_id=ig, username="acmeshop", text="Sorry! DM us", parent_id=customer)
    echo = {"sender": {"id": ig}, "recipient": {"id": "6142"}, "timestamp": 1795680300000,
            "message": {"mid": "aWdfZAG1_echo", "text": "our answer", "is_echo": True}}
    seen = {"sender": {"id": "6142"}, "recipient": {"id": ig}, "timestamp": 1795680300000,
            "read": {"mid": "aWdfZAG1_echo"}}
    payload = ig_payload(ig, changes=[ig_comment_change(sim, own), {"field": "story_insights", "value": {}}],
                         messaging=[echo, seen])
    r = post_meta(client, payload)
    assert r.status_code == 200 and r.json()["stored"] == 0
    assert r.json()["dropped"] == 2 and r.json()["unknown"] == 2
    other = post_meta(client, ig_payload("17841499999999999", changes=[ig_comment_change(sim, customer)]))
    assert other.status_code == 200 and other.json()["stored"] == 0 and other.json()["unknown"] == 1
    # entry.time is when Meta sent it, not the comment's time: the comment's own timestamp is read
    r = post_meta(client, ig_payload(ig, changes=[ig_comment_change(sim, customer)], time=1700000000))
    assert r.json()["stored"] == 1
    (post,) = _posts(hook_app)
    assert (post.channel, post.external_id, post.author_handle) == ("instagram.comment", customer, "dee")
    comment = sim.facebook.ig_comments[customer]
    assert as_utc(post.created_at) == comment.created_at.replace(microsecond=0)
    assert post.permalink == f"https://www.instagram.com/p/{sim.facebook.ig_media[media].shortcode}/"


def test_instagram_is_not_read_without_the_business_account(make_settings: Any, clock: Any, sim: Any) -> None:
    app = build_app(make_settings(INSTAGRAM_BUSINESS_ACCOUNT_ID=None), clock=clock)
    try:
        with TestClient(create_web_app(app), base_url="http://127.0.0.1") as c:
            media = sim.facebook.add_ig_media("m")
            cid = sim.facebook.add_ig_comment(media, text=ANGRY)
            r = post_meta(c, ig_payload(sim.facebook.ig_user_id, changes=[ig_comment_change(sim, cid)]))
        assert r.status_code == 200 and r.json()["stored"] == 0 and r.json()["unknown"] == 1
    finally:
        stop_senders(app)
        app.engine.dispose()


def test_messenger_message_and_visitor_post(client: Any, hook_app: Any, sim: Any) -> None:
    mid = Feeder(sim).add(Channel.MESSENGER, ANGRY, name="Dee")
    visitor = sim.facebook.add_post(message="Your shop cancelled my order twice, useless", from_page=False,
                                    user_id="7030", name="Ed")
    post_value = {"item": "post", "verb": "add", "post_id": visitor, "message": sim.facebook.posts[visitor].message,
                  "from": {"id": "7030", "name": "Ed"},
                  "created_time": int(sim.facebook.posts[visitor].created_at.timestamp())}
    payload = meta_payload(PAGE_ID, changes=[{"field": "feed", "value": post_value}],
                           messaging=[meta_message_event(sim, mid, page_id=PAGE_ID)])
    assert post_meta(client, payload).status_code == 200
    by_channel = {p.channel: p for p in _posts(hook_app)}
    msg = by_channel["facebook.messenger"]
    assert msg.external_id == mid and msg.reply_thread_id == msg.reply_recipient_id == msg.author_id
    vp = by_channel["facebook.comment"]
    assert vp.external_id == visitor and vp.reply_thread_id == visitor and vp.thread_key == visitor


def test_a_1000_entry_batch_in_one_delivery(client: Any, hook_app: Any, sim: Any) -> None:
    feed = Feeder(sim)
    comments = feed.many(Channel.FACEBOOK_COMMENT, 1000, "where is my order, it is late")
    changes = [meta_comment_change(sim, c) for c in comments]
    r = post_meta(client, meta_payload(PAGE_ID, changes=changes))
    assert r.status_code == 200 and r.json()["stored"] == 1000 and r.json()["entries"] == 1000
    with hook_app.session() as s:
        assert s.exec(select(func.count()).select_from(Post)).one() == 1000
        assert s.get(WebhookState, "facebook").events == 1000


def test_duplicate_and_out_of_order_deliveries_store_each_post_once(client: Any, hook_app: Any, sim: Any) -> None:
    feed = Feeder(sim)
    tweets = feed.many(Channel.X_MENTION, 12, "my parcel is lost")
    deliveries = [x_mentions_payload(sim, [t]) for t in tweets] + [x_mentions_payload(sim, tweets[3:9])]
    deliveries += deliveries[:5]  # retried
    random.Random(7).shuffle(deliveries)  # and out of order
    for payload in deliveries:
        assert post_x(client, payload).status_code == 200
    posts = _posts(hook_app)
    assert sorted(p.external_id for p in posts) == sorted(tweets)
    for p in posts:  # one arrival event each
        assert [e.action for e in _events(hook_app, p.id)][:1] in (["received"], ["flagged"])
        assert sum(e.action in ("received", "flagged") for e in _events(hook_app, p.id)) == 1


def test_a_crash_between_the_commit_and_the_200_then_the_retry_is_one_post(hook_app: Any, sim: Any,
                                                                            monkeypatch: Any) -> None:
    from fastapi.testclient import TestClient

    from social_care.web import create_web_app
    from social_care.web import webhooks as routes

    tweet = Feeder(sim).add(Channel.X_MENTION, ANGRY)
    client = TestClient(create_web_app(hook_app), base_url="http://127.0.0.1", raise_server_exceptions=False)

    def crash(app: Any) -> None:
        raise RuntimeError("the process died before answering")

    monkeypatch.setattr(routes, "wake_senders", crash)
    assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 500  # the platform will retry
    assert len(_posts(hook_app)) == 1  # committed before the answer
    monkeypatch.undo()
    retry = post_x(client, x_mentions_payload(sim, [tweet]))
    assert retry.status_code == 200 and retry.json()["stored"] == 0 and retry.json()["duplicates"] == 1
    [post] = _posts(hook_app)
    assert post.external_id == tweet


def test_a_malformed_entry_costs_only_itself(client: Any, hook_app: Any, sim: Any) -> None:
    tweet = Feeder(sim).add(Channel.X_MENTION, ANGRY)
    payload = x_mentions_payload(sim, [tweet])
    payload["tweet_create_events"].insert(0, {"id_str": "5", "user": {}, "text": "no author"})
    r = post_x(client, payload)
    assert r.status_code == 200 and r.json()["stored"] == 1 and r.json()["skipped"] == 1


def test_threads_the_delivery_does_not_name_come_from_the_store_and_the_poll(client: Any, hook_app: Any,
                                                                            sim: Any) -> None:
    from social_care.pipeline import poll_all

    # X: a reply carries no conversation id; it joins the thread of the stored post it answers
    first = sim.x.add_mention(author_id="61", username="ann", text="@acmeshop my parcel is lost, awful")
    follow = sim.x.add_mention(author_id="61", username="ann", text="@acmeshop still nothing!!", in_reply_to=first)
    assert post_x(client, x_mentions_payload(sim, [first])).status_code == 200
    assert post_x(client, x_mentions_payload(sim, [follow])).status_code == 200
    by_id = {p.external_id: p for p in _posts(hook_app)}
    assert by_id[follow].thread_key == by_id[first].thread_key == first
    assert by_id[follow].parent_external_id == first
    # Messenger: the Graph look-up fails, so the post is stored at once under the customer's own key ...
    mid = Feeder(sim).add(Channel.MESSENGER, ANGRY, name="Dee")
    sim.reset_next("facebook", path_contains="conversations")
    event = meta_message_event(sim, mid, page_id=PAGE_ID)
    assert post_meta(client, meta_payload(PAGE_ID, messaging=[event])).status_code == 200
    [msg] = [p for p in _posts(hook_app) if p.external_id == mid]
    assert msg.thread_key == f"psid:{msg.author_id}" and msg.author_name is None
    # ... a second message of that customer joins it, and the next poll gives both the conversation's details
    second = sim.facebook.add_message(psid=msg.author_id, name="Dee", text="hello? anyone?")
    assert post_meta(client, meta_payload(PAGE_ID, messaging=[meta_message_event(sim, second, page_id=PAGE_ID)]))\
        .status_code == 200
    conv = sim.facebook.conversation_for(msg.author_id)
    poll_all(hook_app)
    msgs = [p for p in _posts(hook_app) if p.channel == "facebook.messenger"]
    assert len(msgs) == 2
    assert {p.thread_key for p in msgs} == {conv.id} and {p.author_name for p in msgs} == {"Dee"}
    assert all(not (p.raw or {}).get("webhook") for p in msgs)  # the platform's own item now
