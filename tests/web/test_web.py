"""The web page and the JSON API over HTTP (TestClient): access, CSRF, escaping, staleness, actions."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from starlette.routing import Mount

from social_care.store.tables import Feedback, Post, StatusEvent
from social_care.web import create_web_app

from .factory import PASSWORD, csrf_of, login, make_post, version_of

PUBLIC = {"/login", "/favicon.ico"}  # the icon holds no data
# the platforms' webhooks: authenticated by signature alone (tests/webhooks checks every refusal)
SIGNED = {"/webhooks/meta", "/webhooks/x"}


def all_routes(routes: Any, prefix: str = "") -> Any:
    """Every route, including those of included routers (FastAPI ≥ 0.16x keeps them nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from all_routes(nested.routes, prefix + (route.include_context.prefix or ""))
        else:
            yield prefix, route


def test_every_route_needs_a_signed_in_user(team: Any) -> None:
    web = create_web_app(team)
    client = TestClient(web, base_url="http://127.0.0.1")
    checked = 0
    for prefix, route in all_routes(web.routes):
        if isinstance(route, Mount):  # /static: CSS and JS only, no data
            continue
        path = prefix + getattr(route, "path", "")
        if path in PUBLIC:
            continue
        if path in SIGNED:
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                r = client.request(method, path, follow_redirects=False)
                assert r.status_code in (400, 401, 403), (method, path, r.status_code)
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method == "HEAD":
                continue
            r = client.request(method, url, follow_redirects=False)
            checked += 1
            if path.startswith("/api/"):
                assert r.status_code == 401, (method, path, r.status_code)
            else:
                assert r.status_code in (303, 403), (method, path, r.status_code)
                if method == "GET":
                    assert r.headers["location"].startswith("/login?next="), (method, path)
    assert checked >= 20
    assert client.get("/openapi.json").status_code == 404  # only behind sign-in, under /api/
    assert client.get("/docs").status_code == 404


def test_login_sets_a_hardened_cookie_and_wrong_password_fails(web: TestClient) -> None:
    page = web.get("/login")
    token = csrf_of(page.text)
    bad = web.post("/login", data={"username": "jane", "password": "nope", "csrf_token": token})
    assert bad.status_code == 401 and "Wrong user name or password" in bad.text
    token = csrf_of(bad.text)
    r = web.post("/login", data={"username": "jane", "password": PASSWORD, "csrf_token": token, "next": "//evil"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    cookie = r.headers["set-cookie"].lower()
    assert "sc_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    forged = web.post("/login", data={"username": "jane", "password": PASSWORD, "csrf_token": "x"},
                      follow_redirects=False)
    assert forged.status_code == 401  # login form CSRF (double submit)


def test_forms_and_api_writes_need_the_csrf_token(app: Any, jane: tuple[TestClient, str], sim: Any) -> None:
    client, csrf = jane
    post = make_post(app)
    v = post.version
    assert client.post(f"/posts/{post.id}/resolve", data={"version": v}).status_code == 403
    assert client.post(f"/posts/{post.id}/resolve", data={"version": v, "csrf_token": "forged"}).status_code == 403
    assert client.post(f"/api/posts/{post.id}/resolve", json={"version": v}).status_code == 403
    assert client.post(f"/api/posts/{post.id}/resolve", json={"version": v},
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    with app.session() as s:
        assert s.get(Post, post.id).status == "awaiting_approval"
    ok = client.post(f"/api/posts/{post.id}/resolve", json={"version": v}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"


def test_customer_text_is_escaped_everywhere(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    evil = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    post = make_post(app, text=evil, name='"><b>Mallory</b>', draft=f"Hi {evil}")
    pages = [client.get("/").text, client.get("/?fragment=1").text, client.get(f"/posts/{post.id}").text]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Mallory" not in html
        assert "&lt;script&gt;alert(" in html
    # no secret in any page
    for secret in app.settings.secrets():
        for html in pages:
            assert secret not in html


def test_security_headers(jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_approve_from_the_page_sends_and_a_stale_page_is_refused(
    app: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    client, csrf = jane
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="still no parcel, awful")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    page = client.get(f"/posts/{post.id}")
    assert "Hi Jane, we&#39;re sorry about your order." in page.text
    version = version_of(page.text)
    # bob claims it meanwhile (through the API with HTTP Basic)
    basic = "Basic " + base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    with TestClient(create_web_app(app), base_url="http://127.0.0.1") as script:  # no cookies, no CSRF
        r = script.post(f"/api/posts/{post.id}/assign", json={"version": version, "assignee": "@me"},
                        headers={"Authorization": basic})
    assert r.status_code == 200 and r.json()["assignee"] == "bob"
    stale = client.post(f"/posts/{post.id}/approve",
                        data={"csrf_token": csrf, "version": version, "text": "My edited reply"})
    assert stale.status_code == 409
    assert "Bob Stone changed this post at" in stale.text and "reload before sending" in stale.text
    assert "My edited reply" in stale.text  # the edit is not lost
    assert sim.writes == []
    fresh = client.get(f"/posts/{post.id}")
    assert "Claimed by <strong>bob</strong>" in fresh.text
    done = client.post(f"/posts/{post.id}/approve",
                       data={"csrf_token": csrf, "version": version_of(fresh.text), "text": "My edited reply"})
    assert done.status_code == 200 and "Reply sent on the customer" in done.text
    assert [t.text for t in sim.x.replies_to(tweet)] == ["My edited reply"]


def test_api_stale_version_is_409(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app)
    r = client.post(f"/api/posts/{post.id}/approve", json={"version": post.version - 1, "text": "hi"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["error"] == "stale" and "reload before sending" in r.json()["detail"]


def test_api_queue_filters_and_order(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    low = make_post(app, channel="x.dm", polarity=-0.1, flagged=False, minutes_ago=1, draft=None)
    high = make_post(app, channel="facebook.comment", polarity=-0.9, minutes_ago=70, category="refund")
    body = client.get("/api/queue?status=open").json()
    assert [i["id"] for i in body["items"]] == [high.id, low.id]
    assert body["open"] == 1 and body["overdue"] == 1  # flagged posts needing a reply
    assert body["items"][0]["wait_state"] == "over" and body["items"][0]["reasons"]
    assert [i["id"] for i in client.get("/api/queue").json()["items"]] == [high.id]  # default: flagged only
    assert [i["id"] for i in client.get("/api/queue?channel=x.dm&status=open").json()["items"]] == [low.id]
    assert [i["id"] for i in client.get("/api/queue?category=refund").json()["items"]] == [high.id]
    assert client.get("/api/queue?channel=myspace").status_code == 400
    html = client.get("/?channel=facebook.comment").text
    assert f'data-id="{high.id}"' in html and f'data-id="{low.id}"' not in html


def test_live_update_stamp_changes_when_a_post_arrives(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    make_post(app)
    first = client.get("/api/queue/stamp").json()["stamp"]
    assert client.get("/api/queue/stamp").json()["stamp"] == first
    newer = make_post(app, text="another angry customer")
    assert client.get("/api/queue/stamp").json()["stamp"] != first
    assert f'data-id="{newer.id}"' in client.get("/?fragment=1").text


def test_feedback_from_the_page(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app, label="negative")
    r = client.post(f"/posts/{post.id}/correct",
                    data={"csrf_token": csrf, "version": post.version, "field": "label", "value": "neutral"})
    assert r.status_code == 200 and "Correction saved" in r.text
    with app.session() as s:
        fb = s.exec(select(Feedback).where(Feedback.post_id == post.id)).one()
        assert (fb.field, fb.old_value, fb.new_value, fb.actor) == ("label", "negative", "neutral", "jane")
        assert s.get(Post, post.id).label == "neutral"


def test_spam_via_api_sends_nothing(app: Any, jane: tuple[TestClient, str], sim: Any) -> None:
    client, csrf = jane
    post = make_post(app)
    r = client.post(f"/api/posts/{post.id}/spam", json={"version": post.version}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["status"] == "spam"
    r = client.post(f"/api/posts/{post.id}/approve", json={"version": r.json()["version"]},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "spam" in r.json()["detail"]
    assert sim.writes == []
    with app.session() as s:
        ev = s.exec(select(StatusEvent).where(StatusEvent.post_id == post.id, StatusEvent.to_status == "spam")).one()
        assert ev.actor == "jane"


def test_presence_shows_who_else_has_the_post_open(app: Any, team: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app)
    with TestClient(create_web_app(team), base_url="http://127.0.0.1") as bob:
        login(bob, "bob")
        bob.get(f"/posts/{post.id}")
    page = client.get(f"/posts/{post.id}").text
    assert "Also open by <strong>bob</strong>" in page
    beat = client.post(f"/api/posts/{post.id}/view", headers={"X-CSRF-Token": csrf}).json()
    assert [v["username"] for v in beat["viewers"]] == ["bob"]


def test_openapi_behind_sign_in(jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    schema = client.get("/api/openapi.json").json()
    assert "/api/queue" in schema["paths"] and "/api/posts/{post_id}/approve" in schema["paths"]
    assert not any(p.startswith("/posts") for p in schema["paths"])  # pages are not API


@pytest.mark.parametrize("header", ["Basic " + base64.b64encode(b"jane:wrong").decode(), "Basic !!", "Bearer x"])
def test_bad_api_credentials(web: TestClient, header: str) -> None:
    assert web.get("/api/queue", headers={"Authorization": header}).status_code == 401
