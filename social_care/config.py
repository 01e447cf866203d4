"""Typed settings, read from the environment and ``.env``; built once in the composition root.

Every setting is listed, with a comment, in ``.env.example``. Tokens are ``SecretStr`` so they never
print; ``Settings.describe()`` gives a masked view for ``status`` output and logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError
from .scoring.base import RECALL_MAX, RECALL_MIN, parse_recall_by_lang

__all__ = ["Settings", "Autosend", "AlertSettings", "FollowupSettings", "ReportSettings", "load_settings"]


class Autosend(StrEnum):
    NONE = "none"          # replies wait in the queue for a person's approval
    PLAYBOOK = "playbook"  # flagged posts get their playbook reply sent automatically


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    # store
    database_url: str = Field("sqlite:///./social_care.db", alias="SOCIAL_CARE_DATABASE_URL")

    # scale-out (docs/scaling.md): a Celery broker switches polling, sending and Slack to worker processes
    broker_url: str | None = Field(None, alias="SOCIAL_CARE_BROKER_URL")
    # Redis: a task a dead worker had taken goes to another worker after this long (its lease ran out long before)
    broker_visibility_timeout_seconds: int = Field(300, alias="SOCIAL_CARE_BROKER_VISIBILITY_TIMEOUT", ge=30)

    # X
    x_user_id: str | None = Field(None, alias="X_USER_ID")
    x_bearer_token: SecretStr | None = Field(None, alias="X_BEARER_TOKEN")
    x_consumer_key: SecretStr | None = Field(None, alias="X_CONSUMER_KEY")
    x_consumer_secret: SecretStr | None = Field(None, alias="X_CONSUMER_SECRET")
    x_access_token: SecretStr | None = Field(None, alias="X_ACCESS_TOKEN")
    x_access_token_secret: SecretStr | None = Field(None, alias="X_ACCESS_TOKEN_SECRET")
    x_api_base_url: str = Field("https://api.twitter.com", alias="X_API_BASE_URL")

    # Facebook
    facebook_page_id: str | None = Field(None, alias="FACEBOOK_PAGE_ID")
    facebook_page_access_token: SecretStr | None = Field(None, alias="FACEBOOK_PAGE_ACCESS_TOKEN")
    facebook_app_secret: SecretStr | None = Field(None, alias="FACEBOOK_APP_SECRET")
    facebook_webhook_verify_token: SecretStr | None = Field(None, alias="FACEBOOK_WEBHOOK_VERIFY_TOKEN")
    facebook_graph_url: str = Field("https://graph.facebook.com", alias="FACEBOOK_GRAPH_URL")
    facebook_graph_version: str = Field("v23.0", alias="FACEBOOK_GRAPH_VERSION")

    # Instagram (the business account linked to the Facebook Page; the Page token is reused)
    instagram_business_account_id: str | None = Field(None, alias="INSTAGRAM_BUSINESS_ACCOUNT_ID")
    instagram_lookback_days: int = Field(14, alias="SOCIAL_CARE_INSTAGRAM_LOOKBACK_DAYS", ge=1)

    # X recent search: posts that name the brand without tagging it (comma-separated terms: brand and
    # product names, common misspellings); none → not polled
    x_search_terms: str | None = Field(None, alias="SOCIAL_CARE_X_SEARCH_TERMS")
    # recent search is billed per post read: the stream pauses until the next day (UTC) at this many
    x_search_max_posts_per_day: int = Field(500, alias="SOCIAL_CARE_X_SEARCH_MAX_POSTS_PER_DAY", ge=1)

    # Slack
    slack_webhook_url: SecretStr | None = Field(None, alias="SLACK_WEBHOOK_URL")

    # behaviour
    autosend: Autosend = Field(Autosend.NONE, alias="SOCIAL_CARE_AUTOSEND")
    scorer: str = Field("default", alias="SOCIAL_CARE_SCORER")
    # default scorer: flag at the operating point that caught this share of unhappy posts when tuned
    flag_recall: float | None = Field(None, alias="SOCIAL_CARE_FLAG_RECALL", ge=RECALL_MIN, le=RECALL_MAX)
    # default scorer: the same share for single languages, over SOCIAL_CARE_FLAG_RECALL ("de=0.6,ko=0.95")
    flag_recall_by_lang: str | None = Field(None, alias="SOCIAL_CARE_FLAG_RECALL_BY_LANG")
    # default scorer: a model file of your own (`social-care train --out`) instead of the shipped one
    model_path: str | None = Field(None, alias="SOCIAL_CARE_MODEL_PATH")
    http_timeout_seconds: float = Field(15.0, alias="SOCIAL_CARE_HTTP_TIMEOUT", gt=0)
    brand_name: str = Field("our shop", alias="SOCIAL_CARE_BRAND_NAME")
    templates_path: str | None = Field(None, alias="SOCIAL_CARE_TEMPLATES")
    public_url: str = Field("http://127.0.0.1:8000", alias="SOCIAL_CARE_PUBLIC_URL")
    secret_key: SecretStr | None = Field(None, alias="SOCIAL_CARE_SECRET_KEY")

    # poll intervals (seconds), per stream
    poll_x_mentions_seconds: int = Field(60, alias="SOCIAL_CARE_POLL_X_MENTIONS_SECONDS", ge=1)
    poll_x_dms_seconds: int = Field(90, alias="SOCIAL_CARE_POLL_X_DMS_SECONDS", ge=1)
    poll_facebook_comments_seconds: int = Field(120, alias="SOCIAL_CARE_POLL_FACEBOOK_COMMENTS_SECONDS", ge=1)
    poll_facebook_messenger_seconds: int = Field(60, alias="SOCIAL_CARE_POLL_FACEBOOK_MESSENGER_SECONDS", ge=1)
    poll_instagram_comments_seconds: int = Field(120, alias="SOCIAL_CARE_POLL_INSTAGRAM_COMMENTS_SECONDS", ge=1)
    poll_instagram_dms_seconds: int = Field(60, alias="SOCIAL_CARE_POLL_INSTAGRAM_DMS_SECONDS", ge=1)
    poll_x_search_seconds: int = Field(300, alias="SOCIAL_CARE_POLL_X_SEARCH_SECONDS", ge=1)
    outbox_interval_seconds: int = Field(15, alias="SOCIAL_CARE_OUTBOX_INTERVAL_SECONDS", ge=1)
    facebook_lookback_days: int = Field(14, alias="SOCIAL_CARE_FACEBOOK_LOOKBACK_DAYS", ge=1)
    # while a platform's signed webhooks arrive, its streams are polled only this often (the backstop)
    poll_backstop_seconds: int = Field(900, alias="SOCIAL_CARE_POLL_BACKSTOP_SECONDS", ge=1)

    # response targets (minutes), per channel
    target_x_mention_minutes: int = Field(60, alias="SOCIAL_CARE_TARGET_X_MENTION_MINUTES", ge=1)
    target_x_dm_minutes: int = Field(60, alias="SOCIAL_CARE_TARGET_X_DM_MINUTES", ge=1)
    target_facebook_comment_minutes: int = Field(60, alias="SOCIAL_CARE_TARGET_FACEBOOK_COMMENT_MINUTES", ge=1)
    target_facebook_messenger_minutes: int = Field(60, alias="SOCIAL_CARE_TARGET_FACEBOOK_MESSENGER_MINUTES", ge=1)
    target_instagram_comment_minutes: int = Field(60, alias="SOCIAL_CARE_TARGET_INSTAGRAM_COMMENT_MINUTES", ge=1)
    target_instagram_dm_minutes: int = Field(60, alias="SOCIAL_CARE_TARGET_INSTAGRAM_DM_MINUTES", ge=1)
    target_x_search_minutes: int = Field(240, alias="SOCIAL_CARE_TARGET_X_SEARCH_MINUTES", ge=1)

    # Slack alerts
    alert_enabled: bool = Field(True, alias="SOCIAL_CARE_ALERT_ENABLED")
    alert_sla_warning_ratio: float = Field(0.75, alias="SOCIAL_CARE_ALERT_SLA_WARNING_RATIO", gt=0, lt=1)
    alert_lookback_hours: int = Field(24, alias="SOCIAL_CARE_ALERT_LOOKBACK_HOURS", ge=1)
    alert_digest_threshold: int = Field(3, alias="SOCIAL_CARE_ALERT_DIGEST_THRESHOLD", ge=1)
    alert_digest_max_items: int = Field(15, alias="SOCIAL_CARE_ALERT_DIGEST_MAX_ITEMS", ge=1)
    alert_max_per_run: int = Field(5, alias="SOCIAL_CARE_ALERT_MAX_PER_RUN", ge=1)
    once_alert_wait_seconds: float = Field(30.0, alias="SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS", ge=0, le=600)
    alert_min_interval_seconds: float = Field(1.0, alias="SOCIAL_CARE_ALERT_MIN_INTERVAL_SECONDS", ge=1.0)
    alert_retry_base_seconds: float = Field(30.0, alias="SOCIAL_CARE_ALERT_RETRY_BASE_SECONDS", gt=0)
    alert_retry_max_seconds: float = Field(900.0, alias="SOCIAL_CARE_ALERT_RETRY_MAX_SECONDS", gt=0)
    alert_connector_error_runs: int = Field(3, alias="SOCIAL_CARE_ALERT_CONNECTOR_ERROR_RUNS", ge=1)
    spike_sensitivity: float = Field(3.0, alias="SOCIAL_CARE_SPIKE_SENSITIVITY", gt=0)
    spike_min_count: int = Field(5, alias="SOCIAL_CARE_SPIKE_MIN_COUNT", ge=1)
    spike_baseline_hours: int = Field(24, alias="SOCIAL_CARE_SPIKE_BASELINE_HOURS", ge=1)
    spike_cooldown_minutes: int = Field(120, alias="SOCIAL_CARE_SPIKE_COOLDOWN_MINUTES", ge=1)

    # weekly report
    report_timezone: str = Field("UTC", alias="SOCIAL_CARE_REPORT_TIMEZONE")
    reports_dir: str = Field("./reports", alias="SOCIAL_CARE_REPORTS_DIR")
    report_day: str = Field("mon", alias="SOCIAL_CARE_REPORT_DAY")
    report_hour: int = Field(8, alias="SOCIAL_CARE_REPORT_HOUR", ge=0, le=23)
    report_minute: int = Field(0, alias="SOCIAL_CARE_REPORT_MINUTE", ge=0, le=59)

    # follow-up after resolution
    followup_enabled: bool = Field(True, alias="SOCIAL_CARE_FOLLOWUP_ENABLED")
    followup_delay_minutes: int = Field(1440, alias="SOCIAL_CARE_FOLLOWUP_DELAY_MINUTES", ge=1)
    followup_answer_hours: int = Field(168, alias="SOCIAL_CARE_FOLLOWUP_ANSWER_HOURS", ge=1)
    followup_lookback_days: int = Field(14, alias="SOCIAL_CARE_FOLLOWUP_LOOKBACK_DAYS", ge=1)

    @field_validator("report_day")
    @classmethod
    def _report_day(cls, value: str) -> str:
        value = value.strip().lower()[:3]
        if value not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            raise ValueError("SOCIAL_CARE_REPORT_DAY must be a day name such as mon")
        return value

    @field_validator("facebook_graph_version")
    @classmethod
    def _graph_version(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("v"):
            value = "v" + value
        head, _, tail = value[1:].partition(".")
        if not (head.isdigit() and tail.isdigit()):
            raise ValueError(f"FACEBOOK_GRAPH_VERSION must look like v23.0, got {value!r}")
        return value

    @field_validator("flag_recall_by_lang")
    @classmethod
    def _recall_by_lang(cls, value: str | None) -> str | None:
        try:
            levels = parse_recall_by_lang(value)
        except ValueError as e:
            raise ValueError(f"SOCIAL_CARE_FLAG_RECALL_BY_LANG: {e}") from None
        return ",".join(f"{lang}={r:g}" for lang, r in levels.items()) or None

    @field_validator("x_api_base_url", "facebook_graph_url", "public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    # ---- derived -----------------------------------------------------------------------------
    @property
    def x_configured(self) -> bool:
        return bool(self.x_user_id and self.x_bearer_token)

    @property
    def x_user_auth_configured(self) -> bool:
        return bool(
            self.x_consumer_key and self.x_consumer_secret and self.x_access_token and self.x_access_token_secret
        )

    @property
    def facebook_configured(self) -> bool:
        return bool(self.facebook_page_id and self.facebook_page_access_token)

    @property
    def instagram_configured(self) -> bool:
        return bool(self.facebook_configured and self.instagram_business_account_id)

    @property
    def x_search_term_list(self) -> list[str]:
        """The search terms, trimmed, without empties or repeats (case-insensitive)."""
        seen: dict[str, str] = {}
        for term in (self.x_search_terms or "").split(","):
            term = " ".join(term.split())
            if term and term.lower() not in seen:
                seen[term.lower()] = term
        return list(seen.values())

    @property
    def alerts(self) -> AlertSettings:
        """The alert settings (``SLACK_WEBHOOK_URL``, ``SOCIAL_CARE_ALERT_*``, ``SOCIAL_CARE_SPIKE_*``)."""
        url = self.slack_webhook_url.get_secret_value() if self.slack_webhook_url is not None else None
        return AlertSettings(
            webhook_url=url or None, public_url=self.public_url.rstrip("/"),
            timeout_seconds=float(self.http_timeout_seconds), enabled=self.alert_enabled,
            sla_warning_ratio=self.alert_sla_warning_ratio, lookback_hours=self.alert_lookback_hours,
            digest_threshold=self.alert_digest_threshold, digest_max_items=self.alert_digest_max_items,
            max_per_run=self.alert_max_per_run, min_interval_seconds=self.alert_min_interval_seconds,
            retry_base_seconds=self.alert_retry_base_seconds, retry_max_seconds=self.alert_retry_max_seconds,
            spike_sensitivity=self.spike_sensitivity, spike_min_count=self.spike_min_count,
            spike_baseline_hours=self.spike_baseline_hours, spike_cooldown_minutes=self.spike_cooldown_minutes,
            connector_error_runs=self.alert_connector_error_runs,
        )

    @property
    def followup(self) -> FollowupSettings:
        """The follow-up settings (``SOCIAL_CARE_FOLLOWUP_*``, ``SOCIAL_CARE_BRAND_NAME``)."""
        return FollowupSettings(
            enabled=self.followup_enabled, delay_minutes=self.followup_delay_minutes,
            answer_hours=self.followup_answer_hours, lookback_days=self.followup_lookback_days, brand=self.brand_name,
        )

    @property
    def reports(self) -> ReportSettings:
        """The weekly report settings (``SOCIAL_CARE_REPORT_*``, ``SOCIAL_CARE_REPORTS_DIR``); ConfigError for
        a time zone that does not exist."""
        out = ReportSettings(
            timezone=self.report_timezone or _default("report_timezone"),
            reports_dir=self.reports_dir or _default("reports_dir"),
            day=self.report_day or _default("report_day"), hour=self.report_hour, minute=self.report_minute,
        )
        try:
            ZoneInfo(out.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"SOCIAL_CARE_REPORT_TIMEZONE: unknown time zone {out.timezone!r}") from None
        return out

    def response_target_minutes(self, channel: str) -> int:
        return {
            "x.mention": self.target_x_mention_minutes,
            "x.dm": self.target_x_dm_minutes,
            "facebook.comment": self.target_facebook_comment_minutes,
            "facebook.messenger": self.target_facebook_messenger_minutes,
            "instagram.comment": self.target_instagram_comment_minutes,
            "instagram.dm": self.target_instagram_dm_minutes,
            "x.search": self.target_x_search_minutes,
        }[str(channel)]

    def secrets(self) -> list[str]:
        """Every secret value currently set (for redaction filters)."""
        out = []
        for value in self.__dict__.values():
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                if secret:
                    out.append(secret)
        return out

    def describe(self) -> dict[str, Any]:
        """Settings with secrets masked: safe for logs and status output."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, SecretStr):
                out[name] = "****" if value.get_secret_value() else None
            elif name == "database_url" or (name == "broker_url" and value):
                out[name] = _mask_url(value)
            else:
                out[name] = value
        return out


def _default(name: str) -> Any:
    """The default of the ``Settings`` field ``name``: the settings groups below take theirs from there."""
    return Settings.model_fields[name].default


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """``Settings.alerts``; built directly (tests, a sink of one's own), a field left out takes Settings' default."""

    webhook_url: str | None = None  # SLACK_WEBHOOK_URL (a secret: its path is the token)
    public_url: str = _default("public_url")
    timeout_seconds: float = _default("http_timeout_seconds")
    enabled: bool = _default("alert_enabled")
    sla_warning_ratio: float = _default("alert_sla_warning_ratio")  # warn at this share of the target
    lookback_hours: int = _default("alert_lookback_hours")  # older posts never ping (first deploy)
    digest_threshold: int = _default("alert_digest_threshold")  # more post alerts due at once → one digest
    digest_max_items: int = _default("alert_digest_max_items")  # lines listed in one digest
    max_per_run: int = _default("alert_max_per_run")  # messages one deliver() run may post
    min_interval_seconds: float = _default("alert_min_interval_seconds")  # Slack's 1 msg/s per webhook
    retry_base_seconds: float = _default("alert_retry_base_seconds")  # first back-off after 5xx/timeout
    retry_max_seconds: float = _default("alert_retry_max_seconds")
    spike_sensitivity: float = _default("spike_sensitivity")  # deviations above the baseline
    spike_min_count: int = _default("spike_min_count")  # never a spike below this many negative posts/h
    spike_baseline_hours: int = _default("spike_baseline_hours")
    spike_cooldown_minutes: int = _default("spike_cooldown_minutes")
    connector_error_runs: int = _default("alert_connector_error_runs")  # failed polls in a row → ping


@dataclass(frozen=True, slots=True)
class FollowupSettings:
    """``Settings.followup``."""

    enabled: bool = _default("followup_enabled")  # follow-ups at all
    delay_minutes: int = _default("followup_delay_minutes")  # after resolution
    answer_hours: int = _default("followup_answer_hours")  # a private message this long after is the answer
    lookback_days: int = _default("followup_lookback_days")  # older resolutions get none (first deploy)
    brand: str = _default("brand_name")


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """``Settings.reports``."""

    timezone: str = _default("report_timezone")  # weeks, days and hours of the report (IANA name)
    reports_dir: str = _default("reports_dir")  # where weekly_job writes its files
    day: str = _default("report_day")  # APScheduler day name for the weekly job
    hour: int = _default("report_hour")  # local hour (in the report time zone)
    minute: int = _default("report_minute")

    def cron_trigger_kwargs(self) -> dict[str, Any]:
        """``CronTrigger(**kwargs)`` for the weekly job (day names, never from_crontab)."""
        return {"day_of_week": self.day, "hour": self.hour, "minute": self.minute, "timezone": self.timezone}


def _mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url  # lazy: config is read before anything needs SQLAlchemy

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is reported elsewhere; never echo it raw
        return "****"


def load_settings(**overrides: Any) -> Settings:
    """Build settings; a validation failure becomes a ConfigError naming the setting, not a traceback."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
