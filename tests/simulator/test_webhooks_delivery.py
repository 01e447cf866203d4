"""The simulator's signed webhook deliveries, checked by a real receiver that verifies per platforms.md §3."""
import base64
import hashlib
import hmac
import json
import time

import pytest

from .helpers import BRAND_ID, PAGE_ID
from .webhook_receiver import Receiver

META, XPATH = "/webhooks/meta", "/webhooks/x"
FAST = {"retry_base": 0.02, "retry_max": 0.1}


@pytest.fixture
def rx(sim):
    with Receiver() as receiver:
        yield receiver
    sim.webhooks.reset()  # no delivery thread keeps knocking on a closed receiver


@pytest.fixture
def meta(sim, rx):
    sim.webhooks.configure("facebook", rx.url(META), **FAST)
    return rx


@pytest.fixture
def xhook(sim, rx):
    sim.webhooks.configure("x", rx.url(XPATH), **FAST)
    return rx


def changes(received):
    return [c["value"] for r in received for e in r.body["entry"] for c in e.get("changes", [])]


def messaging(received):
    return [m for r in received for e in r.body["entry"] for m in e.get("messaging", [])]


# ---- Meta ---------------------------------------------------------------------------------------------------------
def test_meta_comment_add_shape_and_signature(sim, meta):
    post = sim.facebook.add_post("Winter sale")
    cid = sim.facebook.add_comment(post, user_id="7012345678901234", name="Jane Doe", text="Is the app down?")
    got = meta.wait_for(2, META)
    assert all(r.signature_ok for r in got)
    assert all(r.headers["x-hub-signature"].startswith("sha1=") for r in got)
    body = got[1].body
    assert body["object"] == "page"
    (entry,) = body["entry"]
    assert entry["id"] == PAGE_ID and isinstance(entry["time"], int)
    (change,) = entry["changes"]
    assert change["field"] == "feed"
    value = change["value"]
    assert value["item"] == "comment" and value["verb"] == "add"
    assert value["comment_id"] == cid and value["post_id"] == post and value["parent_id"] == post
    assert value["message"] == "Is the app down?"
    assert value["from"] == {"id": "7012345678901234", "name": "Jane Doe"}
    assert isinstance(value["created_time"], int)
    assert changes(got[:1])[0]["item"] == "status"  # the Page's own post came first


def test_meta_body_is_escaped_unicode_so_only_raw_bytes_verify(sim, meta):
    post = sim.facebook.add_post("p")
    sim.facebook.add_comment(post, text="Lieferung kaputt ä/ö 😡")
    got = meta.wait_for(2, META)[1]
    assert got.raw.isascii() and b"\\u00e4" in got.raw and b"\\/" in got.raw
    assert changes([got])[0]["message"] == "Lieferung kaputt ä/ö 😡"
    reserialised = json.dumps(got.body).encode()
    assert not meta.meta_ok(reserialised, got.headers["x-hub-signature-256"])


def test_meta_reply_edit_remove_and_page_comment(sim, meta, graph):
    post = sim.facebook.add_post("p")
    top = sim.facebook.add_comment(post, text="first")
    reply = sim.facebook.add_comment(post, text="me too", parent_id=top, user_id="7000000000000002", name="Bo")
    sim.facebook.edit_comment(top, "first (edited)")
    sim.facebook.remove_comment(reply)
    graph.put_object(top, "comments", message="Sorry, we are on it")  # the Page's own comment
    values = changes(meta.wait_for(6, META))
    assert [(v["item"], v["verb"]) for v in values] == [
        ("status", "add"), ("comment", "add"), ("comment", "add"), ("comment", "edited"), ("comment", "remove"),
        ("comment", "add")]
    assert values[2]["parent_id"] == top
    assert values[3]["comment_id"] == top and values[3]["message"] == "first (edited)"
    assert values[4]["comment_id"] == reply and "message" not in values[4]
    assert values[5]["from"]["id"] == PAGE_ID and values[5]["parent_id"] == top


def test_messenger_message_and_echo(sim, meta, graph):
    mid = sim.facebook.add_message(psid="7012345678901234", name="Jane Doe", text="Hi, I need a refund")
    graph.put_object(PAGE_ID, "messages", recipient=json.dumps({"id": "7012345678901234"}),
                     message=json.dumps({"text": "Happy to help"}), messaging_type="RESPONSE")
    events = messaging(meta.wait_for(2, META))
    assert events[0]["sender"] == {"id": "7012345678901234"} and events[0]["recipient"] == {"id": PAGE_ID}
    assert events[0]["message"] == {"mid": mid, "text": "Hi, I need a refund"}
    assert isinstance(events[0]["timestamp"], int) and events[0]["timestamp"] > 10**12  # milliseconds
    assert events[1]["message"]["is_echo"] is True and events[1]["sender"] == {"id": PAGE_ID}
    assert events[1]["message"]["text"] == "Happy to help"


def test_meta_fields_decide_what_is_delivered(sim, rx):
    sim.webhooks.configure("facebook", rx.url(META), fields="messages", **FAST)
    post = sim.facebook.add_post("p")
    sim.facebook.add_comment(post, text="not subscribed: feed")
    sim.facebook.add_message(text="subscribed")
    assert sim.webhooks.wait_idle()
    assert len(rx.accepted()) == 1 and messaging(rx.accepted())[0]["message"]["text"] == "subscribed"


# ---- X ----------------------------------------------------------------------------------------------------------
def test_x_mention_shape_and_base64_signature(sim, xhook):
    tid = sim.x.add_mention(author_id="42", username="janedoe", text="@acmeshop my order never arrived")
    (got,) = xhook.wait_for(1, XPATH)
    assert got.signature_ok
    header = got.headers["x-twitter-webhooks-signature"]
    hexed = "sha256=" + hmac.new(b"sim-consumer-secret", got.raw, hashlib.sha256).hexdigest()
    assert header != hexed and base64.b64decode(header.removeprefix("sha256="))  # base64, not hex
    body = got.body
    assert body["for_user_id"] == BRAND_ID and body["user_has_blocked"] == "false"
    (tweet,) = body["tweet_create_events"]
    assert tweet["id_str"] == tid and tweet["text"] == "@acmeshop my order never arrived"
    assert tweet["user"]["id_str"] == "42" and tweet["user"]["screen_name"] == "janedoe"
    assert tweet["truncated"] is False and tweet["timestamp_ms"].isdigit()
    assert tweet["entities"]["user_mentions"][0]["id_str"] == BRAND_ID
    assert tweet["created_at"].endswith(" +0000 " + tweet["created_at"][-4:])


def test_x_long_post_has_extended_tweet(sim, xhook):
    text = "@acmeshop " + "the parcel came broken and nobody answers the phone, " * 5
    sim.x.add_mention(text=text.strip())
    (tweet,) = xhook.wait_for(1, XPATH)[0].body["tweet_create_events"]
    assert tweet["truncated"] is True and len(tweet["text"]) <= 140
    assert tweet["extended_tweet"]["full_text"] == text.strip()


def test_x_dms_both_directions(sim, xhook, x):
    eid = sim.x.add_dm(sender_id="42", username="janedoe", text="where is my refund?")
    x.create_direct_message(participant_id="42", text="Looking into it", user_auth=True)
    got = xhook.wait_for(2, XPATH)
    first, second = got[0].body, got[1].body
    (event,) = first["direct_message_events"]
    assert event["type"] == "message_create" and event["id"] == eid and event["created_timestamp"].isdigit()
    assert event["message_create"]["sender_id"] == "42"
    assert event["message_create"]["target"] == {"recipient_id": BRAND_ID}
    assert event["message_create"]["message_data"]["text"] == "where is my refund?"
    assert set(first["users"]) == {"42", BRAND_ID} and "apps" not in first
    (own,) = second["direct_message_events"]
    assert own["message_create"]["sender_id"] == BRAND_ID and own["message_create"]["source_app_id"] in second["apps"]


def test_x_only_the_brands_activity(sim, xhook, x):
    sim.x.add_tweet("55", "nothing to do with the brand", username="someone")
    tid = sim.x.add_mention(text="help")
    x.create_tweet(text="@janedoe we are on it", in_reply_to_tweet_id=tid, user_auth=True)
    got = xhook.wait_for(2, XPATH)
    assert sim.webhooks.wait_idle()
    tweets = [t for r in xhook.accepted() for t in r.body["tweet_create_events"]]
    assert [t["user"]["id_str"] for t in tweets] == ["42", BRAND_ID]
    assert "user_has_blocked" not in got[1].body  # the brand's own post is no mention
    assert tweets[1]["in_reply_to_status_id_str"] == tid


def test_x_needs_a_subscription(sim, rx):
    sim.x.add_mention(text="nobody listens")
    assert sim.webhooks.wait_idle() and rx.posts == [] and sim.webhooks.deliveries() == []


# ---- delivery behaviour --------------------------------------------------------------------------------------------
def test_retry_after_non_200_with_the_same_signed_body(sim, xhook):
    xhook.fail_next(2, status=503)
    sim.x.add_mention(text="retry me")
    assert xhook.wait_for(1, XPATH)
    assert sim.webhooks.wait_idle()
    tries = sim.webhooks.deliveries("x")
    assert [(a.attempt, a.status) for a in tries] == [(1, 503), (2, 503), (3, 200)]
    assert len({a.delivery for a in tries}) == 1 and len({a.body for a in tries}) == 1
    assert [r.status for r in xhook.posts] == [503, 503, 200]
    assert tries[2].at >= tries[1].at >= tries[0].at


def test_gives_up_after_max_attempts(sim, meta):
    sim.webhooks.configure("facebook", max_attempts=3)
    meta.fail_next(5)
    sim.facebook.add_post("p")
    assert sim.webhooks.wait_idle()
    assert [a.status for a in sim.webhooks.deliveries("facebook")] == [500, 500, 500]
    assert len(sim.webhooks.gave_up) == 1


def test_a_slow_receiver_times_out_and_is_retried(sim, xhook):
    sim.webhooks.configure("x", timeout=0.2)
    xhook.stall_next(1, seconds=1.0)
    sim.x.add_mention(text="slow")
    assert sim.webhooks.wait_idle(15)
    tries = sim.webhooks.deliveries("x")
    assert tries[0].status is None and "timed out" in tries[0].error.lower()
    assert tries[-1].status == 200 and tries[-1].attempt == 2


def test_bad_signature_is_refused_by_the_receiver(sim, rx):
    rx.app_secret = "another-secret"
    sim.webhooks.configure("facebook", rx.url(META), max_attempts=1)
    sim.facebook.add_post("p")
    assert sim.webhooks.wait_idle()
    assert [r.status for r in rx.posts] == [403] and not rx.posts[0].signature_ok


def test_duplicates(sim, meta):
    sim.webhooks.configure("facebook", duplicate=2)
    post = sim.facebook.add_post("p")
    got = meta.wait_for(3, META)
    assert sim.webhooks.wait_idle()
    assert len(meta.accepted()) == 3 and len({r.raw for r in got}) == 1
    assert changes(got)[0]["post_id"] == post
    assert sorted(a.copy for a in sim.webhooks.deliveries()) == [0, 1, 2]


def test_out_of_order(sim, meta):
    sim.webhooks.configure("facebook", out_of_order=3, hold_seconds=5)
    post = sim.facebook.add_post("p")
    first = sim.facebook.add_comment(post, text="one")
    second = sim.facebook.add_comment(post, text="two")
    got = meta.wait_for(3, META)
    ids = [v.get("comment_id", v["post_id"]) for v in changes(got)]
    assert ids == [second, first, post]


def test_out_of_order_flushes_a_short_group_after_hold(sim, meta):
    sim.webhooks.configure("facebook", out_of_order=5, hold_seconds=1.0)
    sim.facebook.add_post("a")
    sim.facebook.add_post("b")
    assert sim.webhooks.wait_idle()
    assert [v["message"] for v in changes(meta.accepted())] == ["b", "a"]


def test_batches_of_many_entries(sim, meta):
    sim.webhooks.configure("facebook", batch=1000, hold_seconds=5)
    post = sim.facebook.add_post("p")
    ids = [sim.facebook.add_comment(post, text=f"c{i}") for i in range(999)]
    got = meta.wait_for(1, META)
    assert len(got) == 1 and got[0].signature_ok
    values = changes(got)
    assert len(got[0].body["entry"]) == 1000 and [v["comment_id"] for v in values[1:]] == ids


def test_x_batches_group_one_kind_per_delivery(sim, xhook):
    sim.webhooks.configure("x", batch=3, hold_seconds=1.0)
    for i in range(4):
        sim.x.add_mention(text=f"m{i}")
    sim.x.add_dm(text="dm")
    assert sim.webhooks.wait_idle()
    shapes = [(sorted(k for k in r.body if k.endswith("_events")), len(next(v for k, v in r.body.items()
                                                                            if k.endswith("_events"))))
              for r in xhook.accepted()]
    assert shapes == [(["tweet_create_events"], 3), (["tweet_create_events"], 1), (["direct_message_events"], 1)]


def test_delay_holds_each_delivery(sim, xhook):
    sim.webhooks.configure("x", delay=0.3)
    made = sim.clock()
    sim.x.add_mention(text="later")
    assert xhook.wait_for(1, XPATH) and sim.webhooks.wait_idle()
    (attempt,) = sim.webhooks.deliveries("x")
    assert (attempt.at - made).total_seconds() >= 0.3


def test_stop_delivering_drops_events_but_the_api_still_has_them(sim, meta, graph):
    sim.webhooks.configure("facebook", stopped=True)
    post = sim.facebook.add_post("p")
    sim.facebook.add_comment(post, text="lost webhook")
    assert sim.webhooks.wait_idle() and meta.posts == []
    assert sim.webhooks.describe()["facebook"]["dropped"] == 2
    assert graph.get_connections(post, "comments")["data"][0]["message"] == "lost webhook"  # the backstop's view
    sim.webhooks.configure("facebook", stopped=False)
    sim.facebook.add_comment(post, text="back")
    assert changes(meta.wait_for(1, META))[0]["message"] == "back"


def test_control_api_knobs_and_records(sim, rx, http):
    answer = http.post("/_sim/webhooks", json={"platform": "x", "url": rx.url(XPATH), "duplicate": 1,
                                               "retry_base": 0.02})
    assert answer.status_code == 200 and answer.json()["x"]["knobs"]["duplicate"] == 1
    http.post("/_sim/x/mentions", json={"text": "via control"})
    assert rx.wait_for(2, XPATH)
    assert sim.webhooks.wait_idle()
    records = http.get("/_sim/webhooks").json()
    assert [d["status"] for d in records["deliveries"]] == [200, 200]
    assert http.post("/_sim/webhooks", json={"platform": "x", "bogus": 1}).status_code == 400
    assert http.post("/_sim/webhooks", json={"duplicate": 1}).status_code == 400
    post = http.post("/_sim/facebook/posts", json={"message": "p"}).json()["id"]
    cid = http.post("/_sim/facebook/comments", json={"post_id": post, "text": "a"}).json()["id"]
    assert http.post("/_sim/facebook/comments/edit", json={"comment_id": cid, "text": "b"}).status_code == 201
    assert sim.facebook.comments[cid].message == "b"
    assert http.post("/_sim/facebook/comments/remove", json={"comment_id": cid}).status_code == 201
    assert sim.facebook.comments[cid].deleted


def test_never_leaves_the_machine(sim):
    sim.webhooks.configure("x", "https://care.example.com/webhooks/x", max_attempts=1)
    sim.x.add_mention(text="where to?")
    assert sim.webhooks.wait_idle()
    (attempt,) = sim.webhooks.deliveries("x")
    assert attempt.status is None and "only connects to 127.0.0.1" in attempt.error


def test_resolve_maps_a_public_url_to_the_local_receiver(sim, rx):
    sim.webhooks.resolve = {"https://care.example.com": rx.origin}
    sim.webhooks.configure("x", "https://care.example.com/webhooks/x", **FAST)
    sim.x.add_mention(text="mapped")
    assert rx.wait_for(1, XPATH)[0].signature_ok and sim.webhooks.wait_idle()
    assert sim.webhooks.deliveries("x")[0].url == "https://care.example.com/webhooks/x"


def test_x_deleted_posts_arrive_as_tweet_delete_events(sim, xhook, http):
    tid = sim.x.add_mention(author_id="42", text="oops, wrong shop")
    other = sim.x.add_tweet("55", "unrelated", username="someone")
    assert http.post("/_sim/x/tweets/delete", json={"tweet_id": tid}).status_code == 201
    sim.x.delete_tweet(other)  # not the brand's business: no event
    got = xhook.wait_for(2, XPATH)
    assert sim.webhooks.wait_idle() and len(xhook.accepted()) == 2
    (event,) = got[1].body["tweet_delete_events"]
    assert event["status"] == {"id": tid, "user_id": "42"} and event["timestamp_ms"].isdigit()
    assert got[1].body["for_user_id"] == BRAND_ID


def test_reset_forgets_deliveries_being_retried(sim, xhook):
    sim.webhooks.configure("x", retry_base=2.0, retry_max=2.0)
    xhook.fail_next(1)
    sim.x.add_mention(text="first try fails")
    deadline = time.monotonic() + 10
    while not sim.webhooks.deliveries() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [a.status for a in sim.webhooks.deliveries()] == [500]  # the retry is due in 2 s
    sim.reset()
    assert sim.webhooks.wait_idle() and sim.webhooks.deliveries() == []
    assert len(xhook.posts) == 1  # the retry never went out
