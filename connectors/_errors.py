"""SDK exceptions → social-care's error tree, in exactly one place (see ``social_care.errors``).

``x_errors()`` wraps every tweepy call and ``graph_errors()`` every facebook-sdk call; nothing outside
this package imports tweepy or facebook.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import facebook
import requests
import tweepy

from social_care.errors import (
    AuthError,
    BlockedError,
    DuplicateContentError,
    FatalError,
    OutsideWindowError,
    PlatformError,
    RateLimited,
    RetriableError,
    SkippableError,
    WebhookRefusedError,
)
from social_care.logging_setup import redact

__all__ = ["x_errors", "x_webhook_errors", "graph_errors", "GRAPH_RATE_LIMIT_CODES", "X_WEBHOOK_REASONS"]

GRAPH_RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002, 80004, 80005, 80006})
GRAPH_RETRIABLE_CODES = frozenset({1, 2})
GRAPH_AUTH_CODES = frozenset({102, 190})
GRAPH_SKIP_CODES = frozenset({100, 230, 551})  # bad object / person unavailable: don't retry this item
MESSENGER_WINDOW_SUBCODE = 2018278
DEFAULT_X_PAUSE = timedelta(minutes=15)
DEFAULT_GRAPH_PAUSE = timedelta(minutes=10)


def _x_message(exc: tweepy.HTTPException) -> str:
    messages = [m for m in (exc.api_messages or []) if m]
    return redact("; ".join(messages) or str(exc).replace("\n", " "))


@contextmanager
def x_errors(clock: Callable[[], datetime]) -> Iterator[None]:
    """Translate tweepy/requests failures; the X rate limit becomes RateLimited(reset_at)."""
    try:
        yield
    except tweepy.TooManyRequests as exc:
        reset = exc.reset_time if getattr(exc, "reset_time", None) else None
        if reset is None:
            header = exc.response.headers.get("x-rate-limit-reset") if exc.response is not None else None
            reset = int(header) if header and header.isdigit() else None
        now = clock()
        reset_at = datetime.fromtimestamp(reset, tz=now.tzinfo) if reset else now + DEFAULT_X_PAUSE
        if reset_at <= now:
            reset_at = now + timedelta(seconds=5)
        raise RateLimited(_x_message(exc), reset_at=reset_at, platform="x", status=429) from None
    except tweepy.Unauthorized as exc:
        raise AuthError(
            f"X rejected the credentials ({_x_message(exc)}); check X_BEARER_TOKEN and the access tokens",
            platform="x", status=401,
        ) from None
    except tweepy.Forbidden as exc:
        message = _x_message(exc)
        if "duplicate content" in message.lower():
            raise DuplicateContentError(message, platform="x", status=403) from None
        if "mentioned or otherwise engaged" in message.lower():
            # self-serve apps may reply only to a post that @mentions or quotes the brand
            raise OutsideWindowError(
                f"X lets this app reply only to posts that mention or quote the brand ({message}): a person "
                "must answer from the X app", platform="x", status=403) from None
        raise FatalError(message, platform="x", status=403) from None
    except tweepy.NotFound as exc:
        raise SkippableError(_x_message(exc), platform="x", status=404) from None
    except tweepy.BadRequest as exc:
        raise SkippableError(_x_message(exc), platform="x", status=400) from None
    except tweepy.TwitterServerError as exc:
        raise RetriableError(_x_message(exc), platform="x", status=exc.response.status_code) from None
    except tweepy.HTTPException as exc:
        status = exc.response.status_code if exc.response is not None else None
        raise RetriableError(_x_message(exc), platform="x", status=status) from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise RetriableError(f"cannot reach X: {type(exc).__name__}", platform="x") from None
    except (ValueError, KeyError, TypeError) as exc:  # malformed JSON / shapes tweepy could not parse
        raise RetriableError(f"X sent a response that is not valid JSON: {type(exc).__name__}", platform="x") from None


# the failure reasons X documents for its webhook calls (POST/PUT/DELETE /2/webhooks, subscriptions)
X_WEBHOOK_REASONS = ("CrcValidationFailed", "UrlValidationFailed", "DuplicateUrlFailed", "WebhookLimitExceeded",
                     "WebhookIdInvalid", "SubscriptionLimitExceeded")


def _webhook_reason(exc: tweepy.HTTPException) -> str | None:
    """The documented reason in a refused webhook call's answer, wherever the body carries it."""
    texts = [str(m) for m in (exc.api_messages or [])]
    if exc.response is not None:
        with contextlib.suppress(UnicodeDecodeError, AttributeError):  # requests decodes leniently
            texts.append(exc.response.text)
    return next((r for r in X_WEBHOOK_REASONS if any(r in t for t in texts)), None)


@contextmanager
def x_webhook_errors(clock: Callable[[], datetime]) -> Iterator[None]:
    """``x_errors`` for the webhook endpoints: a documented refusal becomes WebhookRefusedError(reason)."""
    with x_errors(clock):
        try:
            yield
        except (tweepy.BadRequest, tweepy.Forbidden, tweepy.NotFound) as exc:
            reason = _webhook_reason(exc)
            if reason is None:
                raise
            status = exc.response.status_code if exc.response is not None else None
            raise WebhookRefusedError(reason, _x_message(exc), platform="x", status=status) from None


@contextmanager
def graph_errors(clock: Callable[[], datetime], usage: dict[str, object] | None = None) -> Iterator[None]:
    """Translate facebook-sdk/requests failures by Graph ``error.code`` (never by HTTP status)."""
    try:
        yield
    except facebook.GraphAPIError as exc:
        raise _graph_error(exc, clock(), usage or {}) from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise RetriableError(f"cannot reach the Graph API: {type(exc).__name__}", platform="facebook") from None
    except KeyError as exc:  # facebook-sdk: no Content-Type header, or paging.next without access_token
        raise RetriableError(f"the Graph API sent an unexpected response (missing {exc})",
                             platform="facebook") from None
    except (ValueError, TypeError) as exc:
        raise RetriableError(
            f"the Graph API sent a response that is not valid JSON: {type(exc).__name__}", platform="facebook"
        ) from None


def _graph_error(exc: facebook.GraphAPIError, now: datetime, usage: dict[str, object]) -> PlatformError:
    result = exc.result if isinstance(exc.result, dict) else {}
    raw_error = result.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    code = exc.code if isinstance(exc.code, int) else _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = redact(str(error.get("message") or exc.message or exc))
    kw: dict[str, Any] = {"platform": "facebook", "code": code, "subcode": subcode}
    if code is None:  # an HTML error page or other non-JSON body
        return RetriableError(f"the Graph API answered with a non-JSON page ({message})", **kw)
    if code in GRAPH_RATE_LIMIT_CODES:
        return RateLimited(message, reset_at=now + _regain_access(usage), **kw)
    if code in GRAPH_RETRIABLE_CODES:
        return RetriableError(message, **kw)
    if code in GRAPH_AUTH_CODES:
        return AuthError(
            f"the Page token is invalid or expired ({message}); create a new Page access token and set "
            "FACEBOOK_PAGE_ACCESS_TOKEN",
            **kw,
        )
    if code == 10 and subcode == MESSENGER_WINDOW_SUBCODE:
        return OutsideWindowError("outside Messenger's 24-hour window: a person must answer", **kw)
    if code == 10 or 200 <= code <= 299:
        return BlockedError(f"permission missing ({message}); re-grant the Page permissions", **kw)
    if code == 506:  # "Duplicate status message"
        return DuplicateContentError(message, **kw)
    if code in GRAPH_SKIP_CODES:
        return SkippableError(message, **kw)
    if code == 368:
        return BlockedError(f"the Page is temporarily blocked for policy reasons ({message})", **kw)
    return FatalError(message, **kw)


def _regain_access(usage: dict[str, object]) -> timedelta:
    """The wait Meta announces in X-Business-Use-Case-Usage (minutes), else a default pause."""
    raw = usage.get("X-Business-Use-Case-Usage")
    minutes = 0
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if isinstance(raw, dict):
        for entries in raw.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    minutes = max(minutes, _int(entry.get("estimated_time_to_regain_access")) or 0)
    return timedelta(minutes=minutes) if minutes > 0 else DEFAULT_GRAPH_PAUSE


def _int(value: object) -> int | None:
    if not isinstance(value, str | bytes | int | float):  # JSON's lists, objects and null
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
