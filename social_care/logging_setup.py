"""Logging that never leaks a secret: quiet SDK loggers and a redaction filter on every handler."""

from __future__ import annotations

import logging
import re

__all__ = ["install_secret_filter", "configure_logging", "redact"]

_SECRETS: set[str] = set()
# access_token in Graph URLs, bearer/OAuth headers, Slack webhook paths
_PATTERNS = [
    re.compile(r"(access_token=)[^&\s\"']+", re.I),
    re.compile(r"(Bearer\s+)[A-Za-z0-9%._~+/=-]+", re.I),
    re.compile(r"(oauth_(?:token|signature|consumer_key)=\"?)[^\",\s]+", re.I),
    re.compile(r"(/services/)[A-Za-z0-9/_-]+", re.I),
]


def redact(text: str) -> str:
    """Mask every known secret and every token-shaped value in ``text``."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "****")
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1****", text)
    return text


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not kill logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = _RedactingFilter()


def install_secret_filter(secrets: list[str]) -> None:
    """Register secrets for redaction; silence loggers that print tokens (tweepy, urllib3 at DEBUG)."""
    _SECRETS.update(s for s in secrets if s and len(s) >= 4)
    for name in ("tweepy", "tweepy.client", "urllib3", "urllib3.connectionpool", "requests_oauthlib", "oauthlib",
                 "httpx", "httpcore", "facebook", "alembic.runtime.plugins"):  # the last: a line per plugin
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_FILTER)
