"""What the service does by itself is in the trail too: the scorer's flag, autosend, follow-ups, reopening."""

from __future__ import annotations

import json
from typing import Any

from alerts.factory import add_post, make_app, slack_settings  # noqa: F401  (shared fixtures)
from followup.conftest import sending_app  # noqa: F401
from followup.test_followup import resolved_x_case
from spine.helpers import ANGRY, HAPPY, Feeder
from spine.test_cli import _cli, _env, _values
from sqlmodel import col, select

from social_care import followup
from social_care.models import Channel
from social_care.store.tables import StatusEvent


def test_followup_sent_and_an_unhappy_answer_are_system_events(sending_app: Any, clock: Any) -> None:  # noqa: F811
    app = sending_app
    mention, _ = resolved_x_case(app, clock)
    followup.run(app)
    clock.advance(days=1)
    assert followup.run(app)["sent"] == 1
    clock.advance(hours=1)
    add_post(app, channel="x.dm", created_at=clock(), author="42", text="no, it is still not here")
    assert followup.run(app)["reopened"] == 1
    with app.session() as s:
        rows = list(s.exec(select(StatusEvent).where(StatusEvent.post_id == mention.id).order_by(col(StatusEvent.id))))
    tail = [(e.action, e.actor, e.to_status) for e in rows][-2:]
    assert tail == [("followup_sent", "system", None), ("reopened", "system", "flagged")]
    assert rows[-2].reply_id is not None and "still not here" in (rows[-1].detail or "")


def test_run_once_with_autosend_then_social_care_audit(make_settings: Any, sim: Any, tmp_path: Any) -> None:
    """The real command: the scorer flags, the playbook drafts, autosend approves and sends; audit lists it."""
    settings = make_settings(SOCIAL_CARE_AUTOSEND="playbook")
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY)
    feed.add(Channel.FACEBOOK_COMMENT, HAPPY)
    env = _env(_values(settings))
    run = _cli("run", "--once", env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    proc = _cli("audit", "--json", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    by_post: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        by_post.setdefault(row["post_id"], []).append((row["action"], row["actor"]))
    assert sorted(by_post.values()) == [
        [("flagged", "system"), ("drafted", "system"), ("approved", "autosend"), ("sent", "autosend")],
        [("received", "system")],
    ]
    flagged = next(r for r in rows if r["action"] == "flagged")
    assert flagged["detail"].startswith("by the scorer (")
    sent = _cli("audit", "--user", "autosend", "--action", "sent", env=env, cwd=tmp_path)
    assert sent.returncode == 0 and len(sent.stdout.splitlines()) == 2  # the header and one row
    for secret in settings.secrets():
        assert secret not in run.stdout + run.stderr + proc.stdout + sent.stdout
    bad = _cli("audit", "--since", "yesterday-ish", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "--since must be" in bad.stderr
