"""The audit trail at scale on SQLite: ``social-care audit`` filters, one post's trail, the migration's fold.

    .venv/bin/python benchmarks/bench_audit.py [--posts 100000] [--events-per-post 6] [--runs 20]

Fills a fresh database with ``--posts`` posts and about ``--events-per-post`` events each (actors: six
team members, system and autosend), then times each ``social-care audit`` filter (``audit.query``, the
newest 200), the post page's trail (``views``' query for one post) and one export chunk's
``events_for_posts`` (1,000 posts). Prints the median and the slowest run of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, col, select

from social_care.audit import AuditFilter, events_for_posts, query
from social_care.store import make_engine, upgrade
from social_care.store.tables import Post, StatusEvent

ACTORS = ["ana", "ben", "cho", "dev", "eli", "fay", "system", "autosend"]
ACTIONS = ["assigned", "edited", "approved", "sent", "resolved", "corrected", "snoozed", "flagged"]


def fill(engine, posts: int, per_post: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    rnd = random.Random(17)
    with engine.begin() as conn:
        rows = []
        for i in range(posts):
            at = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 90))
            rows.append({
                "id": i + 1, "channel": "x.mention", "external_id": str(i), "author_id": str(i % 5000),
                "customer_key": f"x:{i % 5000}", "text": "where is my order", "created_at": at, "ingested_at": at,
                "reply_channel": "x.mention", "reply_thread_id": str(i), "flagged": False, "reasons": [],
                "status": "resolved", "version": 1, "updated_at": at, "followup_enabled": False, "raw": {},
            })
            if len(rows) == 5000:
                conn.execute(insert(Post), rows)
                rows = []
        if rows:
            conn.execute(insert(Post), rows)
        events = []
        for i in range(posts):
            base = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 90))
            for k in range(rnd.randint(1, 2 * per_post - 1)):
                events.append({
                    "post_id": i + 1, "action": rnd.choice(ACTIONS), "actor": rnd.choice(ACTORS),
                    "at": base + timedelta(minutes=k), "detail": "to ana", "version": k + 1,
                })
                if len(events) == 10000:
                    conn.execute(insert(StatusEvent), events)
                    events = []
        if events:
            conn.execute(insert(StatusEvent), events)


def timed(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--events-per-post", type=int, default=6)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args(argv)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        t0 = time.perf_counter()
        fill(engine, args.posts, args.events_per_post, now)
        with Session(engine) as s:
            total = s.exec(select(col(StatusEvent.id)).order_by(col(StatusEvent.id).desc()).limit(1)).one()
        print(f"filled {args.posts:,} posts, {total:,} events in {time.perf_counter() - t0:.1f} s")
        cases = {
            "audit (no filter, newest 200)": dict(),
            "audit --user ana": dict(user="ana"),
            "audit --action sent": dict(action="sent"),
            "audit --since 24h": dict(since="24h"),
            "audit --user ana --action approved --since 7d": dict(user="ana", action="approved", since="7d"),
            "audit --post 4242": dict(post_id=4242),
        }
        with Session(engine) as s:
            for name, params in cases.items():
                f = AuditFilter.from_params(now=now, **params)  # type: ignore[arg-type]
                med, worst = timed(lambda f=f: query(s, f), args.runs)
                print(f"{name:<48} median {med:7.1f} ms  max {worst:7.1f} ms")
            ids = list(range(1, min(args.posts, 1000) + 1))
            med, worst = timed(lambda: events_for_posts(s, ids), args.runs)
            print(f"{'export chunk: events of 1,000 posts':<48} median {med:7.1f} ms  max {worst:7.1f} ms")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
