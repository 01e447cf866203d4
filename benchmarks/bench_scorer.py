#!/usr/bin/env python
"""Throughput, single-post latency and load time of the scorers (one process, one core).

    python benchmarks/bench_scorer.py [--scorers fast,default,textblob,vader] [--posts 20000]
    taskset -c 0 python benchmarks/bench_scorer.py --scorers fast,default   # one core, as in the model card

"fast" (the hashed model alone) is timed on real posts from ../shared/data dev splits when present, else
synthetic posts; "default" (the cascade: hashed model, then the multilingual encoder on the posts it is unsure
about) on the bundled demo posts, the traffic it is meant for, with the share of them sent to the encoder.
Each line also gives the process's resident memory after that scorer was loaded and used.
Throughput and latency are given twice: by the wall clock, and by the CPU time of the process ("cpu"), which is
what one core does when other processes share the machine (the wall-clock figures then fall with the load).
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


def _posts(n: int, data: Path) -> list[str]:
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


def _demo_posts() -> list[str]:
    from social_care.demo.runner import load_demo_posts

    return [p["text"] for p in load_demo_posts()[0]]


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scorers", default="fast,default,textblob,vader")
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--single", type=int, default=1000)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data",
                    help="labelled sets whose dev posts time the hashed model (default ../shared/data)")
    ap.add_argument("--cascade-single", type=int, default=200, help="single-post timings of the cascade")
    a = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        core = "pinned to one core"
    except (AttributeError, OSError):
        core = "not pinned"
    posts = _posts(a.posts, a.data_dir)
    # without the labelled sets the hashed model is timed on six short synthetic posts: say so
    source = "dev posts" if a.data_dir.is_dir() else f"synthetic posts ({a.data_dir} not found: --data-dir)"
    print(f"{len(posts)} {source}, mean {statistics.mean(len(p) for p in posts):.0f} chars, {core}")
    from social_care.scoring import get_scorer

    demo = _demo_posts()
    print(f"{len(demo)} demo posts, mean {statistics.mean(len(p) for p in demo):.0f} chars; "
          f"resident memory before loading a scorer {_rss_mb():.0f} MB")
    for name in a.scorers.split(","):
        t0 = time.perf_counter()
        sc = get_scorer(name)
        sc.score("warm up: load the model")
        load = time.perf_counter() - t0
        cascade = name == "default"
        texts = demo if cascade else posts
        n = len(demo) if cascade else (a.posts if name == "fast" else min(a.posts, 5000))
        routed0 = getattr(sc, "routed", 0)
        t0, c0 = time.perf_counter(), time.process_time()
        sc.score_many(texts[:n])
        batch = n / (time.perf_counter() - t0)
        batch_cpu = n / max(time.process_time() - c0, 1e-9)
        routed = getattr(sc, "routed", 0) - routed0
        lat, cpu = [], []
        for p in texts[: (a.cascade_single if cascade else a.single)]:
            t1, c1 = time.perf_counter(), time.process_time()
            sc.score(p)
            lat.append(time.perf_counter() - t1)
            cpu.append(time.process_time() - c1)
        lat.sort()
        cpu.sort()
        med = lat[len(lat) // 2] * 1000
        p95 = lat[int(len(lat) * 0.95)] * 1000
        p95_cpu = cpu[int(len(cpu) * 0.95)] * 1000
        extra = ""
        if cascade:
            if getattr(sc, "encoder", None) is None:
                extra = " | encoder unavailable: hashed model alone"
            else:
                extra = f" | {routed}/{n} demo posts to the encoder"
        print(f"{name:9s} load+first {load:6.2f} s | batch {batch:9,.0f} posts/s, cpu {batch_cpu:9,.0f} posts/s "
              f"({n} {'demo ' if cascade else ''}posts) | single post median {med:.3f} ms, p95 {p95:.3f} ms, "
              f"cpu p95 {p95_cpu:.3f} ms | RSS {_rss_mb():.0f} MB{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
