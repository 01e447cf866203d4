"""What the service must never do: hide or delete a customer's words, or leak a secret."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from social_care.exporting import export_jsonl
from social_care.models import Channel
from social_care.pipeline import poll_all
from social_care.runner import run_once, status_report

from .helpers import ANGRY, Feeder

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [p for d in ("social_care", "connectors", "responders") for p in (ROOT / d).rglob("*.py")
           if "simulator" not in p.parts] + [ROOT / "scheduler.py"]


def test_no_code_path_can_delete_or_hide():
    pattern = re.compile(r"delete_object|delete_tweet|is_hidden|method=.DELETE|\.delete\(\s*f?[\"']")
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in PRODUCT
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_full_cycle_never_calls_delete_or_hide(make_settings, clock, sim):
    from social_care.app import build_app

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    feed = Feeder(sim)
    for channel in Channel:
        feed.add(channel, ANGRY)
        feed.add(channel, "You are all idiots and your shop is a scam!!!")
    run_once(app)
    run_once(app)
    assert [w for w in sim.writes if w.kind in ("hide", "delete")] == []
    assert not [r for r in sim.requests if r.method == "DELETE"]
    app.engine.dispose()


def test_secrets_never_reach_logs_status_or_exports(app, sim, settings, caplog):
    feed = Feeder(sim)
    for channel in Channel:
        feed.add(channel, ANGRY)
    sim.fail_next(platform="facebook", status=400,
                  body='{"error": {"message": "Invalid token EAAB-sim-page-token", "type": "OAuthException", '
                       '"code": 190}}',
                  content_type="application/json")
    with caplog.at_level(logging.DEBUG):
        poll_all(app)
        poll_all(app)
    out = io.StringIO()
    export_jsonl(app, out)
    text = caplog.text + repr(status_report(app)) + out.getvalue()
    for secret in settings.secrets():
        assert secret not in text, f"a secret leaked: {secret[:4]}…"
