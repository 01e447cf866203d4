"""Cost of choosing a phrasing the brand has not used recently, on SQLite with many stored replies.

    .venv/bin/python benchmarks/bench_drafting.py [--replies 100000] [--drafts 500]

``--replies`` replies are stored first (a quarter on each channel, spread over the last 30 days, most of them
playbook texts of same-named customers); then ``--drafts`` new same-named posts on x.mention get their playbook
draft the way ingestion makes it (one query of the Reply table per draft). Prints the time per draft.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from social_care.drafting import playbook_draft
from social_care.models import Channel
from social_care.playbook import Playbook
from social_care.store import make_engine, upgrade
from social_care.store.tables import Post, Reply

CHANNELS = ["x.mention", "x.dm", "facebook.comment", "facebook.messenger"]


def _post(i: int, now: datetime, channel: str = "x.mention") -> dict:  # type: ignore[type-arg]
    return {
        "channel": channel, "external_id": f"b{i}", "author_id": str(10_000 + i), "author_handle": f"user{i}",
        "author_name": "Jane Doe", "customer_key": f"{channel.split('.')[0]}:{10_000 + i}",
        "text": "my order never arrived and nobody answers", "created_at": now, "ingested_at": now,
        "thread_key": f"t{i}", "reply_channel": channel, "reply_thread_id": f"b{i}", "scorer": "bench", "lang": "en",
        "label": "negative", "polarity": -0.7, "flagged": True, "category": "delivery", "reasons": [],
        "status": "sent", "version": 1, "updated_at": now, "followup_enabled": True, "raw": {},
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replies", type=int, default=100_000)
    ap.add_argument("--drafts", type=int, default=500)
    args = ap.parse_args()
    book = Playbook.load(brand="Acme")
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        posts, replies = [], []
        for i in range(args.replies):
            channel = CHANNELS[i % 4]
            at = now - timedelta(minutes=(i * 30 * 24 * 60) // max(args.replies, 1))
            posts.append(_post(i, at, channel))
            options = book.drafts(channel=Channel(channel), lang="en",
                                  category="delivery", name="Jane Doe", post_id=i + 1)
            text = options[0].text if i % 3 else f"{options[0].text} (ref. #{i + 1})"
            replies.append({"post_id": i + 1, "kind": "playbook", "channel": channel, "target_thread_id": f"b{i}",
                            "text": text, "status": "sent", "idempotency_key": f"playbook:{i + 1}",
                            "created_at": at, "sent_at": at, "attempts": 1})
        with engine.begin() as conn:
            for start in range(0, len(posts), 5_000):
                conn.execute(insert(Post), posts[start : start + 5_000])
                conn.execute(insert(Reply), replies[start : start + 5_000])
        timings = []
        with Session(engine) as s:
            for j in range(args.drafts):
                post = Post(**_post(args.replies + j, now))
                s.add(post)
                s.flush()
                started = time.perf_counter()
                draft = playbook_draft(book, s, post, now=now)
                timings.append((time.perf_counter() - started) * 1000)
                s.add(Reply(post_id=post.id, channel="x.mention", target_thread_id=post.reply_thread_id,
                            text=draft.text, status="approved", idempotency_key=f"playbook:{post.id}",
                            created_at=now))
            s.commit()
        engine.dispose()
    timings.sort()
    print(f"stored replies: {args.replies:,}; drafts: {args.drafts}")
    print(f"time per draft: p50 {statistics.median(timings):.2f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.2f} ms, max {timings[-1]:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
