import pytest
import requests
import tweepy

from .helpers import BRAND_ID, x_client

FIELDS = dict(tweet_fields=["created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets"],
              expansions=["author_id"], user_fields=["username", "name", "public_metrics"])


def test_empty_mentions_parse_as_none(x, sim):
    resp = x.get_users_mentions(BRAND_ID, **FIELDS)
    assert resp.data is None
    assert resp.meta == {"result_count": 0}
    assert resp.includes == {}


def test_mention_shape_and_includes(x, sim):
    tid = sim.x.add_mention(author_id="42", username="janedoe", name="Jane Doe",
                            text="@acmeshop my order never arrived", followers=120)
    resp = x.get_users_mentions(BRAND_ID, **FIELDS)
    (tweet,) = resp.data
    assert tweet.id == int(tid) and tweet.text == "@acmeshop my order never arrived"
    assert tweet.author_id == 42 and tweet.conversation_id == int(tid)
    assert tweet.created_at.tzinfo is not None  # parsed with milliseconds by tweepy
    assert tweet.edit_history_tweet_ids == [int(tid)]
    (user,) = resp.includes["users"]
    assert user.username == "janedoe" and user.public_metrics["followers_count"] == 120
    assert resp.meta == {"result_count": 1, "newest_id": tid, "oldest_id": tid}


def test_only_requested_fields_are_returned(x, sim):
    sim.x.add_mention(text="hello")
    raw = x_client_dict(x).get_users_mentions(BRAND_ID)
    assert set(raw["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    assert "includes" not in raw


def x_client_dict(x):
    x.return_type = dict
    return x


def test_text_gets_mention_prefix_and_reply_metadata(x, sim):
    root = sim.x.add_tweet(BRAND_ID, "Big sale today!")
    tid = sim.x.add_mention(author_id="7", username="bob", text="does it include shoes?", in_reply_to=root)
    (tweet,) = x.get_users_mentions(BRAND_ID, **FIELDS).data
    assert tweet.id == int(tid)
    assert tweet.text == "@acmeshop does it include shoes?"
    assert tweet.in_reply_to_user_id == int(BRAND_ID)
    assert tweet.conversation_id == int(root)
    assert tweet.referenced_tweets[0].id == int(root)


def test_pagination_newest_first_and_since_id(x, sim):
    ids = [sim.x.add_mention(author_id=str(100 + i), username=f"user{i}", text=f"help {i}") for i in range(12)]
    assert ids == sorted(ids, key=int)  # snowflake-like, increasing
    seen, tokens = [], []
    for page in tweepy.Paginator(x.get_users_mentions, BRAND_ID, max_results=5, **FIELDS):
        seen.extend(str(t.id) for t in page.data)
        tokens.append(page.meta.get("next_token"))
    assert seen == list(reversed(ids))
    assert tokens[-1] is None and all(tokens[:-1])
    newer = x.get_users_mentions(BRAND_ID, since_id=ids[8], max_results=5)
    assert [str(t.id) for t in newer.data] == list(reversed(ids[9:]))
    assert "next_token" not in newer.meta
    older = x.get_users_mentions(BRAND_ID, until_id=ids[2], max_results=5)
    assert [str(t.id) for t in older.data] == [ids[1], ids[0]]
    assert x.get_users_mentions(BRAND_ID, since_id=ids[-1]).data is None


def test_max_results_bounds(x, sim):
    with pytest.raises(tweepy.BadRequest) as err:
        x.get_users_mentions(BRAND_ID, max_results=3)
    assert "max_results" in str(err.value)
    with pytest.raises(tweepy.BadRequest):
        x.get_users_mentions(BRAND_ID, max_results=101)
    with pytest.raises(tweepy.BadRequest):
        x.get_users_mentions(BRAND_ID, tweet_fields=["nonsense"])
    with pytest.raises(tweepy.BadRequest):
        x.get_users_mentions(BRAND_ID, pagination_token="not-a-token")


def test_auth_is_required(server, sim):
    with pytest.raises(tweepy.Unauthorized):
        x_client(server.url, bearer="wrong").get_users_mentions(BRAND_ID)
    assert sim.requests[-1].status == 401
    assert sim.requests[-1].headers["authorization"] == "Bearer <redacted>"


def test_user_auth_and_me(x, sim):
    me = x.get_me(user_fields=["public_metrics"])
    assert me.data.id == int(BRAND_ID) and me.data.username == "acmeshop"
    sim.x.add_mention(text="hi")
    assert len(x.get_users_mentions(BRAND_ID, user_auth=True).data) == 1
    assert sim.requests[-1].headers["authorization"] == "OAuth <redacted>"


def test_rate_limit_headers_on_every_response(x, sim):
    assert x.get_users_mentions(BRAND_ID).data is None
    x.return_type = requests.Response
    r = x.get_users_mentions(BRAND_ID)
    assert r.headers["x-rate-limit-limit"] == "450"  # documented per-app limit (bearer)
    assert r.headers["x-rate-limit-remaining"] == "448"
    assert int(r.headers["x-rate-limit-reset"]) > sim.clock().timestamp()
    sim.fail_next("x", status=503)
    with pytest.raises(tweepy.TwitterServerError) as err:
        x.get_users_mentions(BRAND_ID)
    assert err.value.response.headers["x-rate-limit-remaining"] == "448"  # faults still carry the headers
