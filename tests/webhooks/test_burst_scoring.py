"""A large webhook batch is stored within the platform's deadline: with the cascade as the scorer, its posts
are scored by the hashed stage alone (named "fast" on the row); a single delivery gets the whole cascade."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from social_care.app import build_app
from social_care.models import Channel, Mention, ReplyTarget
from social_care.pipeline import ingest, ingest_many
from social_care.scoring.model import CascadeScorer
from social_care.store.tables import Post


def _mention(n: int) -> Mention:
    return Mention(channel=Channel.X_MENTION, external_id=f"9{n:05d}", author_id=f"7{n}", author_handle=f"c{n}",
                   author_name=None, author_followers=0, text=f"@acmeshop order {n} still not here, awful",
                   created_at=datetime(2026, 12, 1, 9, 0, n % 60, tzinfo=UTC),
                   reply_to=ReplyTarget(Channel.X_MENTION, thread_id=f"9{n:05d}"))


def test_a_burst_is_scored_by_the_hashed_stage_and_a_single_post_by_the_cascade(
        make_settings: Any, clock: Any, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("scoring does not depend on the store")
    app = build_app(make_settings(SOCIAL_CARE_SCORER="default"), clock=clock)
    try:
        assert isinstance(app.scorer, CascadeScorer)
        with app.session() as s:
            ingest_many(app, s, [_mention(n) for n in range(40)])
        with app.session() as s:
            ingest(app, s, [_mention(99)], draft=False)
        with app.session() as s:
            scorers = {p.external_id: p.scorer for p in s.exec(select(Post))}
        assert {scorers[f"9{n:05d}"] for n in range(40)} == {"fast"}
        assert scorers["900099"] == "default"
    finally:
        app.engine.dispose()
