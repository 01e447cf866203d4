"""Alerts go through a sink registry; Slack's webhook is the built-in sink and answers with the platforms'
error classes (the simulator's Slack over HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from social_care.alerts import sinks
from social_care.alerts.settings import AlertSettings
from social_care.alerts.slack import post_message
from social_care.errors import FatalError, RateLimited, RetriableError, SkippableError

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_slack_is_the_sink_when_its_webhook_is_set() -> None:
    assert list(sinks.SINKS)[0] == "slack"
    sink = sinks.configured_sink(AlertSettings(webhook_url="https://hooks.slack.com/services/T1/B2/secret"))
    assert isinstance(sink, sinks.SlackSink) and sink.name == "slack"
    assert "secret" not in sink.masked()
    assert sinks.configured_sink(AlertSettings(webhook_url=None)) is None
    assert sinks.configured_sink(AlertSettings(webhook_url="https://hooks.slack.com/x", enabled=False)) is None


def test_another_sink_is_one_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sinks, "SINKS", dict(sinks.SINKS))

    @sinks.register("teams")
    def _teams(cfg: AlertSettings, client: Any) -> sinks.Sink | None:
        return sinks.SlackSink("https://teams.example/hook", cfg.timeout_seconds, client, name="teams")

    assert sinks.configured_sink(AlertSettings(webhook_url=None)).name == "teams"  # type: ignore[union-attr]
    assert sinks.configured_sink(AlertSettings(webhook_url="https://hooks.slack.com/x")).name == "slack"  # type: ignore[union-attr]


@pytest.mark.parametrize(("fault", "error"), [
    ({"status": 404, "body": "no_service"}, FatalError),
    ({"status": 400, "body": "invalid_blocks"}, SkippableError),
    ({"status": 500, "body": "oops"}, RetriableError),
])
def test_slack_answers_are_the_platform_error_classes(sim: Any, sim_server: Any, fault: dict[str, Any],
                                                       error: type[Exception]) -> None:
    url = sim_server.url + "/services/T0SIM/B0SIM/simwebhooksecret"
    sim.fail_next(platform="slack", **fault)
    with pytest.raises(error) as info:
        post_message(url, {"text": "hi"}, timeout=3, now=NOW)
    assert not isinstance(info.value, RateLimited) or error is RateLimited
    assert "simwebhooksecret" not in str(info.value)


def test_a_rate_limit_carries_when_to_try_again(sim: Any, sim_server: Any) -> None:
    url = sim_server.url + "/services/T0SIM/B0SIM/simwebhooksecret"
    sim.rate_limit(platform="slack", seconds=30)
    with pytest.raises(RateLimited) as info:
        post_message(url, {"text": "hi"}, timeout=3, now=NOW)
    assert NOW < info.value.reset_at <= NOW + timedelta(seconds=30)
