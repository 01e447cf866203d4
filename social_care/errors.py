"""Every error social-care raises, classified by what the caller should do.

    SocialCareError
    ├─ ConfigError                      bad settings → refuse to start, say which setting
    ├─ PlatformError                    platform boundary; carries platform, status, code
    │   ├─ RetriableError               5xx, timeouts, connection errors, Graph codes 1/2 → retry soon
    │   │   ├─ RateLimited(reset_at)    X 429, Graph 4/17/32/613/80001/341, Slack 429 → pause until reset_at
    │   │   └─ Unconfirmed              the request went out, the answer was lost: it may have gone through
    │   ├─ SkippableError               one bad item (malformed, deleted) → log, skip, go on
    │   └─ FatalError                   401/403, Graph 190/10/200-299, pagination loop → stop the stream, alert
    │       ├─ AuthError                token expired or revoked
    │       ├─ BlockedError             the account may not act: no permission, policy block (Graph 368)
    │       ├─ OutsideWindowError       Messenger 24 h window closed → a person must answer
    │       └─ WebhookRefusedError      X refused a webhook registration (reason: CrcValidationFailed, …)
    └─ StaleViewError                   a send from a view older than the post's current state

SDK exceptions (tweepy, facebook-sdk, requests) are translated to this tree in exactly one place:
``connectors/_errors.py``; an alert sink's answers (Slack's webhook: ``alerts/slack.py``) use the same
classes: ``FatalError`` the sink is unusable, ``SkippableError`` this message is refused, ``RateLimited``
and ``RetriableError`` wait and try again.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "SocialCareError",
    "ConfigError",
    "PlatformError",
    "RetriableError",
    "RateLimited",
    "SkippableError",
    "FatalError",
    "AuthError",
    "OutsideWindowError",
    "BlockedError",
    "WebhookRefusedError",
    "StaleViewError",
    "Unconfirmed",
    "LeaseLost",
    "PoisonInput",
]


class SocialCareError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(SocialCareError):
    pass


class PlatformError(SocialCareError):
    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        status: int | None = None,
        code: int | None = None,
        subcode: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status = status
        self.code = code
        self.subcode = subcode

    def __str__(self) -> str:
        bits = [self.platform] if self.platform else []
        if self.status is not None:
            bits.append(f"HTTP {self.status}")
        if self.code is not None:
            bits.append(f"code {self.code}" + (f"/{self.subcode}" if self.subcode else ""))
        prefix = f"[{' '.join(bits)}] " if bits else ""
        return f"{prefix}{self.message}"


class RetriableError(PlatformError):
    pass


class Unconfirmed(RetriableError):
    """The request went out but its answer was lost (a timeout, a dropped connection): the platform may
    have acted on it. Try again, knowing the first attempt may have gone through."""


class RateLimited(RetriableError):
    def __init__(self, message: str, *, reset_at: datetime, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.reset_at = reset_at


class SkippableError(PlatformError):
    pass


class DuplicateContentError(SkippableError):
    """The platform refused a text identical to one the brand already posted (X 403, Graph code 506):
    the same reply with other words goes through."""


class FatalError(PlatformError):
    pass


class AuthError(FatalError):
    pass


class OutsideWindowError(FatalError):
    pass


class BlockedError(FatalError):
    """The account (a Page) may not do this at all right now: a permission is missing or a policy block is
    on. Nothing on that channel can go through until a person fixes it, so it stops the channel, not one
    reply."""


class WebhookRefusedError(FatalError):
    """X said no to a webhook call, with one of its documented reasons (``reason``): CrcValidationFailed,
    UrlValidationFailed, DuplicateUrlFailed, WebhookLimitExceeded, WebhookIdInvalid, ..."""

    def __init__(self, reason: str, message: str, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.reason = reason


class StaleViewError(SocialCareError):
    pass


class LeaseLost(RetriableError):
    """Scaled out: this process's lease (on a stream, a reply) ran out and another process took it; the
    work in progress is rolled back and the holder carries on."""


class PoisonInput(SocialCareError):
    """Scaled out: a task argument no run can succeed with (a reply id that is not a number or does not
    exist, a stream that is not configured): the task goes to the dead letters, never retried."""
