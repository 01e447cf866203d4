"""One POST to a Slack incoming webhook, and what Slack's answer means for the outbox.

Slack answers plain text: 200 ``ok``; 400 payload problems; 403/404/410 mean the webhook is gone or
forbidden (stop); 429 with ``Retry-After``; 5xx means retry later. Timeouts and connection errors are
retriable too. The answers are raised as the platforms' error classes (``social_care.errors``). The webhook URL is a
secret (its path is the token): it is
never put in an exception, a log line or a status summary; use :func:`mask_webhook_url`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import FatalError, RateLimited, RetriableError, SkippableError, Unconfirmed

__all__ = ["PAYLOAD_BODIES", "PERMANENT_BODIES", "mask_webhook_url", "post_message"]
log = logging.getLogger(__name__)

PERMANENT_STATUSES = frozenset({403, 404, 410})
PERMANENT_BODIES = frozenset(
    {
        "no_service",
        "invalid_token",
        "channel_not_found",
        "channel_is_archived",
        "action_prohibited",
        "no_team",
    }
)
PAYLOAD_BODIES = frozenset(
    {
        "invalid_payload",
        "no_text",
        "missing_text_or_fallback_or_attachments",
        "invalid_blocks",
        "user_not_found",
    }
)

ACTIONS = {
    "no_service": "the webhook was disabled or revoked: create a new incoming webhook and set SLACK_WEBHOOK_URL",
    "invalid_token": "the webhook URL is wrong: copy it again from the Slack app and set SLACK_WEBHOOK_URL",
    "channel_not_found": "the channel is gone: create a webhook for an existing channel and set SLACK_WEBHOOK_URL",
    "channel_is_archived": "the channel is archived: unarchive it or set SLACK_WEBHOOK_URL to a new webhook",
    "action_prohibited": "a workspace admin restricted posting: ask them, or use another webhook",
}


def mask_webhook_url(url: str | None) -> str:
    """``https://hooks.slack.com/services/T…/****``: enough to recognise, nothing to reuse."""
    if not url:
        return "(not set)"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "****"
    segments = [s for s in parts.path.split("/") if s]
    head = f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    if segments and segments[0] == "services" and len(segments) > 1:
        return f"{head}/services/{segments[1][:1]}…/****"
    return f"{head}/****"


def post_message(
    url: str, payload: dict[str, Any], *, timeout: float, now: datetime, client: httpx.Client | None = None
) -> None:
    """POST ``payload``; return on 200 ``ok``, else raise what Slack's answer means:

    ``FatalError``: the webhook is unusable (stop everything); ``SkippableError``: this message is refused
    (try a simpler one); ``RateLimited``: wait until ``reset_at`` (429, from ``now``); ``Unconfirmed``: the
    request went out, Slack may have posted it; ``RetriableError``: try again later.
    """
    try:
        if client is not None:
            resp = client.post(url, json=payload, timeout=timeout)
        else:
            with httpx.Client(timeout=timeout, follow_redirects=False) as own:
                resp = own.post(url, json=payload)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never reached Slack: nothing was posted
        raise RetriableError(f"Slack unreachable ({type(exc).__name__})") from None
    except httpx.TimeoutException:  # the request went out: Slack may have posted it
        raise Unconfirmed("Slack did not answer in time (timeout)") from None
    except httpx.TransportError as exc:
        # the connection dropped after the request went out: Slack may have posted it. The message of a
        # transport error can carry the URL: keep only the class name
        raise Unconfirmed(f"Slack unreachable ({type(exc).__name__})") from None
    body = resp.text.strip()[:200]
    if resp.status_code == 200:
        return
    code = body.split()[0] if body else ""
    if resp.status_code == 429:
        raise RateLimited("Slack rate limit (429)", reset_at=now + timedelta(seconds=_retry_after(resp)))
    if resp.status_code in PERMANENT_STATUSES or code in PERMANENT_BODIES:
        action = ACTIONS.get(code, "check the Slack app and set SLACK_WEBHOOK_URL")
        raise FatalError(f"Slack refused the webhook: HTTP {resp.status_code} {code or '(no body)'}; {action}")
    if resp.status_code == 400 or code in PAYLOAD_BODIES:
        raise SkippableError(f"Slack refused the message: HTTP {resp.status_code} {code or '(no body)'}")
    raise RetriableError(f"Slack error: HTTP {resp.status_code} {code or ''}".strip())


def _retry_after(resp: httpx.Response) -> float:
    raw = resp.headers.get("retry-after", "")
    try:
        return max(1.0, float(raw))
    except ValueError:
        return 30.0
