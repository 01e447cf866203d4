"""Rows for the alert, report and follow-up tests, inserted with the store directly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from social_care.app import App
from social_care.config import Settings
from social_care.store import make_engine, upgrade
from social_care.store.tables import Post, Reply, StatusEvent

_ids = itertools.count(1000)


@dataclass(frozen=True)
class FixedScore:
    polarity: float
    label: str
    flagged: bool
    lang: str = "en"
    category: str | None = None
    reasons: tuple[str, ...] = ()


class KeywordScorer:
    """Deterministic stand-in for the trained scorer: unhappy words flag a text."""

    name = "keywords"
    UNHAPPY = ("no", "not", "still", "worst", "angry", "never", "broken", "bad")

    def score(self, text: str) -> FixedScore:
        words = text.lower().replace(",", " ").replace(".", " ").replace("!", " ").split()
        if any(w in self.UNHAPPY for w in words):
            return FixedScore(-0.7, "negative", True, reasons=("unhappy words",))
        return FixedScore(0.6, "positive", False)

    def score_many(self, texts: Any) -> list[FixedScore]:
        return [self.score(t) for t in texts]


#: The simulator only accepts webhook paths shaped like Slack's (letters and digits in the token);
#: tests/conftest.py's "sim-webhook-secret" is answered 404 no_service, so these tests use their own.
SLACK_PATH = "/services/T0SIM/B0SIM/simwebhooksecret"
SECRET = "simwebhooksecret"


@pytest.fixture
def slack_settings(make_settings: Any, sim_server: Any) -> Any:
    """Build settings whose SLACK_WEBHOOK_URL is a path the simulator's Slack sink accepts."""

    def make(**overrides: Any) -> Settings:
        overrides.setdefault("SLACK_WEBHOOK_URL", sim_server.url + SLACK_PATH)
        return make_settings(**overrides)

    return make


@pytest.fixture
def care_app(slack_settings: Any, clock: Any, sim: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """App on the test database; the simulator shares the movable clock, so Slack's 1 msg/s and
    Retry-After windows run on test time (no sleeping, no timed assertions)."""
    monkeypatch.setattr(sim, "clock", clock)
    application = make_app(slack_settings(), clock)
    yield application
    application.engine.dispose()


def make_app(settings: Settings, clock: Any, *, responders: bool = False) -> App:
    """The store, settings and clock are all these tests need (no connectors, a keyword scorer);
    ``responders=True`` adds the real responders, talking HTTP to the simulator."""
    from social_care.logging_setup import install_secret_filter
    from social_care.playbook import Playbook

    install_secret_filter(settings.secrets())  # as build_app does: httpx at WARNING, secrets redacted
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sending = None
    if responders:
        from connectors import build_clients
        from responders import build_responders

        sending = build_responders(build_clients(settings, clock=clock))
    return App(
        settings=settings,
        engine=engine,
        scorer=KeywordScorer(),
        playbook=Playbook.load(brand=settings.brand_name),
        connectors=[],
        responders=sending,
        clock=clock,
    )  # type: ignore[arg-type]


def add_post(
    app: App,
    *,
    channel: str = "x.mention",
    created_at: datetime,
    text: str = "my order never arrived",
    author: str = "42",
    handle: str | None = "jane",
    flagged: bool = False,
    label: str | None = "neutral",
    status: str | None = None,
    category: str | None = None,
    lang: str | None = "en",
    followers: int | None = 1200,
    reasons: list[str] | None = None,
    permalink: str | None = None,
    **extra: Any,
) -> Post:
    """One customer post; its first StatusEvent is written like the store's insert does."""
    n = next(_ids)
    platform = channel.split(".")[0]
    thread = {
        "x.mention": str(n),
        "x.dm": f"dm-{author}",
        "facebook.comment": f"c{n}",
        "facebook.messenger": f"psid-{author}",
    }[channel]
    status = status or ("flagged" if flagged else "new")
    post = Post(
        channel=channel,
        external_id=str(n),
        author_id=author,
        author_handle=handle,
        author_name=extra.pop("author_name", None),
        author_followers=followers,
        customer_key=f"{platform}:{author}",
        text=text,
        created_at=created_at,
        ingested_at=created_at,
        reply_channel=channel,
        reply_thread_id=thread,
        reply_recipient_id=author if channel in ("x.dm", "facebook.messenger") else None,
        label=label,
        flagged=flagged,
        status=status,
        category=category,
        lang=lang,
        reasons=reasons if reasons is not None else (["never arrived"] if flagged else []),
        permalink=permalink,
        updated_at=created_at,
        **extra,
    )
    with app.session() as s:
        s.add(post)
        s.flush()
        s.add(
            StatusEvent(
                post_id=post.id, from_status=None, to_status=post.status, actor="system", at=created_at
            )
        )
    return post


def add_reply(
    app: App,
    post: Post,
    *,
    sent_at: datetime | None,
    status: str = "sent",
    kind: str = "manual",
    author: str = "anna",
    text: str = "Sorry! We are on it.",
) -> Reply:
    reply = Reply(
        post_id=post.id,
        kind=kind,
        channel=post.reply_channel,
        target_thread_id=post.reply_thread_id,
        target_recipient_id=post.reply_recipient_id,
        text=text,
        status=status,
        idempotency_key=f"test:{next(_ids)}",
        author=author,
        created_at=sent_at or post.created_at,
        sent_at=sent_at if status == "sent" else None,
    )
    with app.session() as s:
        s.add(reply)
    return reply


def set_status(app: App, post: Post, to_status: str, at: datetime, actor: str = "anna") -> None:
    from social_care import cases

    with app.session() as s:
        row = s.get(Post, post.id)
        assert row is not None
        if row.status != to_status:
            cases.transition(s, row, to_status, actor=actor, now=at, action="status")
