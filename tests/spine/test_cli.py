"""The console command as a user runs it: a real process, real HTTP to the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from social_care.models import Channel

from .helpers import ANGRY, HAPPY, Feeder


def _env(settings_values: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "FACEBOOK_", "SOCIAL_CARE_", "SLACK_"))}
    env.update(settings_values)
    return env


def _values(settings) -> dict[str, str]:
    out = {}
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        out[field.alias] = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return out


def _cli(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "social_care", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_run_once_prints_one_json_summary_and_exits_0(make_settings, sim, tmp_path):
    settings = make_settings(SOCIAL_CARE_AUTOSEND="playbook")
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY)
    feed.add(Channel.MESSENGER, ANGRY)
    feed.add(Channel.FACEBOOK_COMMENT, HAPPY)
    env = _env(_values(settings))
    proc = _cli("run", "--once", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["stored"] == 3 and summary["flagged"] == 2 and summary["replies_sent"] == 2
    for secret in settings.secrets():
        assert secret not in proc.stdout + proc.stderr

    export = _cli("export", "--format", "jsonl", env=env, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 3


def test_platform_without_credentials_is_not_polled(make_settings, sim, tmp_path):
    settings = make_settings(FACEBOOK_PAGE_ACCESS_TOKEN=None)
    values = _values(settings)
    values.pop("FACEBOOK_PAGE_ACCESS_TOKEN", None)
    Feeder(sim).add(Channel.X_DM, HAPPY)
    proc = _cli("run", "--once", env=_env(values), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    # Instagram reuses the Page token: without it neither Facebook nor Instagram is polled
    assert set(summary["streams"]) == {"x.mentions", "x.dms", "x.search"}
    assert not [r for r in sim.requests if r.platform == "facebook"]


def test_bad_setting_gives_a_clear_error(tmp_path):
    env = _env({"FACEBOOK_GRAPH_VERSION": "latest", "SOCIAL_CARE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    proc = _cli("run", "--once", env=env, cwd=tmp_path)
    assert proc.returncode == 2
    assert "FACEBOOK_GRAPH_VERSION" in proc.stderr and "Traceback" not in proc.stderr
