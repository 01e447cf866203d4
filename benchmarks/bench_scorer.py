#!/usr/bin/env python
"""Throughput, single-post latency and load time of the scorers (one process, one core).

    python benchmarks/bench_scorer.py [--scorers default,textblob,vader] [--posts 20000]
    taskset -c 0 python benchmarks/bench_scorer.py --scorers default   # one core, as in the model card

Uses real posts from ../shared/data dev splits when present, else synthetic posts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _posts(n: int) -> list[str]:
    data = ROOT.parent / "shared" / "data"
    texts: list[str] = []
    if data.is_dir():
        from social_care.scoring.data import available_sets, load_set

        for s in available_sets(data):
            texts += [r.text for r in load_set(data, s)[1]]
    if not texts:
        texts = ["@shop my parcel never arrived and nobody answers, I want a refund 😡",
                 "thanks a lot, the delivery was quick!", "سفارشم خیلی دیر رسید و غذا سرد بود",
                 "배송이 너무 늦어요", "el pedido llegó roto", "Der Kundenservice antwortet nicht."]
    return (texts * (n // len(texts) + 1))[:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scorers", default="default,textblob,vader")
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--single", type=int, default=1000)
    a = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        core = "pinned to one core"
    except (AttributeError, OSError):
        core = "not pinned"
    posts = _posts(a.posts)
    print(f"{len(posts)} posts, mean {statistics.mean(len(p) for p in posts):.0f} chars, {core}")
    from social_care.scoring import get_scorer

    for name in a.scorers.split(","):
        t0 = time.perf_counter()
        sc = get_scorer(name)
        sc.score("warm up: load the model")
        load = time.perf_counter() - t0
        n = a.posts if name == "default" else min(a.posts, 5000)
        t0 = time.perf_counter()
        sc.score_many(posts[:n])
        batch = n / (time.perf_counter() - t0)
        lat = []
        for p in posts[: a.single]:
            t1 = time.perf_counter()
            sc.score(p)
            lat.append(time.perf_counter() - t1)
        lat.sort()
        med = lat[len(lat) // 2] * 1000
        p95 = lat[int(len(lat) * 0.95)] * 1000
        print(f"{name:9s} load+first {load:6.2f} s | batch {batch:9,.0f} posts/s ({n} posts) | "
              f"single post median {med:.3f} ms, p95 {p95:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
