"""Web security (issues 17 and 18): server-side sessions that sign-out, a new password and `user disable`
end; rotation on sign-in and on expiry; sign-in throttling; Secure cookies and HSTS over https; CSRF on
every state-changing route (walked from app.routes); escaping in pages and Slack; headers on every answer."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alerts.factory import care_app, slack_settings  # noqa: F401  (the alert tests' app and Slack sink)
from fastapi.testclient import TestClient
from sqlmodel import select
from starlette.routing import Mount

from social_care.alerts.blocks import digest_message, post_message
from social_care.app import build_app
from social_care.store.tables import Post, Reply, StatusEvent
from social_care.web import create_web_app
from social_care.web.auth import SESSION_COOKIE
from social_care.web.tables import WebSession

from .factory import PASSWORD, csrf_of, login, make_post, make_user
from .test_cli import cli  # noqa: F401  (the CLI fixture: commands run on this test's database)
from .test_web import all_routes

HTTPS_URL = "https://care.example.com"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _client(app: Any, base_url: str = "http://127.0.0.1") -> TestClient:
    return TestClient(create_web_app(app), base_url=base_url)


def _signed_in(app: Any, username: str = "jane", password: str = PASSWORD, **kw: Any) -> tuple[TestClient, str]:
    client = _client(app, **kw)
    return client, login(client, username, password)


def _cookie_only(app: Any, cookie: str) -> TestClient:
    """Another browser that presents a copy of a session cookie (e.g. one taken before sign-out)."""
    other = _client(app)
    other.cookies.set(SESSION_COOKIE, cookie, domain="127.0.0.1")
    return other


def _is_signed_in(client: TestClient) -> bool:
    r = client.get("/api/me")
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def _sign_in_attempt(client: TestClient, username: str, password: str) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"},
                       follow_redirects=False)


@pytest.fixture
def https_app(make_settings: Any, clock: Any) -> Iterator[Any]:
    application = build_app(make_settings(SOCIAL_CARE_PUBLIC_URL=HTTPS_URL), clock=clock)
    make_user(application, "jane", "Jane Roe")
    yield application
    application.engine.dispose()


# ---- sessions live on the server -----------------------------------------------------------------


def test_sign_out_ends_the_session_on_the_server(team: Any) -> None:
    client, csrf = _signed_in(team)
    cookie = client.cookies[SESSION_COOKIE]
    copy = _cookie_only(team, cookie)
    assert _is_signed_in(copy)
    with team.session() as s:  # only a hash of the id is stored
        stored = s.exec(select(WebSession)).all()
    assert len(stored) == 1 and stored[0].token_hash != cookie and cookie not in stored[0].token_hash

    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?done=signed_out"
    assert "Signed out." in client.get("/login?done=signed_out").text
    assert not _is_signed_in(copy)  # the old cookie is worthless at once, not in 12 hours
    r = copy.get("/", follow_redirects=False)
    assert r.headers["location"] == "/login?ended=1&next=/"
    assert 'sc_session=""' in r.headers["set-cookie"]  # the dead cookie is dropped from the browser
    assert "Your session ended" in copy.get("/login?ended=1&next=/").text
    with team.session() as s:
        ended = s.exec(select(WebSession)).one()
    assert ended.revoked_at is not None and ended.revoked_reason == "sign_out"


def test_sign_out_everywhere_ends_every_session_of_that_user_only(team: Any) -> None:
    laptop, csrf = _signed_in(team, "jane")
    phone, _ = _signed_in(team, "jane")
    bob, _ = _signed_in(team, "bob")
    assert laptop.cookies[SESSION_COOKIE] != phone.cookies[SESSION_COOKIE]
    r = laptop.post("/logout", data={"csrf_token": csrf, "everywhere": "1"}, follow_redirects=False)
    assert r.headers["location"] == "/login?done=signed_out_everywhere"
    assert not _is_signed_in(_cookie_only(team, phone.cookies[SESSION_COOKIE]))
    assert _is_signed_in(bob)


def test_user_passwd_ends_every_session_and_reads_the_password_safely(team: Any, cli: Any) -> None:  # noqa: F811
    laptop, _ = _signed_in(team, "jane")
    phone, _ = _signed_in(team, "jane")
    bob, _ = _signed_in(team, "bob")

    r = cli("user", "passwd", "jane", "--password-stdin", input="a-brand-new-passphrase\n")
    assert r.exit_code == 0, r.output
    assert '"sessions_ended": 2' in r.output and "a-brand-new-passphrase" not in r.output
    assert not _is_signed_in(laptop) and not _is_signed_in(phone)
    assert _is_signed_in(bob)
    assert _sign_in_attempt(_client(team), "jane", PASSWORD).status_code == 401
    assert _sign_in_attempt(_client(team), "jane", "a-brand-new-passphrase").status_code == 303

    # from a prompt (asked twice), never from the command line
    r = cli("user", "passwd", "bob", input="another-passphrase\nanother-passphrase\n")
    assert r.exit_code == 0, r.output
    assert not _is_signed_in(bob)
    assert cli("user", "passwd", "bob", "another-passphrase").exit_code == 2  # no password argument exists
    bob, _ = _signed_in(team, "bob", "another-passphrase")
    assert cli("user", "add", "bob", "--password-stdin", input="third-passphrase\n").exit_code == 0
    assert not _is_signed_in(bob)  # `user add` on an existing name is a new password too
    r = cli("user", "passwd", "bob", "--password-stdin", input="short\n")
    assert r.exit_code == 2 and "at least 8 characters" in r.output
    r = cli("user", "passwd", "nobody")  # refused before any prompt
    assert r.exit_code == 2 and "no team member named 'nobody'" in r.output and "Password" not in r.output


def test_user_disable_ends_every_session_and_enable_lets_them_back(team: Any, cli: Any) -> None:  # noqa: F811
    jane, _ = _signed_in(team, "jane")
    basic = {"Authorization": "Basic " + base64.b64encode(f"jane:{PASSWORD}".encode()).decode()}
    assert _client(team).get("/api/me", headers=basic).status_code == 200

    r = cli("user", "disable", "jane")
    assert r.exit_code == 0, r.output
    assert '"sessions_ended": 1' in r.output
    assert not _is_signed_in(jane)
    assert _sign_in_attempt(_client(team), "jane", PASSWORD).status_code == 401
    assert _client(team).get("/api/me", headers=basic).status_code == 401

    assert cli("user", "enable", "jane").exit_code == 0
    assert not _is_signed_in(jane)  # an ended session stays ended
    assert _sign_in_attempt(_client(team), "jane", PASSWORD).status_code == 303
    assert cli("user", "disable", "nobody").exit_code == 2


def test_sign_in_always_makes_a_new_session_and_ends_the_one_the_browser_had(team: Any) -> None:
    client, _ = _signed_in(team, "bob")
    before = client.cookies[SESSION_COOKIE]
    login(client, "jane")  # someone else signs in on the same browser
    after = client.cookies[SESSION_COOKIE]
    assert after != before
    assert client.get("/api/me").json()["username"] == "jane"
    assert not _is_signed_in(_cookie_only(team, before))

    # a planted (fixation) cookie is never promoted to a signed-in session
    planted = _client(team)
    planted.cookies.set(SESSION_COOKIE, "attacker-chosen-value", domain="127.0.0.1")
    login(planted, "jane")
    assert planted.cookies[SESSION_COOKIE] != "attacker-chosen-value"
    assert not _is_signed_in(_cookie_only(team, "attacker-chosen-value"))


def test_idle_and_absolute_timeouts_end_the_session(team: Any, clock: Any) -> None:
    client, _ = _signed_in(team)
    clock.advance(minutes=119)
    assert _is_signed_in(client)  # a request within the idle time keeps it alive
    clock.advance(minutes=119)
    assert _is_signed_in(client)
    clock.advance(minutes=120)
    assert not _is_signed_in(client)  # two idle hours
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")

    busy, _ = _signed_in(team)
    for _ in range(11):
        clock.advance(hours=1)
        assert _is_signed_in(busy)
    clock.advance(hours=1)
    assert not _is_signed_in(busy)  # 12 hours after sign-in, however busy
    login(busy, "jane")  # signing in again gives a fresh session
    assert _is_signed_in(busy)
    with team.session() as s:
        reasons = sorted(str(w.revoked_reason) for w in s.exec(select(WebSession)).all())
    assert reasons == ["None", "expired", "idle"]


def test_old_sessions_and_old_failures_are_dropped(team: Any, clock: Any) -> None:
    from social_care.web.tables import LoginFailure

    client, _ = _signed_in(team)
    assert _sign_in_attempt(_client(team), "bob", "wrong-password").status_code == 401
    clock.advance(days=7, hours=12, minutes=1)  # the first session expired a week ago
    assert _sign_in_attempt(_client(team), "bob", "wrong-again").status_code == 401
    login(_client(team), "jane")
    with team.session() as s:
        assert len(s.exec(select(WebSession)).all()) == 1  # only the new one
        assert [f.username for f in s.exec(select(LoginFailure)).all()] == ["bob"]  # only the recent one


# ---- throttling ----------------------------------------------------------------------------------


def test_sign_in_is_throttled_per_account_with_a_clear_message(
    team: Any, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    clock.now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    client = _client(team)
    caplog.set_level(logging.INFO)
    for i in range(4):
        r = _sign_in_attempt(client, "jane", f"wrong-guess-{i}")
        assert r.status_code == 401 and "Wrong user name or password" in r.text
        clock.advance(minutes=1)
    r = _sign_in_attempt(client, "jane", "wrong-guess-4")  # the fifth in 15 min
    assert r.status_code == 429 and "Try again at 10:15 UTC (in 11 min)" in r.text

    clock.advance(minutes=5)
    r = _sign_in_attempt(client, "jane", PASSWORD)  # the right password, but locked: not even checked
    assert r.status_code == 429 and "Try again at 10:15 UTC (in 6 min)" in r.text
    assert SESSION_COOKIE not in client.cookies
    assert _sign_in_attempt(_client(team), "bob", PASSWORD).status_code == 303  # other accounts are fine

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "failed sign-in: user 'jane' from testclient" in logged
    assert "sign-in refused (throttled until 10:15 UTC): user 'jane'" in logged
    assert "wrong-guess" not in logged and PASSWORD not in logged  # never a password in the log

    clock.now = datetime(2026, 12, 1, 10, 15, tzinfo=UTC)
    assert _sign_in_attempt(client, "jane", PASSWORD).status_code == 303  # the lock opened
    assert _is_signed_in(client)


def test_http_basic_is_throttled_like_the_form(team: Any, clock: Any) -> None:
    client = _client(team)

    def basic(password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"jane:{password}".encode()).decode()}

    for i in range(5):
        assert client.get("/api/me", headers=basic(f"guess-{i}")).status_code == 401
    r = client.get("/api/me", headers=basic(PASSWORD))
    assert r.status_code == 429 and "try again at" in r.json()["detail"]
    assert int(r.headers["retry-after"]) == 15 * 60
    assert _sign_in_attempt(_client(team), "jane", PASSWORD).status_code == 429  # one lock for both ways in
    clock.advance(minutes=15)
    assert client.get("/api/me", headers=basic(PASSWORD)).json()["username"] == "jane"


def test_sign_in_is_throttled_per_address(team: Any, clock: Any) -> None:
    client = _client(team)  # every TestClient request comes from the address "testclient"
    for i in range(20):
        r = _sign_in_attempt(client, f"guess{i}", "whatever-password")
        assert r.status_code == (429 if i == 19 else 401), (i, r.status_code)
    r = _sign_in_attempt(client, "bob", PASSWORD)  # a real account, from the same address
    assert r.status_code == 429 and "Try again at" in r.text
    clock.advance(minutes=15)
    assert _sign_in_attempt(client, "bob", PASSWORD).status_code == 303


# ---- cookies and headers over https --------------------------------------------------------------


def test_every_cookie_is_secure_when_the_public_url_is_https(https_app: Any) -> None:
    client = _client(https_app, base_url="https://care.example.com")
    set_cookies: list[str] = []
    page = client.get("/login")
    set_cookies += page.headers.get_list("set-cookie")
    r = client.post("/login", data={"username": "jane", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303
    set_cookies += r.headers.get_list("set-cookie")
    csrf = csrf_of(client.get("/").text)
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    set_cookies += r.headers.get_list("set-cookie")
    names = sorted({c.split("=", 1)[0] for c in set_cookies})
    assert names == ["sc_login", "sc_session"]
    assert len(set_cookies) >= 4
    for cookie in set_cookies:
        flags = [f.strip().lower() for f in cookie.split(";")[1:]]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookie


def test_cookies_are_not_secure_over_plain_http(team: Any) -> None:
    client = _client(team)
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "sc_login=" in cookie and "secure" not in cookie  # a Secure cookie would never come back over http


REQUIRED = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_security_headers_on_every_response(make_settings: Any, clock: Any, https: bool) -> None:
    core = build_app(make_settings(SOCIAL_CARE_PUBLIC_URL=HTTPS_URL if https else "http://127.0.0.1:8000"),
                     clock=clock)
    make_user(core, "jane")
    post = make_post(core)
    web = create_web_app(core)

    async def boom() -> None:
        raise RuntimeError("an unexpected error")

    web.add_api_route("/boom-for-the-test", boom)  # on this test's own instance: a 500 gets them too
    base = "https://care.example.com" if https else "http://127.0.0.1"
    client = TestClient(web, base_url=base, raise_server_exceptions=False)
    anonymous = TestClient(web, base_url=base, raise_server_exceptions=False)
    csrf = login(client, "jane")
    answers: list[tuple[str, Any]] = []
    for prefix, route in all_routes(web.routes):
        if isinstance(route, Mount):
            continue
        path = prefix + route.path
        url = re.sub(r"\{[^}]+\}", str(post.id), path.replace("{week}", "current"))
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            answers.append((f"{method} {url}", client.request(method, url, follow_redirects=False)))
            answers.append((f"anonymous {method} {url}", anonymous.request(method, url, follow_redirects=False)))
    for what, url in [("404 page", "/no/such/page"), ("404 api", "/api/no-such-thing"),
                      ("404 post", "/posts/999999"), ("static css", "/static/app.css"),
                      ("static js", "/static/app.js"), ("static 404", "/static/nope.css"),
                      ("405", "/logout"), ("bad query", "/?limit=abc")]:
        answers.append((what, client.get(url, follow_redirects=False)))
    answers.append(("403 csrf", client.post(f"/posts/{post.id}/resolve", data={"version": 1})))
    answers.append(("ok write", client.post(f"/api/posts/{post.id}/view", headers={"X-CSRF-Token": csrf})))
    statuses = {r.status_code for _, r in answers}
    assert {200, 303, 401, 403, 404, 405, 500} <= statuses, statuses
    for what, r in answers:
        for name, needle in REQUIRED.items():
            assert needle in r.headers.get(name, ""), (what, r.status_code, name)
        assert ("strict-transport-security" in r.headers) == https, (what, r.status_code)
        if https:
            assert "max-age=" in r.headers["strict-transport-security"]
    core.engine.dispose()


# ---- CSRF on every state-changing route -----------------------------------------------------------


FORM = {"version": "0", "text": "Thanks for telling us", "assignee": "jane", "minutes": "60", "until": "",
        "field": "label", "value": "positive"}
JSON = {"version": 0, "text": "Thanks for telling us", "assignee": "jane", "until": None, "field": "label",
        "value": "positive"}


def _state(app: Any, post_id: int) -> tuple[Any, ...]:
    with app.session() as s:
        p = s.get(Post, post_id)
        replies = len(s.exec(select(Reply.id).where(Reply.post_id == post_id)).all())
        activity = len(s.exec(select(StatusEvent.id).where(StatusEvent.post_id == post_id)).all())
        sessions = len(s.exec(select(WebSession.id).where(WebSession.revoked_at == None)).all())  # noqa: E711
        return p.version, p.status, p.assignee, p.label, replies, activity, sessions


def _write(client: TestClient, method: str, url: str, version: int, token: str | None) -> Any:
    if url.startswith("/api/"):
        headers = {"X-CSRF-Token": token} if token is not None else {}
        return client.request(method, url, json={**JSON, "version": version}, headers=headers,
                              follow_redirects=False)
    data = {**FORM, "version": str(version)}
    if token is not None:
        data["csrf_token"] = token
    return client.request(method, url, data=data, follow_redirects=False)


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(
    app: Any, team: Any, sim: Any
) -> None:
    from social_care.inbox.macros import set_admin

    set_admin(app, "jane", True)  # the saved replies' routes are an admin's: with the right token, not a 403
    web = create_web_app(team)
    client = TestClient(web, base_url="http://127.0.0.1")
    csrf = login(client, "jane")
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="still no parcel, awful")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    writes: list[tuple[str, str]] = []
    for prefix, route in all_routes(web.routes):
        if isinstance(route, Mount):
            continue
        if (prefix + route.path).startswith("/webhooks/"):
            continue  # signed by the platform, not a browser form: tests/webhooks checks every refusal
        for method in sorted((route.methods or set()) & STATE_CHANGING):
            writes.append((method, re.sub(r"\{[^}]+\}", str(post.id), prefix + route.path)))
    writes.sort(key=lambda w: w[1] == "/logout")  # signing out last
    assert len(writes) >= 18, writes

    for method, url in writes:
        if url == "/login":
            continue  # a double-submit token of its own, below
        before = _state(app, post.id)
        for token in (None, "", "forged-token", csrf[:-1]):
            r = _write(client, method, url, before[0], token)
            assert r.status_code == 403, (method, url, token, r.status_code, r.text[:200])
            assert "csrf" in r.text.lower()
        assert _state(app, post.id) == before, (method, url)  # nothing changed, not even the session
        assert sim.x.replies_to(tweet) == []

    # the right token is accepted on each of them: the refusals above were the CSRF check
    for method, url in writes:
        if url == "/login":
            continue
        r = _write(client, method, url, _state(app, post.id)[0], csrf)
        assert r.status_code != 403, (method, url, r.text[:200])
    assert not _is_signed_in(client)  # /logout, last, worked

    # the sign-in form: its token must match the sc_login cookie
    fresh = _client(team)
    fresh.get("/login")
    for token in (None, "forged-token"):
        data = {"username": "jane", "password": PASSWORD, **({"csrf_token": token} if token else {})}
        r = fresh.post("/login", data=data, follow_redirects=False)
        assert r.status_code == 401 and "sign-in form expired" in r.text
        assert SESSION_COOKIE not in fresh.cookies


# ---- escaping ------------------------------------------------------------------------------------


EVIL = '<script>alert("pwned")</script><img src=x onerror=alert(1)> & <!channel> @here'


def test_customer_text_and_names_are_escaped_in_every_page(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    post = make_post(app, text=EVIL, name='"><b>Mallory</b>', handle="<i>mal</i>", draft=f"Hi {EVIL}",
                     minutes_ago=5)
    make_post(app, text=f"again {EVIL}", author_id=post.author_id, name='"><b>Mallory</b>', minutes_ago=3)
    pages = {url: client.get(url) for url in ("/", "/?fragment=1", f"/posts/{post.id}", "/?q=script",
                                              "/reports", "/reports/current")}
    for url, r in pages.items():
        assert r.status_code == 200, url
        html = r.text
        for raw in ("<script>alert", "<img src=x", "<b>Mallory", "<i>mal</i>", "<!channel>"):
            assert raw not in html, (url, raw)
    for url in ("/", f"/posts/{post.id}", "/reports/current"):
        assert "&lt;script&gt;alert(" in pages[url].text, url


def _slack_texts(message: dict[str, Any]) -> list[str]:
    """Every string Slack would render as mrkdwn: the fallback text and every block text/field/element."""
    out = [message["text"]]
    for block in message["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        out += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return out


def test_slack_messages_escape_customer_text_and_allow_no_mass_mentions() -> None:
    now = datetime(2026, 11, 20, 11, 5, tzinfo=UTC)
    post = Post(  # a row as the store holds it (not stored: the builders are pure)
        id=7, channel="x.mention", external_id="1850", author_id="42", author_handle="<!here|x>",
        author_name="@channel & <b>co</b>", author_followers=10, customer_key="x:42",
        text="<!channel> <!subteam^S1> <@U123> @everyone @here <https://evil.example|your invoice> a & b",
        reasons=["<!here>"], category="<!channel>", status="flagged", permalink=None,
        created_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    )
    line = {"kind": "flagged", "post_id": 7, "channel": "X mention", "author": post.author_name, "waited": "5 min",
            "text": post.text, "queue_url": "https://care.example.com/posts/7"}
    messages = [post_message(kind, post, now=now, public_url=HTTPS_URL, target_minutes=60)
                for kind in ("flagged", "reopened", "sla_warning", "sla_breach")]
    # a reopened post's note quotes the customer's answer to the follow-up (social_care/followup.py)
    messages.append(post_message("reopened", post, now=now, public_url=HTTPS_URL,
                                 note="Answer to the follow-up: “<!channel> still your invoice & @here”"))
    messages.append(digest_message([line], total=1, public_url=HTTPS_URL, max_items=10))
    for message in messages:
        texts = _slack_texts(message)
        flat = "\n".join(texts)
        assert "your invoice" in flat and "a &amp; b" in flat  # the text is there, as text
        for text in texts:
            body = re.sub(r"<https://care\.example\.com/posts/7\|#7>", "", text)  # our own link in digests
            assert "<" not in body and ">" not in body.replace("\n>", "\n").lstrip(">"), text
            assert not re.search(r"(?<![\w\u2060])@(channel|here|everyone)\b", text), text


def test_a_real_slack_alert_carries_no_live_markup_from_the_customer(sim: Any, clock: Any, care_app: Any) -> None:
    from datetime import timedelta

    from alerts.factory import add_post

    from social_care import alerts

    add_post(care_app, created_at=clock() - timedelta(minutes=3), flagged=True, handle="<!here>",
             text="<!channel> refund NOW @everyone <https://evil.example|open your invoice> & more",
             reasons=["<@U999> angry"])
    assert alerts.evaluate(care_app) == 1 and alerts.deliver(care_app) == 1
    [message] = sim.slack.messages  # as the simulator's Slack received it over HTTP
    texts = _slack_texts(message)
    assert "open your invoice" in "\n".join(texts)
    for text in texts:
        assert "<!" not in text and "<@" not in text and "<https://evil" not in text, text
        assert not re.search(r"@(channel|here|everyone)\b", text), text
