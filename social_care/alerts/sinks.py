"""Where alerts go: a small registry of sinks. Slack's incoming webhook is the one built in.

A sink sends one rendered message and raises what the answer means with the platforms' error classes
(``social_care.errors``): ``FatalError`` (the sink is unusable until a person fixes it), ``SkippableError``
(this message is refused), ``RateLimited`` (wait until ``reset_at``), ``Unconfirmed`` (it may have gone
out) or ``RetriableError`` (try again later). The alert outbox (``alerts.outbox``) acts on those classes
alone, so another sink (Teams, e-mail) is one class and one ``register`` call::

    @register("teams")
    def _teams(cfg: AlertSettings, client: httpx.Client | None) -> Sink | None:
        return TeamsSink(cfg.teams_url, ...) if cfg.teams_url else None

The first registered sink whose factory returns one (its settings are there) delivers the alerts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx

from .settings import AlertSettings
from .slack import mask_webhook_url, post_message

__all__ = ["SINKS", "SlackSink", "Sink", "configured_sink", "register"]


class Sink(Protocol):
    @property
    def name(self) -> str:
        """The sink's name in ``SINKS`` (shown in ``status``)."""

    def send(self, message: dict[str, Any], *, now: datetime) -> None:
        """Deliver one message, or raise a ``PlatformError`` subclass saying what the answer means."""

    def masked(self) -> str:
        """Where the sink sends, safe to print (no secret)."""


SinkFactory = Callable[[AlertSettings, "httpx.Client | None"], "Sink | None"]
#: Sink name → factory, in the order they are tried (the first configured one delivers).
SINKS: dict[str, SinkFactory] = {}


def register(name: str) -> Callable[[SinkFactory], SinkFactory]:
    def add(factory: SinkFactory) -> SinkFactory:
        SINKS[name] = factory
        return factory

    return add


def configured_sink(cfg: AlertSettings, *, client: httpx.Client | None = None) -> Sink | None:
    """The sink alerts go to under ``cfg`` (None: alerts are off, or no sink is set up)."""
    if not cfg.enabled:
        return None
    for factory in SINKS.values():
        sink = factory(cfg, client)
        if sink is not None:
            return sink
    return None


@dataclass(frozen=True)
class SlackSink:
    """A Slack incoming webhook (``SLACK_WEBHOOK_URL``, a secret: its path is the token)."""

    url: str
    timeout: float
    client: httpx.Client | None = None
    name: str = "slack"

    def send(self, message: dict[str, Any], *, now: datetime) -> None:
        post_message(self.url, message, timeout=self.timeout, now=now, client=self.client)

    def masked(self) -> str:
        return mask_webhook_url(self.url)


@register("slack")
def _slack(cfg: AlertSettings, client: httpx.Client | None) -> Sink | None:
    return SlackSink(cfg.webhook_url, cfg.timeout_seconds, client) if cfg.webhook_url else None
