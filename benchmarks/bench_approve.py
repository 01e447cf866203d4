"""What approving one draft from the post page costs: transactions, reads of the reply, ``check_reply`` runs.

    .venv/bin/python benchmarks/bench_approve.py [--posts 5]

Starts the platform simulator on 127.0.0.1, builds the service on a fresh SQLite database, stores
``--posts`` flagged X mentions with their playbook drafts, then approves each draft through the page's
path (``workflow.approve_and_send``, which sends it on the customer's channel) and counts per approval:
transactions committed, ``SELECT``s that read the ``replies`` table, and calls of ``playbook.check_reply``.
Prints the counts (the same for every approval) and how many replies went out.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

import social_care.outbox
import social_care.workflow
from social_care import cases, playbook
from social_care.app import build_app
from social_care.config import load_settings
from social_care.models import ReplyKind, ReplyStatus
from social_care.simulator import Simulator, SimulatorServer
from social_care.store.tables import Post, Reply

PAGE_ID, PAGE_TOKEN, X_BEARER, X_USER = "104512345678901", "EAAB-sim-page-token", "sim-bearer-token", "99"


class Counts:
    def __init__(self) -> None:
        self.commits = self.reply_reads = self.checks = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=5)
    args = parser.parse_args(argv)
    sim = Simulator(x_user_id=X_USER, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token=PAGE_TOKEN, x_bearer_token=X_BEARER)
    with tempfile.TemporaryDirectory() as tmp, SimulatorServer(sim, host="127.0.0.1", port=0) as server:
        settings = load_settings(_env_file=None, **{
            "SOCIAL_CARE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "X_USER_ID": X_USER, "X_BEARER_TOKEN": X_BEARER, "X_CONSUMER_KEY": "k", "X_CONSUMER_SECRET": "s",
            "X_ACCESS_TOKEN": f"{X_USER}-a", "X_ACCESS_TOKEN_SECRET": "s", "X_API_BASE_URL": server.url,
            "FACEBOOK_PAGE_ID": PAGE_ID, "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN, "FACEBOOK_APP_SECRET": "s",
            "FACEBOOK_GRAPH_URL": server.url, "FACEBOOK_GRAPH_VERSION": "v23.0", "SOCIAL_CARE_HTTP_TIMEOUT": 3,
        })
        app = build_app(settings)
        try:
            return _run(app, sim, args.posts)
        finally:
            app.engine.dispose()


def _run(app: Any, sim: Simulator, posts: int) -> int:
    counts = Counts()
    event.listen(app.engine, "commit", lambda conn: setattr(counts, "commits", counts.commits + 1))

    def on_sql(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM replies" in statement:
            counts.reply_reads += 1

    event.listen(app.engine, "before_cursor_execute", on_sql)
    original = playbook.check_reply

    def counted(*a: Any, **kw: Any) -> list[str]:
        counts.checks += 1
        return original(*a, **kw)

    for module in (social_care.workflow, social_care.outbox):
        if hasattr(module, "check_reply"):
            module.check_reply = counted  # type: ignore[attr-defined]
    per: list[tuple[int, int, int]] = []
    sent = 0
    for i in range(posts):
        tweet = sim.x.add_mention(author_id=str(500 + i), username=f"c{i}", text="my parcel is lost, terrible")
        post_id = _stored_with_draft(app, tweet, str(500 + i))
        with app.session() as s:
            version = s.get(Post, post_id).version  # type: ignore[union-attr]
        counts.__init__()  # type: ignore[misc]
        result = social_care.workflow.approve_and_send(app, post_id, text=None, actor="bench",
                                                       expected_version=version)
        per.append((counts.commits, counts.reply_reads, counts.checks))
        sent += result.reply.status == ReplyStatus.SENT.value
    print(f"approvals: {posts}, sent: {sent}")
    for label, k in (("transactions", 0), ("reads of replies", 1), ("check_reply runs", 2)):
        values = sorted({p[k] for p in per})
        print(f"{label} per approval: {', '.join(map(str, values))}")
    return 0 if sent == posts else 1


def _stored_with_draft(app: Any, tweet: str, author: str) -> int:
    now = datetime.now(UTC)
    post = Post(channel="x.mention", external_id=tweet, author_id=author, author_handle=f"c{author}",
                customer_key=f"x:{author}", text="my parcel is lost, terrible", created_at=now, ingested_at=now,
                thread_key=tweet, reply_channel="x.mention", reply_thread_id=tweet, flagged=True,
                status=cases.initial_status(True), updated_at=now, lang="en", label="negative", polarity=-0.6)
    with app.session() as s:
        cases.store_new(s, [post])
        reply = Reply.to(post.reply_target, post_id=post.id, kind=ReplyKind.PLAYBOOK.value,
                         text=f"Hi, we're sorry about your parcel ({author}). Could you DM us the order number?",
                         idempotency_key=f"playbook:{post.id}", template_id="bench", created_at=now)
        s.add(reply)
        s.flush()
        cases.transition(s, post, "awaiting_approval", actor="system", now=now, action="drafted", reply_id=reply.id)
        assert post.id is not None
        return post.id


if __name__ == "__main__":
    sys.exit(main())
