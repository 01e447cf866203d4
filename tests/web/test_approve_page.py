"""Approving from the post page (issue 18, item 4): an empty reply cannot be approved, the button is disabled
and says why, and a refused approval never ends on a bare error page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from social_care.models import ReplyKind, ReplyStatus
from social_care.store.tables import Reply

from .factory import make_post, version_of

APPROVE = re.compile(r'<button type="submit" class="primary" id="approve"([^>]*)>')


def approve_button(page: str) -> str:
    m = APPROVE.search(page)
    assert m, "no approve button"
    return m.group(1)


def why(page: str) -> str:
    m = re.search(r'<p class="why small" id="approve-why"[^>]*>([^<]*)</p>', page)
    assert m
    return m.group(1)


def test_an_empty_draft_cannot_be_approved_and_the_button_says_why(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    no_draft = make_post(app, flagged=False, draft=None)
    page = client.get(f"/posts/{no_draft.id}").text
    assert "disabled" in approve_button(page) and 'aria-describedby="approve-why"' in approve_button(page)
    assert why(page) == "Nothing to approve yet: write a reply first."
    empty_draft = make_post(app, draft="   ")
    assert "disabled" in approve_button(client.get(f"/posts/{empty_draft.id}").text)
    with_draft = make_post(app)
    page = client.get(f"/posts/{with_draft.id}").text
    assert "disabled" not in approve_button(page) and why(page) == ""


def test_approving_an_empty_reply_redirects_back_with_the_reason_once(
    app: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    client, csrf = jane
    post = make_post(app, flagged=False, draft=None)
    r = client.post(f"/posts/{post.id}/approve", data={"csrf_token": csrf, "version": post.version, "text": "  "},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/posts/{post.id}"
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert 'id="error"' in page.text and "Nothing to approve: the reply is empty" in page.text
    assert 'id="error"' not in client.get(f"/posts/{post.id}").text  # shown once
    assert sim.writes == []
    with app.session() as s:
        assert s.exec(select(Reply).where(Reply.post_id == post.id)).all() == []


def test_a_forged_flash_cookie_shows_nothing(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    post = make_post(app)
    client.cookies.set("sc_flash", "Call 555-0100 to verify your account")
    page = client.get(f"/posts/{post.id}")
    assert page.status_code == 200 and "555-0100" not in page.text and 'id="error"' not in page.text


def test_a_reply_that_cannot_go_out_keeps_the_text_and_says_why(
    app: Any, jane: tuple[TestClient, str], sim: Any
) -> None:
    client, csrf = jane
    post = make_post(app)
    typed = "x" * 300  # an X mention takes 280
    r = client.post(f"/posts/{post.id}/approve", data={"csrf_token": csrf, "version": post.version, "text": typed})
    assert r.status_code == 422  # the post page itself, not a bare error
    assert 'id="error"' in r.text and "X mention allows 280" in r.text and typed in r.text
    assert 'id="reply-form"' in r.text
    assert sim.writes == []


def test_a_reply_already_being_sent_disables_approve(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    post = make_post(app, draft=None)
    with app.session() as s:
        s.add(Reply(post_id=post.id, kind=ReplyKind.MANUAL.value, channel=post.channel,
                    target_thread_id=post.reply_thread_id, text="On its way", status=ReplyStatus.APPROVED.value,
                    author="bob", idempotency_key=f"t:{post.id}", created_at=app.now(), approved_at=app.now()))
    page = client.get(f"/posts/{post.id}").text
    assert "disabled" in approve_button(page)
    assert "already being sent (approved by bob)" in why(page)
    # submitted anyway (a page from before): the reason comes back, nothing is sent twice
    r = client.post(f"/posts/{post.id}/approve",
                    data={"csrf_token": csrf, "version": version_of(page), "text": ""}, follow_redirects=True)
    assert r.status_code == 200 and 'id="error"' in r.text
    with app.session() as s:
        assert len(s.exec(select(Reply).where(Reply.post_id == post.id)).all()) == 1
