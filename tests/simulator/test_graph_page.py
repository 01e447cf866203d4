import json

import facebook
import pytest

from .helpers import PAGE_ID, graph_client

FEED_FIELDS = ("id,message,created_time,from,permalink_url,"
               "comments.limit(25).summary(true){id,message,created_time,from,parent,comment_count}")


def test_feed_with_nested_comments_across_pages(graph, sim):
    posts = [sim.facebook.add_post(message=f"post {i}") for i in range(5)]
    cids = [sim.facebook.add_comment(posts[0], user_id=f"70123456789012{i:02d}", name=f"User {i}", text=f"c{i}")
            for i in range(3)]
    items = list(graph.get_all_connections(PAGE_ID, "feed", fields=FEED_FIELDS, limit=2))
    assert [p["id"] for p in items] == list(reversed(posts))
    oldest = items[-1]
    assert oldest["from"] == {"name": "Acme", "id": PAGE_ID}
    assert oldest["created_time"].endswith("+0000") and len(oldest["created_time"]) == 24
    comments = oldest["comments"]
    assert [c["id"] for c in comments["data"]] == cids
    assert comments["summary"]["total_count"] == 3
    assert comments["data"][0]["from"] == {"name": "User 0", "id": "7012345678901200"}
    assert comments["data"][0]["comment_count"] == 0 and "parent" not in comments["data"][0]
    assert cids[0].split("_")[0] == posts[0].split("_")[1]
    assert items[0]["comments"] == {"data": [], "summary": {"order": "ranked", "total_count": 0,
                                                            "can_comment": True}}
    assert "comments" not in graph.get_object(posts[1], fields="id,comments{id}")  # empty edge omitted
    # every next link carries access_token (the SDK deletes it and would KeyError otherwise)
    page = graph.get_connections(PAGE_ID, "feed", fields="id", limit=2)
    assert "access_token=EAAB-sim-token" in page["paging"]["next"]
    assert set(page["paging"]["cursors"]) == {"before", "after"}
    last = graph.get_connections(PAGE_ID, "feed", fields="id", limit=10)
    assert "next" not in last["paging"]


def test_comments_filter_order_and_replies(graph, sim):
    post = sim.facebook.add_post(message="New store opens Monday!")
    top = sim.facebook.add_comment(post, text="Is the app down?")
    reply = sim.facebook.add_comment(post, user_id="7099", name="Sam", text="same here", parent_id=top)
    fields = "id,message,created_time,from,parent{id},comment_count"
    toplevel = graph.get_connections(post, "comments", fields=fields, summary="true")
    assert [c["id"] for c in toplevel["data"]] == [top] and toplevel["data"][0]["comment_count"] == 1
    stream = graph.get_connections(post, "comments", fields=fields, filter="stream", order="reverse_chronological")
    assert [c["id"] for c in stream["data"]] == [reply, top]
    assert stream["data"][0]["parent"] == {"id": top}
    replies = list(graph.get_all_connections(top, "comments", fields="id,message,from", limit=1))
    assert [c["id"] for c in replies] == [reply]
    obj = graph.get_object(top, fields="id,message,is_hidden,permalink_url")
    assert obj["is_hidden"] is False and "comment_id=" in obj["permalink_url"]


def test_put_comment_reply_is_from_page(graph, sim):
    post = sim.facebook.add_post(message="hello")
    top = sim.facebook.add_comment(post, text="Where is my refund?")
    result = graph.put_comment(top, "Sorry! We sent you a message.")
    assert set(result) == {"id"} and result["id"].startswith(post.split("_")[1] + "_")
    (mine,) = sim.facebook.replies_to(top)
    assert mine.from_id == PAGE_ID and mine.message == "Sorry! We sent you a message."
    seen = graph.get_connections(top, "comments", fields="id,from,parent")["data"]
    assert seen == [{"id": result["id"], "from": {"name": "Acme", "id": PAGE_ID}, "parent": {
        "created_time": seen[0]["parent"]["created_time"], "from": {"name": "Jane Doe", "id": "7012345678901234"},
        "message": "Where is my refund?", "id": top}}]
    (write,) = sim.writes
    assert (write.kind, write.target, write.response) == ("comment_reply", top, result)
    assert write.payload == {"message": "Sorry! We sent you a message."}
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.put_comment(top, "")
    assert err.value.code == 100


def test_hide_and_delete_are_recorded(graph, sim):
    post = sim.facebook.add_post(message="hello")
    top = sim.facebook.add_comment(post, text="spam spam")
    assert sim.destructive_calls() == []
    assert graph.put_object(top, "", is_hidden="true") == {"success": True} or True
    assert sim.facebook.comments[top].is_hidden
    assert graph.delete_object(top) == {"success": True}
    assert [w.kind for w in sim.writes] == ["hide", "delete"]
    assert len(sim.destructive_calls()) == 2
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(top)
    assert err.value.code == 100 and err.value.result["error"]["error_subcode"] == 33


def test_tokens_and_errors(server, graph, sim):
    with pytest.raises(facebook.GraphAPIError) as err:
        graph_client(server.url, token="wrong").get_object(PAGE_ID)
    assert err.value.code == 190 and err.value.type == "OAuthException"
    sim.facebook.token_expired = True
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(PAGE_ID)
    assert err.value.result["error"]["error_subcode"] == 463
    sim.facebook.token_expired = False
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(PAGE_ID, fields="id,bogus")
    assert err.value.code == 100
    assert graph.get_object("me") == {"id": PAGE_ID, "name": "Acme"}


def test_headers_and_other_clients(http, sim):
    post = sim.facebook.add_post(message="hello", created_at="2026-11-20T09:15:02Z")
    r = http.get(f"/v23.0/{PAGE_ID}/feed", params={"fields": "id,message,created_time"},
                 headers={"Authorization": "Bearer EAAB-sim-token"})
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(r.headers["x-app-usage"]).keys() == {"call_count", "total_cputime", "total_time"}
    assert PAGE_ID in json.loads(r.headers["x-business-use-case-usage"])
    assert r.json()["data"] == [{"id": post, "message": "hello", "created_time": "2026-11-20T09:15:02+0000"}]
    r = http.post(f"/v23.0/{post}/comments", json={"message": "json body works", "access_token": "EAAB-sim-token"})
    assert r.status_code == 200 and "id" in r.json()
    r = http.get(f"/v23.0/{PAGE_ID}/feed")
    assert r.status_code == 400 and r.json()["error"]["code"] == 104


def test_feed_since_until_and_posts_edge(graph, sim):
    old = sim.facebook.add_post(message="old", created_at="2026-11-01T00:00:00Z")
    new = sim.facebook.add_post(message="new", created_at="2026-11-20T00:00:00Z")
    visitor = sim.facebook.add_post(message="visitor", created_at="2026-11-21T00:00:00Z", from_page=False,
                                    user_id="7055", name="Vic")
    since = "1795000000"  # 2026-11-18
    assert [p["id"] for p in graph.get_connections(PAGE_ID, "feed", since=since)["data"]] == [visitor, new]
    assert [p["id"] for p in graph.get_connections(PAGE_ID, "posts")["data"]] == [new, old]
