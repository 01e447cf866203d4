"""``social-care webhooks status`` and ``status`` as a user runs them (a real process)."""

from __future__ import annotations

import json
from typing import Any

from social_care.models import Channel
from tests.spine.helpers import ANGRY, Feeder
from tests.spine.test_cli import _cli, _env, _values

from .signing import APP_SECRET, CONSUMER_SECRET, post_x, x_mentions_payload


def test_webhooks_status_lists_each_platforms_last_delivery(client: Any, hook_app: Any, hook_settings: Any,
                                                           sim: Any, tmp_path: Any) -> None:
    if not hook_settings.database_url.startswith("sqlite"):
        return  # one process run is enough
    tweet = Feeder(sim).add(Channel.X_MENTION, ANGRY)
    assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 200
    assert client.post("/webhooks/meta", content=b"{}", headers={"X-Hub-Signature-256": "sha256=00"}).status_code == 403
    env = _env(_values(hook_settings))
    out = _cli("webhooks", "status", "--json", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["x"]["state"] == "live" and report["x"]["accepted"] == 1 and report["x"]["last_delivery_at"]
    assert report["facebook"]["state"] == "not used" and report["facebook"]["rejected"] == 1
    assert "does not match" in report["facebook"]["last_rejected_reason"]
    lines = _cli("webhooks", "status", env=env, cwd=tmp_path)
    assert lines.returncode == 0 and lines.stdout.startswith("x ") and "accepted 1" in lines.stdout
    for secret in (APP_SECRET, CONSUMER_SECRET):
        assert secret not in out.stdout + lines.stdout
    status = _cli("status", env=env, cwd=tmp_path)
    assert status.returncode == 0 and json.loads(status.stdout)["webhooks"]["x"]["state"] == "live"
