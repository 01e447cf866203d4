"""Seeding the store for the queue tests: posts (with their ingestion status event) and playbook drafts."""

from __future__ import annotations

import functools
import itertools
import re
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher

from social_care import cases
from social_care.models import Channel, ReplyKind, ReplyStatus
from social_care.store import repo
from social_care.store.tables import Post, Reply, User

_ids = itertools.count(1000)
PASSWORD = "correct horse battery"

PLATFORM = {c.value: c.platform for c in Channel}


def make_post(
    app: Any,
    *,
    channel: str = "x.mention",
    text: str = "my order never arrived, this is terrible",
    author_id: str | None = None,
    handle: str | None = None,
    name: str = "Jane Doe",
    followers: int | None = 100,
    minutes_ago: float = 10,
    flagged: bool = True,
    polarity: float = -0.6,
    label: str = "negative",
    category: str | None = "delivery",
    reasons: list[str] | None = None,
    lang: str = "en",
    thread_key: str | None = None,
    draft: str | None = "Hi Jane, we're sorry about your order. Could you DM us the order number?",
    status: str | None = None,
    external_id: str | None = None,
    reply_thread_id: str | None = None,
    reply_recipient_id: str | None = None,
) -> Post:
    """One stored post (as the pipeline would store it), optionally with its playbook draft."""
    n = next(_ids)
    author_id = author_id or str(n)
    now: datetime = app.now()
    ext = external_id or f"ext{n}"
    post = Post(
        channel=channel, external_id=ext, author_id=author_id, author_handle=handle or f"user{author_id}",
        author_name=name, author_followers=followers, customer_key=f"{PLATFORM[channel]}:{author_id}", text=text,
        created_at=now - timedelta(minutes=minutes_ago), ingested_at=now, thread_key=thread_key or ext,
        reply_channel=channel, reply_thread_id=reply_thread_id or ext,
        reply_recipient_id=reply_recipient_id or (author_id if not Channel(channel).is_public else None),
        scorer="test", lang=lang, label=label, polarity=polarity, flagged=flagged, category=category,
        reasons=reasons if reasons is not None else (["negative words: terrible"] if flagged else []),
        status=status or ("flagged" if flagged else "new"), updated_at=now,
    )
    with app.session() as s:
        if cases.allowed(None, post.status):
            cases.store_new(s, [post])
        else:  # seeded straight into a later status (a post the pipeline stored long ago)
            repo.insert_new_posts(s, posts=[post])
            repo.record_event(s, post=post, action="received", actor="system", now=now, to_status=post.status)
        if draft is not None:
            s.add(Reply(
                post_id=post.id, kind=ReplyKind.PLAYBOOK.value, channel=channel, target_thread_id=post.reply_thread_id,
                target_recipient_id=post.reply_recipient_id, text=draft, status=ReplyStatus.DRAFT.value,
                idempotency_key=f"playbook:{post.id}", template_id="test", created_at=now,
            ))
            cases.transition(s, post, "awaiting_approval", actor="system", now=now, action="status")
    return post


@functools.cache
def _password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)  # hashed once per session: argon2 is slow on purpose


def make_user(app: Any, username: str, display_name: str | None = None) -> User:
    """A team member whose password is ``PASSWORD`` (``add_user`` itself is tested through the CLI)."""
    with app.session() as s:
        user = User(username=username, display_name=display_name or username, password_hash=_password_hash(),
                    created_at=app.now())
        s.add(user)
    return user


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def version_of(html: str) -> int:
    m = re.search(r'name="version" value="(\d+)"', html)
    assert m, "no version in the page"
    return int(m.group(1))


def login(client: Any, username: str = "jane", password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    token = csrf_of(page.text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/")
    assert home.status_code == 200
    return csrf_of(home.text)
