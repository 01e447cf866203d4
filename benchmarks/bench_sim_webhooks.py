"""The simulator's own share of webhook latency: from a post appearing in the simulator to its signed
delivery arriving at a receiver on 127.0.0.1 (a bare http.server that only reads the body and answers 200),
and the time to deliver 1,000 Meta entries in one batch. The service's ingest is measured separately.

    .venv/bin/python benchmarks/bench_sim_webhooks.py [--posts 200] [--batch 1000]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from social_care.simulator import Simulator


class _Sink:
    def __init__(self) -> None:
        self.arrivals: list[tuple[float, int]] = []
        self.cond = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.cond:
                    sink.arrivals.append((time.perf_counter(), len(body)))
                    sink.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.arrivals) < count and time.monotonic() < deadline:
                self.cond.wait(0.1)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    sim = Simulator(rate_limits="generous")
    sink = _Sink()
    sim.webhooks.configure("x", sink.url("/webhooks/x"))
    sim.webhooks.configure("facebook", sink.url("/webhooks/meta"))
    post = sim.facebook.add_post("bench")
    sink.wait(1)
    for name, add in (("x mention", lambda i: sim.x.add_mention(text=f"order {i} never arrived")),
                      ("facebook comment", lambda i: sim.facebook.add_comment(post, text=f"comment {i}"))):
        latencies = []
        for i in range(args.posts):
            before = len(sink.arrivals)
            start = time.perf_counter()
            add(i)
            sink.wait(before + 1)
            latencies.append((sink.arrivals[-1][0] - start) * 1000)
        print(f"{name:17} post → delivery arrived: p50 {statistics.median(latencies):.2f} ms, "
              f"p95 {pct(latencies, 95):.2f} ms ({args.posts} posts)")

    sim.webhooks.configure("facebook", batch=args.batch, hold_seconds=30)
    before = len(sink.arrivals)
    start = time.perf_counter()
    for i in range(args.batch):
        sim.facebook.add_comment(post, text=f"batched {i}")
    made = time.perf_counter()
    sink.wait(before + 1)
    arrived, size = sink.arrivals[-1]
    print(f"batch of {args.batch} Meta entries: {made - start:.3f} s to create the posts, "
          f"{(arrived - made) * 1000:.1f} ms more until the signed {size / 1024:.0f} KiB delivery arrived")
    sim.webhooks.close()
    sink.server.shutdown()


if __name__ == "__main__":
    main()
