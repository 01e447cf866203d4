import pytest
import requests
import tweepy

from .helpers import BRAND_ID, x_client

DM_FIELDS = dict(dm_event_fields=["created_at", "sender_id", "dm_conversation_id"], expansions=["sender_id"],
                 user_fields=["username", "name"])


def test_dm_events_paging_and_brand_dms_visible(x, sim):
    ids = [sim.x.add_dm(sender_id="42", username="janedoe", text=f"msg {i}") for i in range(5)]
    sim.x.add_dm(sender_id="7", username="bob", text="other conversation")
    first = x.get_direct_message_events(max_results=3, **DM_FIELDS)
    assert len(first.data) == 3 and set(first.meta) == {"result_count", "next_token"}
    second = x.get_direct_message_events(max_results=3, pagination_token=first.meta["next_token"], **DM_FIELDS)
    got = [str(e.id) for e in first.data + second.data]
    assert got[1:] == list(reversed(ids)) and "next_token" not in second.meta
    event = first.data[1]
    assert event.event_type == "MessageCreate" and event.sender_id == 42
    assert event.dm_conversation_id == "42-99"
    assert {u.username for u in first.includes["users"]} == {"bob", "janedoe"}

    sent = x.create_direct_message(participant_id=42, text="Sorry! Can you share your order number?")
    assert sent.data == {"dm_conversation_id": "42-99", "dm_event_id": sent.data["dm_event_id"]}
    newest = x.get_direct_message_events(participant_id=42, max_results=1, **DM_FIELDS).data[0]
    assert str(newest.id) == sent.data["dm_event_id"] and newest.sender_id == int(BRAND_ID)
    assert [e.text for e in sim.x.dms_to("42")] == ["Sorry! Can you share your order number?"]
    (write,) = sim.writes
    assert (write.platform, write.kind, write.target) == ("x", "dm", "42")


def test_dm_by_conversation_id_and_limits(x, sim):
    sim.x.add_dm(sender_id="42", text="hi")
    resp = x.create_direct_message(dm_conversation_id="42-99", text="hello back")
    assert resp.data["dm_conversation_id"] == "42-99"
    events = x.get_direct_message_events(dm_conversation_id="42-99").data
    assert [e.text for e in events] == ["hello back", "hi"]
    with pytest.raises(tweepy.BadRequest):
        x.create_direct_message(participant_id=42, text="x" * 10_001)
    with pytest.raises(tweepy.BadRequest):
        x.get_direct_message_events(max_results=0)


def test_dm_endpoints_reject_app_only_auth(x, sim):
    with pytest.raises(tweepy.Forbidden):
        x.get_direct_message_events(user_auth=False)


def test_reply_to_mention(x, sim):
    tid = sim.x.add_mention(author_id="42", username="janedoe", text="my order never arrived")
    resp = x.create_tweet(text="@janedoe Sorry! DM us your order no.", in_reply_to_tweet_id=tid)
    reply_id = resp.data["id"]
    assert resp.data == {"id": reply_id, "text": "@janedoe Sorry! DM us your order no.",
                         "edit_history_tweet_ids": [reply_id]}
    assert [t.id for t in sim.x.replies_to(tid)] == [reply_id]
    got = x.get_tweet(reply_id, tweet_fields=["author_id", "conversation_id", "in_reply_to_user_id"]).data
    assert got.author_id == int(BRAND_ID) and got.conversation_id == int(tid) and got.in_reply_to_user_id == 42
    (write,) = sim.writes
    assert (write.kind, write.target) == ("tweet_reply", tid)
    assert write.payload == {"text": "@janedoe Sorry! DM us your order no.", "reply": {"in_reply_to_tweet_id": tid}}


def test_reply_rules(x, sim):
    tid = sim.x.add_mention(author_id="42", username="janedoe", text="help")
    other = sim.x.add_tweet("43", "@janedoe same here", username="sam", in_reply_to=tid)
    with pytest.raises(tweepy.Forbidden):  # summoned-reply rule: sam did not mention the brand
        x.create_tweet(text="Hi Sam", in_reply_to_tweet_id=other)
    with pytest.raises(tweepy.BadRequest):
        x.create_tweet(text="x" * 281, in_reply_to_tweet_id=tid)
    x.create_tweet(text="x" * 280, in_reply_to_tweet_id=tid)
    with pytest.raises(tweepy.Forbidden) as err:
        x.create_tweet(text="x" * 280, in_reply_to_tweet_id=tid)
    assert err.value.api_messages == ["You are not allowed to create a Tweet with duplicate content."]
    with pytest.raises(tweepy.Forbidden):
        x.create_tweet(text="reply to nothing", in_reply_to_tweet_id="1234")
    assert len(sim.x.replies_to(tid)) == 1 and len(sim.writes) == 1


def test_get_tweets_lookup_and_search(x, sim):
    tid = sim.x.add_mention(text="help")
    reply = x.create_tweet(text="on it", in_reply_to_tweet_id=tid).data["id"]
    resp = x.get_tweets([tid, reply, "1"], tweet_fields=["conversation_id"])
    assert [str(t.id) for t in resp.data] == [tid, reply]
    assert resp.errors[0]["resource_id"] == "1"
    assert x.get_tweet("1").data is None
    found = x.search_recent_tweets(f"conversation_id:{tid}", tweet_fields=["author_id"]).data
    assert [str(t.id) for t in found] == [reply, tid]


def test_delete_is_recorded(x, sim):
    tid = sim.x.add_mention(text="help")
    reply = x.create_tweet(text="on it", in_reply_to_tweet_id=tid).data["id"]
    assert sim.destructive_calls() == []
    assert x.delete_tweet(reply).data == {"deleted": True}
    assert sim.x.replies_to(tid) == []
    assert [w.kind for w in sim.writes] == ["tweet_reply", "delete"]
    (call,) = sim.destructive_calls()
    assert (call.method, call.path) == ("DELETE", f"/2/tweets/{reply}")


def test_rate_limit_injection_gives_reset_time(x, sim):
    sim.rate_limit("x", seconds=900, path_contains="/mentions")
    with pytest.raises(tweepy.TooManyRequests) as err:
        x.get_users_mentions(BRAND_ID)
    exc = err.value
    assert abs(exc.reset_time - (sim.clock().timestamp() + 900)) <= 2
    assert exc.response.json() == {"title": "Too Many Requests", "detail": "Too Many Requests",
                                   "type": "about:blank", "status": 429}
    assert "Retry-After" not in exc.response.headers
    assert x.get_me().data.id == int(BRAND_ID)  # other endpoints unaffected


def test_documented_counter_limits(x, sim):
    sim.set_rate_limits({"GET /2/users/:id/mentions": 2})
    x.get_users_mentions(BRAND_ID)
    x.get_users_mentions(BRAND_ID)
    with pytest.raises(tweepy.TooManyRequests) as err:
        x.get_users_mentions(BRAND_ID)
    assert err.value.response.headers["x-rate-limit-remaining"] == "0"
    assert err.value.reset_time is not None


def test_server_errors_html_and_malformed(x, sim):
    sim.fail_next("x", status=503)
    with pytest.raises(tweepy.TwitterServerError):
        x.get_users_mentions(BRAND_ID)
    sim.fail_next("x", status=502, body="<html><body>Bad Gateway</body></html>")
    with pytest.raises(tweepy.TwitterServerError) as err:
        x.get_users_mentions(BRAND_ID)
    assert err.value.response.headers["Content-Type"].startswith("text/html")
    sim.malformed_next("x")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        x.get_users_mentions(BRAND_ID)
    assert x.get_users_mentions(BRAND_ID).data is None  # faults were one-shot


def test_timeout_injection(server, sim):
    slow = x_client(server.url, timeout=0.3)
    sim.timeout_next("x", seconds=5, path_contains="/mentions")
    with pytest.raises(requests.exceptions.Timeout):
        slow.get_users_mentions(BRAND_ID)
    sim.release_stalls()
    assert slow.get_users_mentions(BRAND_ID).data is None


def test_user_timeline_lists_the_brands_replies(x, sim):
    tid = sim.x.add_mention(author_id="42", username="janedoe", text="my order never arrived")
    sim.x.add_tweet(author_id="42", text="unrelated post by the customer")
    reply_id = x.create_tweet(text="Sorry! Please DM us.", in_reply_to_tweet_id=tid).data["id"]
    timeline = x.get_users_tweets(int(BRAND_ID), tweet_fields=["referenced_tweets", "created_at"]).data
    assert [str(t.id) for t in timeline] == [reply_id]
    assert timeline[0].referenced_tweets[0].id == int(tid)
