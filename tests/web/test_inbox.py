"""The team's inbox tools through the JSON API (and the plain forms where they differ): tags, internal notes
with @-mentions, bulk actions, saved replies, the team view and the "don't engage" mark."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from social_care.alerts import deliver
from social_care.inbox.macros import set_admin
from social_care.store.tables import Alert, Post, Reply, StatusEvent

from .factory import csrf_of, login, make_post

SLACK_PATH = "/services/T0SIM/B0SIM/simwebhooksecret"  # the webhook tests/conftest.py configures


def _h(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf}


def _version(app: Any, post_id: int) -> int:
    with app.session() as s:
        return s.get(Post, post_id).version


def _actions(app: Any, post_id: int) -> list[tuple[str, str, str | None]]:
    with app.session() as s:
        rows = s.exec(select(StatusEvent).where(StatusEvent.post_id == post_id).order_by(StatusEvent.id)).all()
        return [(e.action, e.actor, e.detail) for e in rows]


# ---- tags ----------------------------------------------------------------------------------------


def test_tags_are_added_filtered_counted_and_removed(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    vip = make_post(app, category="delivery")
    other = make_post(app, category="delivery")
    r = client.post(f"/api/posts/{vip.id}/tags",
                    json={"version": _version(app, vip.id), "tags": ["VIP", " Order 1234 "]},
                    headers=_h(csrf))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["tags"] == ["order-1234", "vip"]
    assert body["category"] == "delivery"  # tags are not the scoring category
    assert ("tagged", "jane", "vip, order-1234") in _actions(app, vip.id)

    assert [i["id"] for i in client.get("/api/queue?tag=vip").json()["items"]] == [vip.id]
    items = {i["id"]: i for i in client.get("/api/queue").json()["items"]}
    assert items[vip.id]["tags"] == ["order-1234", "vip"] and items[other.id]["tags"] == []
    assert client.get("/api/tags").json()["tags"] == [{"tag": "order-1234", "count": 1}, {"tag": "vip", "count": 1}]
    assert client.get("/api/queue?tag=no%20such%20tag!").status_code == 400
    page = client.get("/?tag=vip").text
    assert f'data-id="{vip.id}"' in page and f'data-id="{other.id}"' not in page

    # a stale view is refused; a junk tag is refused with the reason
    stale = client.post(f"/api/posts/{vip.id}/tags", json={"version": vip.version, "tags": ["late"]}, headers=_h(csrf))
    assert stale.status_code == 409
    bad = client.post(f"/api/posts/{vip.id}/tags", json={"version": _version(app, vip.id), "tags": ["a b!"]},
                      headers=_h(csrf))
    assert bad.status_code == 400 and "not a tag" in bad.json()["detail"]

    r = client.post(f"/api/posts/{vip.id}/untag", json={"version": _version(app, vip.id), "tags": ["vip"]},
                    headers=_h(csrf))
    assert r.status_code == 200 and r.json()["tags"] == ["order-1234"]
    assert client.get("/api/queue?tag=vip").json()["items"] == []
    assert ("untagged", "jane", "vip") in _actions(app, vip.id)


def test_tags_from_the_page_form_need_csrf(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app)
    v = _version(app, post.id)
    assert client.post(f"/posts/{post.id}/tags", data={"version": v, "tags": "vip"}).status_code == 403
    r = client.post(f"/posts/{post.id}/tags", data={"version": v, "tags": "vip, refund-approved", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=tagged")
    page = client.get(r.headers["location"]).text
    assert "refund-approved" in page and "Tags saved." in page


# ---- notes and mentions --------------------------------------------------------------------------


def test_a_note_with_a_mention_pings_slack_and_badges_the_queue(
    app: Any, team: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    client, csrf = jane
    post = make_post(app, text="my parcel is lost, I want my money back")
    before = _version(app, post.id)
    r = client.post(f"/api/posts/{post.id}/notes", json={"text": "@bob can you check the refund? cc @nobody"},
                    headers=_h(csrf))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mentioned"] == ["bob"] and body["unknown"] == ["nobody"]
    assert _version(app, post.id) == before  # a note leaves open views valid
    detail = client.get(f"/api/posts/{post.id}").json()
    assert [n["text"] for n in detail["notes"]] == ["@bob can you check the refund? cc @nobody"]
    assert all(c["who"] in ("customer", "brand") and "refund?" not in c["text"] for c in detail["conversation"])
    assert any(a["action"] == "noted" and a["actor"] == "jane" for a in detail["activity"])
    page = client.get(f"/posts/{post.id}").text
    assert 'class="msg note"' in page and "Internal note" in page

    # Slack gets a Block Kit message with a link to the post; the customer gets nothing
    assert deliver(app) == 1
    [message] = sim.slack.messages_to(SLACK_PATH)
    assert message["blocks"][0]["type"] == "header" and "@bob" in message["blocks"][0]["text"]["text"]
    urls = [e["url"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert urls == [f"{app.settings.public_url.rstrip('/')}/posts/{post.id}"]
    assert [w for w in sim.writes if w.platform != "slack"] == []

    # bob sees a badge until he opens the post
    bob = TestClient(client.app, base_url="http://127.0.0.1")
    login(bob, "bob")
    assert bob.get("/api/mentions").json() == {"count": 1}
    items = bob.get("/api/queue").json()["items"]
    assert [i["mentioned"] for i in items if i["id"] == post.id] == [True]
    assert [i["id"] for i in bob.get("/api/queue?mentioned=bob&status=all").json()["items"]] == [post.id]
    assert 'id="mention-count"' in bob.get("/").text
    assert bob.get(f"/posts/{post.id}").status_code == 200
    assert bob.get("/api/mentions").json() == {"count": 0}
    assert bob.get("/api/queue?mentioned=bob&status=all").json()["items"] == []
    # jane's own queue never showed a badge
    assert [i["mentioned"] for i in client.get("/api/queue").json()["items"] if i["id"] == post.id] == [False]


def test_an_empty_note_is_refused(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app)
    assert client.post(f"/api/posts/{post.id}/notes", json={"text": "   "}, headers=_h(csrf)).status_code == 400
    assert client.post("/api/posts/99999/notes", json={"text": "hi"}, headers=_h(csrf)).status_code == 404
    with app.session() as s:
        assert s.exec(select(Alert)).all() == []


# ---- bulk actions --------------------------------------------------------------------------------


def test_bulk_assign_reports_a_stale_post_on_its_own_line(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    a, b, c = (make_post(app) for _ in range(3))
    items = [{"id": p.id, "version": _version(app, p.id)} for p in (a, b, c)]
    # meanwhile bob claims b: jane's view of b is stale
    r = client.post(f"/api/posts/{b.id}/assign", json={"version": items[1]["version"], "assignee": "bob"},
                    headers=_h(csrf))
    assert r.status_code == 200
    r = client.post("/api/bulk", json={"action": "assign", "assignee": "@me", "items": items}, headers=_h(csrf))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["ok"], out["failed"]) == (2, 1)
    by_id = {x["post_id"]: x for x in out["results"]}
    assert by_id[a.id]["ok"] and by_id[c.id]["ok"] and by_id[a.id]["detail"] == "assigned to jane"
    assert by_id[b.id]["error"] == "stale" and "reload" in by_id[b.id]["detail"]
    with app.session() as s:
        assert [s.get(Post, p.id).assignee for p in (a, b, c)] == ["jane", "bob", "jane"]
    assert ("assigned", "jane", "to jane") in _actions(app, a.id)


def test_bulk_tag_resolve_spam_and_approve_untouched_drafts(app: Any, jane: tuple[TestClient, str], sim: Any) -> None:
    client, csrf = jane
    tweet = sim.x.add_mention(author_id="42", username="janedoe", name="Jane Doe", text="@acmeshop where is my order")
    untouched = make_post(app, external_id=tweet, reply_thread_id=tweet,
                          draft="Hi Jane, we're sorry for the wait. Please DM us your order number.")
    edited = make_post(app)
    with app.session() as s:
        s.exec(select(Reply).where(Reply.post_id == edited.id)).one().author = "bob"
    nodraft = make_post(app, draft=None)

    def run(action: str, posts: list[Post], **extra: Any) -> dict[str, Any]:
        items = [{"id": p.id, "version": _version(app, p.id)} for p in posts]
        r = client.post("/api/bulk", json={"action": action, "items": items, **extra}, headers=_h(csrf))
        assert r.status_code == 200, r.text
        return {x["post_id"]: x for x in r.json()["results"]}

    tagged = run("tag", [untouched, edited], tags=["wave-1"])
    assert all(x["ok"] for x in tagged.values())
    assert [i["id"] for i in client.get("/api/queue?tag=wave-1").json()["items"]] == sorted(
        [untouched.id, edited.id], key=[i["id"] for i in client.get("/api/queue").json()["items"]].index)

    approved = run("approve", [untouched, edited, nodraft])
    assert approved[untouched.id]["ok"] and approved[untouched.id]["detail"] == "reply sent"
    assert not approved[edited.id]["ok"] and "edited by bob" in approved[edited.id]["detail"]
    assert not approved[nodraft.id]["ok"] and "no playbook draft" in approved[nodraft.id]["detail"]
    assert [t.text for t in sim.x.replies_to(tweet)] == [
        "Hi Jane, we're sorry for the wait. Please DM us your order number."]

    assert run("spam", [nodraft])[nodraft.id]["status"] == "spam"
    resolved = run("resolve", [edited, untouched])
    assert all(x["ok"] and x["status"] == "resolved" for x in resolved.values())
    again = run("resolve", [edited])
    assert again[edited.id]["error"] == "refused" and "already resolved" in again[edited.id]["detail"]
    bad = client.post("/api/bulk", json={"action": "explode", "items": [{"id": 1}]}, headers=_h(csrf))
    assert bad.status_code == 422


def test_bulk_form_works_without_javascript(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    a, b = make_post(app), make_post(app)
    page = client.get("/").text
    assert 'form="bulk-form"' in page and f'value="{a.id}:{_version(app, a.id)}"' in page
    ids = [f"{a.id}:{_version(app, a.id)}", f"{b.id}:{_version(app, b.id) - 1}"]  # b: an old view
    assert client.post("/bulk", data={"ids": ids, "action": "assign", "assignee": "bob"}).status_code == 403
    r = client.post("/bulk", data={"ids": ids, "action": "assign", "assignee": "bob", "csrf_token": csrf})
    assert r.status_code == 200
    assert "1 of 2 done" in r.text and "stale" in r.text
    with app.session() as s:
        assert s.get(Post, a.id).assignee == "bob" and s.get(Post, b.id).assignee is None
    r = client.post("/bulk", data={"action": "assign", "csrf_token": csrf})
    assert r.status_code == 400 and "select at least one post" in r.text.lower()


# ---- saved replies -------------------------------------------------------------------------------


def test_saved_replies_admin_only_rendered_for_the_post_and_counted(
    app: Any, jane: tuple[TestClient, str]
) -> None:
    client, csrf = jane
    text = "Hi {name}, we're sorry about order {order}. We've refunded it; it shows in 3-5 days."
    denied = client.post("/api/macros", json={"name": "Refund done", "text": text, "lang": "en"}, headers=_h(csrf))
    assert denied.status_code == 403
    set_admin(app, "jane", True)
    bad = client.post("/api/macros", json={"name": "Bad", "text": "Hi {customer}"}, headers=_h(csrf))
    assert bad.status_code == 400 and "{customer}" in bad.json()["detail"]
    rude = client.post("/api/macros", json={"name": "Rude", "text": "Not our fault, {name}."}, headers=_h(csrf))
    assert rude.status_code == 400 and "defensive" in rude.json()["detail"]
    m = client.post("/api/macros", json={"name": "Refund done", "text": text, "lang": "en"}, headers=_h(csrf)).json()
    de = client.post("/api/macros", json={"name": "Erstattung", "text": "Hallo {name}, erstattet.", "lang": "de"},
                     headers=_h(csrf)).json()
    long = client.post("/api/macros", json={"name": "Long story", "text": "We are sorry. " * 25},
                       headers=_h(csrf)).json()

    post = make_post(app, name="Maria Lopez", text="where is my order #778899?? terrible")
    listed = client.get(f"/api/posts/{post.id}/macros").json()["items"]
    by_name = {i["name"]: i for i in listed}
    assert set(by_name) == {"Refund done", "Long story"}  # the German one is not for an English post
    assert by_name["Refund done"]["preview"].startswith("Hi Maria, we're sorry about order 778899.")
    assert by_name["Refund done"]["fits"] and not by_name["Long story"]["fits"]  # X allows 280 characters
    assert client.get(f"/api/posts/{post.id}/macros?q=refund").json()["items"][0]["id"] == m["id"]

    # an order-… tag wins over the text
    client.post(f"/api/posts/{post.id}/tags", json={"version": _version(app, post.id), "tags": ["order-A1B2C3"]},
                headers=_h(csrf))
    r = client.post(f"/api/posts/{post.id}/macros/{m['id']}/insert", headers=_h(csrf))
    assert r.status_code == 200, r.text
    assert r.json()["text"].startswith("Hi Maria, we're sorry about order A1B2C3.") and r.json()["missing"] == []
    assert client.post(f"/api/posts/{post.id}/macros/{long['id']}/insert", headers=_h(csrf)).status_code == 400
    assert client.post(f"/api/posts/{post.id}/macros/99999/insert", headers=_h(csrf)).status_code == 404
    assert [i["uses"] for i in client.get("/api/macros?q=refund").json()["items"]] == [1]
    assert any(a == "macro_used" and actor == "jane" for a, actor, _ in _actions(app, post.id))

    # without a name or an order number: the greeting stands without the name, the order is asked for
    anon = make_post(app, name="1234", text="my parcel never came")
    r = client.post(f"/api/posts/{anon.id}/macros/{m['id']}/insert", headers=_h(csrf)).json()
    assert r["text"].startswith("Hi, we're sorry about order [order number].") and r["missing"] == ["order"]

    # edit and delete
    r = client.post(f"/api/macros/{de['id']}", json={"name": "Erstattung", "text": "Hallo {name}, wir haben erstattet.",
                                                     "lang": "de"}, headers=_h(csrf))
    assert r.status_code == 200 and r.json()["text"].endswith("wir haben erstattet.")
    assert client.post(f"/api/macros/{de['id']}/delete", headers=_h(csrf)).json() == {"deleted": de["id"]}
    assert client.post(f"/api/macros/{de['id']}/delete", headers=_h(csrf)).status_code == 404


def test_a_saved_reply_the_brand_just_sent_gets_the_case_reference(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    set_admin(app, "jane", True)
    m = client.post("/api/macros", json={"name": "Thanks", "text": "Thanks for your patience, we're on it.",
                                         "channel": "x.mention"}, headers=_h(csrf)).json()
    first = make_post(app, draft="Thanks for your patience, we're on it.")  # the same text is queued on X
    second = make_post(app)
    r = client.post(f"/api/posts/{second.id}/macros/{m['id']}/insert", headers=_h(csrf)).json()
    assert r["reference_added"] and r["text"].endswith(f"(ref. #{second.id})")
    dm = make_post(app, channel="x.dm")
    assert client.get(f"/api/posts/{dm.id}/macros").json()["items"] == []  # for X mentions only
    assert first.id


def test_saved_replies_page_and_the_no_javascript_insert(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    assert "Only admins edit them." in client.get("/macros").text
    r = client.post("/macros", data={"name": "Hi", "text": "Hello {name}!", "csrf_token": csrf})
    assert r.status_code == 200 and "Only an admin may edit the saved replies" in r.text  # back, with the reason
    set_admin(app, "jane", True)
    r = client.post("/macros", data={"name": "Hi", "text": "Hello {name}, sorry for the trouble!", "lang": "en",
                                     "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert "Hello {name}, sorry for the trouble!" in client.get("/macros").text
    post = make_post(app, name="Ana Silva")
    page = client.get(f"/posts/{post.id}").text
    macro_id = int(page.split('name="macro_id"')[1].split('value="')[1].split('"')[0])
    r = client.post(f"/posts/{post.id}/macro", data={"macro_id": macro_id, "csrf_token": csrf_of(page)})
    assert r.status_code == 200 and ">Hello Ana, sorry for the trouble!</textarea>" in r.text


# ---- per-agent views -----------------------------------------------------------------------------


def test_team_view_open_cases_oldest_waiting_and_first_response_median(
    app: Any, clock: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    client, csrf = jane
    tweet = sim.x.add_mention(author_id="42", username="janedoe", name="Jane Doe", text="@acmeshop help please")
    answered = make_post(app, external_id=tweet, reply_thread_id=tweet, minutes_ago=30)
    mine = make_post(app, minutes_ago=90)
    make_post(app, minutes_ago=5)  # unassigned
    for p in (answered, mine):
        client.post(f"/api/posts/{p.id}/assign", json={"version": _version(app, p.id), "assignee": "@me"},
                    headers=_h(csrf))
    r = client.post(f"/api/posts/{answered.id}/approve", json={"version": _version(app, answered.id)},
                    headers=_h(csrf))
    assert r.json()["reply"]["status"] == "sent"
    rows = {row["username"]: row for row in client.get("/api/team").json()["rows"]}
    assert rows["jane"]["open"] == 1 and rows["jane"]["oldest_waiting_minutes"] == 90.0
    assert rows["jane"]["first_response_median_minutes"] == 30.0 and rows["jane"]["replies"] == 1
    assert rows["bob"]["open"] == 0 and rows["bob"]["first_response_median_minutes"] is None
    assert rows["(unassigned)"]["open"] == 1 and rows["(unassigned)"]["oldest_waiting_minutes"] == 5.0
    page = client.get("/team").text
    assert 'data-user="jane"' in page and "1 h 30 min" in page
    mine_ids = [i["id"] for i in client.get("/api/queue?assignee=jane&status=open").json()["items"]]
    assert mine_ids == [mine.id]
    assert len(client.get("/api/queue?assignee=-&status=open").json()["items"]) == 1


# ---- don't engage --------------------------------------------------------------------------------


def test_dont_engage_keeps_the_author_out_of_the_default_view_and_autosend(
    app: Any, make_settings: Any, clock: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    from social_care.app import build_app
    from social_care.pipeline import draft_reply

    client, csrf = jane
    troll = make_post(app, author_id="666", text="give me free stuff or I tell everyone you scammed me")
    r = client.post(f"/api/posts/{troll.id}/author", json={"version": _version(app, troll.id), "dont_engage": True},
                    headers=_h(csrf))
    assert r.status_code == 400 and "why" in r.json()["detail"]
    r = client.post(f"/api/posts/{troll.id}/author", headers=_h(csrf),
                    json={"version": _version(app, troll.id), "dont_engage": True, "reason": "coupon extortion"})
    assert r.status_code == 200 and r.json()["author_mark"]["reason"] == "coupon extortion"
    assert ("author_marked", "jane", "don't engage with x:666: coupon extortion") in _actions(app, troll.id)

    later = make_post(app, author_id="666", text="still waiting for my free stuff, this is terrible")
    normal = make_post(app, text="my order never arrived, this is terrible")
    default = [i["id"] for i in client.get("/api/queue").json()["items"]]
    assert normal.id in default and troll.id not in default and later.id not in default
    assert sorted(i["id"] for i in client.get("/api/queue?muted=1").json()["items"]) == [troll.id, later.id]
    shown = {i["id"]: i["dont_engage"] for i in client.get("/api/queue?status=open").json()["items"]}
    assert shown[later.id] is True and shown[normal.id] is False  # every other view shows them, marked

    # autosend leaves their posts to a person
    auto = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    try:
        fresh_troll = make_post(auto, author_id="666", text="my order never arrived, this is terrible", draft=None)
        fresh_other = make_post(auto, author_id="777", text="my order never arrived, this is terrible", draft=None)
        with auto.session() as s:
            statuses = {p.id: draft_reply(auto, s, s.get(Post, p.id)).status for p in (fresh_troll, fresh_other)}
            reasons = s.get(Post, fresh_troll.id).reasons
    finally:
        auto.engine.dispose()
    assert statuses == {fresh_troll.id: "draft", fresh_other.id: "approved"}
    assert "don't engage" in reasons
    assert sim.writes == []  # nothing hidden or deleted on the platform (nor anything sent)

    r = client.post(f"/api/posts/{troll.id}/author", json={"version": _version(app, troll.id), "dont_engage": False},
                    headers=_h(csrf))
    assert r.status_code == 200 and r.json()["author_mark"] is None
    assert troll.id in [i["id"] for i in client.get("/api/queue").json()["items"]]


# ---- export and the weekly report ----------------------------------------------------------------


def test_export_and_weekly_report_carry_tags_team_and_saved_replies(
    app: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    import io
    import json

    from social_care.exporting import export_jsonl
    from social_care.reports import build_report
    from social_care.reports.render import render

    client, csrf = jane
    set_admin(app, "jane", True)
    tweet = sim.x.add_mention(author_id="42", username="janedoe", name="Jane Doe", text="@acmeshop refund please")
    vip = make_post(app, external_id=tweet, reply_thread_id=tweet, minutes_ago=20)
    plain = make_post(app)
    client.post(f"/api/posts/{vip.id}/tags", json={"version": _version(app, vip.id), "tags": ["vip"]}, headers=_h(csrf))
    m = client.post("/api/macros", json={"name": "Refund on its way", "text": "Hi {name}, your refund is on its way."},
                    headers=_h(csrf)).json()
    text = client.post(f"/api/posts/{vip.id}/macros/{m['id']}/insert", headers=_h(csrf)).json()["text"]
    r = client.post(f"/api/posts/{vip.id}/approve", json={"version": _version(app, vip.id), "text": text},
                    headers=_h(csrf))
    assert r.json()["reply"]["status"] == "sent"

    out = io.StringIO()
    assert export_jsonl(app, out, tag="vip") == 1
    record = json.loads(out.getvalue())
    assert record["external_id"] == tweet and record["tags"] == ["vip"]
    assert any(e["action"] == "tagged" for e in record["events"])
    out = io.StringIO()
    assert export_jsonl(app, out) == 2
    assert [json.loads(line)["tags"] for line in out.getvalue().splitlines()] == [["vip"], []]

    report = build_report(app, "current")
    team = {t["username"]: t for t in report["team"]}
    assert team["jane"]["replies"] == 1 and team["jane"]["first_response_median_minutes"] == 20.0
    assert report["tags"] == [{"tag": "vip", "posts": 1, "flagged": 1, "first_response_median_minutes": 20.0}]
    assert report["saved_replies"] == [{"id": m["id"], "name": "Refund on its way", "lang": None, "channel": None,
                                        "uses": 1}]
    md = render(report, "md")
    assert "## Team" in md and "| vip | 1 | 1 |" in md and "| Refund on its way | any | any | 1 |" in md
    html = render(report, "html")
    assert 'id="team"' in html and 'id="saved-replies"' in html and ">vip<" in html
    assert plain.id
