"""Alert settings, read from ``Settings``; a field ``Settings`` does not define takes the default here.

Every field maps to one ``SOCIAL_CARE_…`` variable (see the table in ``social_care/alerts/__init__``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

__all__ = ["AlertSettings"]


@dataclass(frozen=True, slots=True)
class AlertSettings:
    webhook_url: str | None = None  # SLACK_WEBHOOK_URL (a secret: its path is the token)
    public_url: str = "http://127.0.0.1:8000"  # SOCIAL_CARE_PUBLIC_URL
    timeout_seconds: float = 10.0  # SOCIAL_CARE_HTTP_TIMEOUT
    enabled: bool = True  # SOCIAL_CARE_ALERT_ENABLED
    sla_warning_ratio: float = 0.75  # SOCIAL_CARE_ALERT_SLA_WARNING_RATIO: warn at 75 % of the target
    lookback_hours: int = 24  # SOCIAL_CARE_ALERT_LOOKBACK_HOURS: older posts never ping (first deploy)
    digest_threshold: int = 3  # SOCIAL_CARE_ALERT_DIGEST_THRESHOLD: more post alerts due at once → one digest
    digest_max_items: int = 15  # SOCIAL_CARE_ALERT_DIGEST_MAX_ITEMS: lines listed in one digest
    max_per_run: int = 5  # SOCIAL_CARE_ALERT_MAX_PER_RUN: messages one deliver() run may post
    min_interval_seconds: float = 1.0  # SOCIAL_CARE_ALERT_MIN_INTERVAL_SECONDS: Slack's 1 msg/s per webhook
    retry_base_seconds: float = 30.0  # SOCIAL_CARE_ALERT_RETRY_BASE_SECONDS: first back-off after 5xx/timeout
    retry_max_seconds: float = 900.0  # SOCIAL_CARE_ALERT_RETRY_MAX_SECONDS
    spike_sensitivity: float = 3.0  # SOCIAL_CARE_SPIKE_SENSITIVITY: deviations above the baseline
    spike_min_count: int = 5  # SOCIAL_CARE_SPIKE_MIN_COUNT: never a spike below this many negative posts/h
    spike_baseline_hours: int = 24  # SOCIAL_CARE_SPIKE_BASELINE_HOURS
    spike_cooldown_minutes: int = 120  # SOCIAL_CARE_SPIKE_COOLDOWN_MINUTES
    connector_error_runs: int = 3  # SOCIAL_CARE_ALERT_CONNECTOR_ERROR_RUNS: failed polls in a row → ping

    @classmethod
    def from_settings(cls, settings: Any) -> AlertSettings:
        """Read from ``Settings``; a field it does not define takes its default here."""
        defaults = cls()
        secret = getattr(settings, "slack_webhook_url", None)
        url = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        values: dict[str, Any] = {
            "webhook_url": (url or None),
            "public_url": str(getattr(settings, "public_url", defaults.public_url)).rstrip("/"),
            "timeout_seconds": float(getattr(settings, "http_timeout_seconds", defaults.timeout_seconds)),
        }
        for name in (
            "enabled",
            "sla_warning_ratio",
            "lookback_hours",
            "digest_threshold",
            "digest_max_items",
            "max_per_run",
            "min_interval_seconds",
            "retry_base_seconds",
            "retry_max_seconds",
            "spike_sensitivity",
            "spike_min_count",
            "spike_baseline_hours",
            "spike_cooldown_minutes",
            "connector_error_runs",
        ):
            attr = name if name.startswith("spike_") else f"alert_{name}"
            default = getattr(defaults, name)
            value = getattr(settings, attr, None)
            values[name] = default if value is None else type(default)(value)
        return cls(**values)
