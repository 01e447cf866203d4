"""The audit trail: every action from the page, the API and the CLI is one event with the right actor;
the post page shows it (escaped), the export carries it, ``social-care audit`` filters it."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select
from web.factory import make_post, version_of

from social_care.exporting import export_jsonl
from social_care.store.tables import StatusEvent


def trail(app: Any, post_id: int) -> list[StatusEvent]:
    with app.session() as s:
        return list(s.exec(select(StatusEvent).where(StatusEvent.post_id == post_id).order_by(col(StatusEvent.id))))


def actions(app: Any, post_id: int, *, skip: int = 0) -> list[tuple[str, str]]:
    return [(e.action, e.actor) for e in trail(app, post_id)[skip:]]


def test_each_action_from_the_page_is_one_event_by_the_signed_in_user(
    app: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    client, csrf = jane
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="still no parcel, awful")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    before = len(trail(app, post.id))
    assert actions(app, post.id) == [("flagged", "system"), ("status", "system")]  # the scorer's flag, the draft

    def act(path: str, **data: str) -> None:
        version = version_of(client.get(f"/posts/{post.id}").text)
        r = client.post(f"/posts/{post.id}/{path}", data={"csrf_token": csrf, "version": str(version), **data})
        assert r.status_code == 200 and 'id="error"' not in r.text, (path, r.text[:300])

    act("draft", text="Sorry Jane, could you DM us your order number?")
    act("assign", assignee="bob")
    act("snooze", minutes="60")
    act("snooze")  # wake now
    act("correct", field="label", value="neutral")
    act("correct", field="flagged", value="false")
    act("correct", field="flagged", value="true")
    act("approve", text="Sorry Jane, could you DM us your order number?")
    act("resolve")
    act("reopen")
    act("spam")
    assert actions(app, post.id, skip=before) == [
        ("edited", "jane"), ("assigned", "jane"), ("snoozed", "jane"), ("woken", "jane"), ("corrected", "jane"),
        ("unflagged", "jane"), ("flagged", "jane"), ("approved", "jane"), ("sent", "jane"), ("resolved", "jane"),
        ("reopened", "jane"), ("marked_spam", "jane"),
    ]
    events = {e.action: e for e in trail(app, post.id)}
    assert events["assigned"].detail == "to bob"
    assert events["corrected"].detail == "label: negative → neutral"
    assert events["approved"].reply_id == events["sent"].reply_id == events["edited"].reply_id is not None
    assert (events["sent"].from_status, events["sent"].to_status) == ("awaiting_approval", "sent")
    assert events["unflagged"].to_status is None  # the post was not moved: it had a draft waiting
    assert [t.text for t in sim.x.replies_to(tweet)] == ["Sorry Jane, could you DM us your order number?"]
    # every event carries the post's version after it: strictly increasing
    versions = [e.version for e in trail(app, post.id)[before:]]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_the_api_records_the_same_events(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app)
    before = len(trail(app, post.id))
    r = client.post(f"/api/posts/{post.id}/assign", json={"version": post.version, "assignee": "@me"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    r = client.post(f"/api/posts/{post.id}/resolve", json={"version": r.json()["version"]},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert actions(app, post.id, skip=before) == [("assigned", "jane"), ("resolved", "jane")]
    body = client.get(f"/api/posts/{post.id}").json()
    assert [(a["action"], a["actor"]) for a in body["activity"]][:2] == [("resolved", "jane"), ("assigned", "jane")]


def test_a_refused_action_records_nothing(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app)
    before = actions(app, post.id)
    r = client.post(f"/posts/{post.id}/resolve", data={"csrf_token": csrf, "version": str(post.version - 1)})
    assert r.status_code == 409
    r = client.post(f"/posts/{post.id}/assign", data={"csrf_token": csrf, "version": str(post.version),
                                                      "assignee": "nobody-here"})
    assert r.status_code == 200 and "nobody-here" in r.text  # back on the post page with the reason, no bare 400
    assert actions(app, post.id) == before


def test_the_post_page_shows_the_trail_escaped(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app, reasons=["negative words: <script>alert(1)</script>"])
    client.post(f"/posts/{post.id}/assign", data={"csrf_token": csrf, "version": str(post.version),
                                                  "assignee": "bob"})
    html = client.get(f"/posts/{post.id}").text
    section = html[html.index('id="audit-trail"'):]
    section = section[: section.index("</section>")]
    assert "<script>alert(1)</script>" not in html
    assert "negative words: &lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "by the scorer (test)" in section
    # newest first: jane's assignment above the system's flag
    assert section.index("assigned") < section.index("flagged")
    assert '<strong class="actor">jane</strong>' in section and '<strong class="actor">system</strong>' in section


def test_stale_refusal_names_autosend_when_autosend_changed_the_post(
    make_settings: Any, clock: Any, sim: Any, team: Any
) -> None:
    from social_care.app import build_app
    from social_care.pipeline import poll_all
    from social_care.workflow import StaleViewError, assign

    auto = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    try:
        sim.x.add_mention(author_id="7", username="ann", text="@acmeshop worst service ever, my order never came")
        poll_all(auto)
        from social_care.outbox import send_due

        with auto.session() as s:
            post_id = s.exec(select(StatusEvent.post_id)).first()
        assert send_due(auto).sent == 1
        assert actions(auto, post_id) == [
            ("flagged", "system"), ("drafted", "system"), ("approved", "autosend"), ("sent", "autosend"),
        ]
        try:
            assign(auto, post_id, assignee="jane", actor="jane", expected_version=1)
        except StaleViewError as exc:
            assert str(exc).startswith("Autosend changed this post at")
        else:  # pragma: no cover - the assertion below says why
            raise AssertionError("a stale version was accepted")
    finally:
        auto.engine.dispose()


def test_cli_actions_are_recorded_as_the_as_user_and_audit_filters(
    app: Any, team: Any, cli: Any, sim: Any, clock: Any
) -> None:
    clock.advance(hours=-3)  # the posts arrived three hours ago; the commands run now (on the real clock)
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="where is my order, terrible")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    other = make_post(app, channel="facebook.comment", flagged=False, draft=None)
    assert cli("assign", str(post.id), "bob", "--as", "jane").exit_code == 0
    r = cli("approve", str(post.id), "--text", "So sorry, DM us your order number?", "--as", "bob")
    assert r.exit_code == 0, r.output
    assert cli("resolve", str(post.id), "--as", "bob").exit_code == 0
    assert cli("resolve", str(post.id), "--as", "bob").exit_code == 1  # refused: already resolved, nothing logged
    assert actions(app, post.id)[2:] == [
        ("assigned", "jane"), ("approved", "bob"), ("sent", "bob"), ("resolved", "bob"),
    ]

    r = cli("audit", "--json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert {row["post_id"] for row in rows} == {post.id, other.id}
    assert rows == sorted(rows, key=lambda row: (datetime.fromisoformat(row["at"]), row["id"]))  # oldest first
    assert set(rows[0]) == {"id", "post_id", "at", "actor", "action", "from_status", "to_status", "reply_id",
                            "detail"}

    def audit(*args: str) -> list[tuple[int, str, str]]:
        r = cli("audit", "--json", *args)
        assert r.exit_code == 0, r.output
        return [(row["post_id"], row["action"], row["actor"]) for row in map(json.loads, r.output.splitlines())]

    assert audit("--user", "bob") == [(post.id, "approved", "bob"), (post.id, "sent", "bob"),
                                      (post.id, "resolved", "bob")]
    assert audit("--post", str(other.id)) == [(other.id, "received", "system")]
    assert audit("--action", "sent,assigned") == [(post.id, "assigned", "jane"), (post.id, "sent", "bob")]
    assert audit("--since", "1h") == [(post.id, "assigned", "jane"), (post.id, "approved", "bob"),
                                      (post.id, "sent", "bob"), (post.id, "resolved", "bob")]
    since = (clock() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert audit("--since", since, "--action", "resolved") == [(post.id, "resolved", "bob")]
    assert audit("--user", "bob", "--limit", "1") == [(post.id, "resolved", "bob")]  # the newest
    assert audit("--user", "nobody") == []

    shown = cli("show", str(post.id))
    assert shown.exit_code == 0 and "audit trail (newest first" in shown.output
    assert "bob resolved → resolved" in shown.output and "jane assigned: to bob" in shown.output

    table = cli("audit", "--post", str(post.id))
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0].split()[:4] == ["WHEN", "(UTC)", "POST", "ACTOR"]
    assert any("bob" in line and "sent" in line and "awaiting_approval→sent" in line for line in lines)
    assert cli("audit", "--user", "nobody").output.strip() == "no events match"

    for bad, message in ((("--action", "deleted"), "unknown action deleted"),
                         (("--since", "last tuesday"), "--since must be"),
                         (("--limit", "0"), "--limit must be")):
        r = cli("audit", *bad)
        assert r.exit_code == 2 and message in r.output, r.output


def test_export_includes_each_posts_trail(app: Any, team: Any, cli: Any, sim: Any) -> None:
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="where is my order, terrible")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    quiet = make_post(app, flagged=False, draft=None)
    assert cli("approve", str(post.id), "--text", "So sorry, DM us your order number?", "--as", "jane").exit_code == 0
    out = io.StringIO()
    assert export_jsonl(app, out) == 2
    records = {json.loads(line)["external_id"]: json.loads(line) for line in out.getvalue().splitlines()}
    rec = records[post.external_id]
    assert [(e["action"], e["actor"]) for e in rec["events"]] == [
        ("flagged", "system"), ("status", "system"), ("approved", "jane"), ("sent", "jane"),
    ]
    (reply,) = rec["replies"]
    assert rec["events"][-1]["reply_id"] == reply["id"] and reply["author"] == "jane"
    assert rec["events"][-1]["at"].endswith("Z")
    assert [e["action"] for e in records[quiet.external_id]["events"]] == ["received"]
    r = cli("export")  # the command writes the same lines
    assert r.exit_code == 0 and '"events": [' in r.output


def test_no_secret_reaches_the_trail(make_settings: Any, clock: Any, sim: Any) -> None:
    """A platform error that echoes a token is masked before it is logged in the trail."""
    from social_care.app import build_app
    from social_care.outbox import send_due
    from social_care.pipeline import poll_all

    settings = make_settings(SOCIAL_CARE_AUTOSEND="playbook")
    auto = build_app(settings, clock=clock)
    try:
        sim.x.add_mention(author_id="7", username="ann", text="@acmeshop worst service ever, my order never came")
        poll_all(auto)
        secret = settings.secrets()[0]
        # a refusal that fails the reply (a 401 now pauses the channel's sends instead, and the reply waits)
        sim.fail_next("x", status=400, body={"title": "Invalid Request", "detail": f"token {secret} rejected"},
                      path_contains="tweets")
        send_due(auto)
        with auto.session() as s:
            rows = list(s.exec(select(StatusEvent)))
        failed = [e for e in rows if e.action in ("send_failed", "needs_human")]
        assert failed and failed[0].actor == "system" and failed[0].reply_id is not None
        text = " ".join(f"{e.detail}" for e in rows)
        for secret in settings.secrets():
            assert secret not in text
        # whatever a writer hands the log is masked: a detail naming a token keeps only its shape
        from social_care.store import repo
        from social_care.store.tables import Post

        with auto.session() as s:
            post = s.get(Post, rows[0].post_id)
            ev = repo.record_event(s, post=post, action="status", actor="system", now=clock(),
                                   detail=f"GET /me?access_token={settings.secrets()[1]} and {settings.secrets()[0]}")
        assert all(secret not in (ev.detail or "") for secret in settings.secrets())
        assert "access_token=****" in (ev.detail or "")
    finally:
        auto.engine.dispose()
