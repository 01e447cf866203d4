"""The platforms' webhook endpoints: no sign-in and no CSRF, authenticated by signature alone.

``GET /webhooks/meta`` answers Meta's verification; ``POST /webhooks/meta`` takes Page feed and Messenger
deliveries, and Instagram comments and messages (``X-Hub-Signature-256``, hex). ``GET /webhooks/x`` answers
X's CRC; ``POST /webhooks/x`` takes
Account Activity deliveries (``x-twitter-webhooks-signature``, base64). The signature is checked over the
raw bytes, in constant time, before any JSON is parsed; a refused delivery is logged with its reason only
(never the secret, the signature or the body) and nothing is stored. A valid delivery is committed before
the 200. Shapes and signatures: platforms.md §3.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from connectors.meta_webhooks import parse_meta
from connectors.webhook_events import WebhookEvents, WebhookPayloadError
from connectors.x_webhooks import parse_x

from ..webhooks.ingest import INLINE_DRAFTS, ingest_delivery, record_rejected
from ..webhooks.signatures import meta_signature, same_signature, x_crc_response, x_signature
from ..webhooks.wake import wake_senders
from .auth import client_address
from .deps import core

__all__ = ["router", "MAX_BODY_BYTES"]
log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
MAX_BODY_BYTES = 5 * 1024 * 1024  # the most one delivery may carry (1,000 entries fit easily)


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        self.status, self.reason = status, reason


def _secret(value: Any) -> str | None:
    return value.get_secret_value() or None if value is not None else None


def _refuse(request: Request, platform: str, status: int, reason: str, *, count: bool = True) -> Response:
    log.warning("webhooks.%s: refused a delivery from %s (%d): %s", platform, client_address(request.client),
                status, reason)
    if count:
        record_rejected(core(request), platform, reason)
    return JSONResponse({"error": "refused", "detail": reason}, status_code=status)


async def _raw_body(request: Request) -> bytes:
    """The body as sent, up to MAX_BODY_BYTES (413 beyond, without reading the rest)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _Refused(413, f"body of {declared} bytes is over the {MAX_BODY_BYTES} byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(413, f"body is over the {MAX_BODY_BYTES} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


async def _delivery(request: Request, platform: str, secret: str | None, header: str,
                    sign: Callable[[str, bytes], str], parse: Callable[[Any], WebhookEvents],
                    setting: str) -> Response:
    if not secret:
        return _refuse(request, platform, 403, f"webhooks are not configured: {setting} is not set")
    try:
        raw = await _raw_body(request)
    except _Refused as exc:
        return _refuse(request, platform, exc.status, exc.reason)
    given = request.headers.get(header)
    if not given:
        return _refuse(request, platform, 401, f"no {header} header")
    if not same_signature(sign(secret, raw), given):
        return _refuse(request, platform, 403, f"the {header} signature does not match the body")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return _refuse(request, platform, 400, f"the body is not JSON ({type(exc).__name__})")
    try:
        events = parse(body)
    except WebhookPayloadError as exc:
        return _refuse(request, platform, 400, f"not a {platform} delivery: {exc}")
    app = core(request)
    platform = events.source or platform  # Instagram deliveries are counted apart from the Page's
    result = await run_in_threadpool(ingest_delivery, app, platform, events)  # committed before the 200
    if events.unknown:
        log.info("webhooks.%s: acknowledged %d entr%s of a kind not read: %s", platform, len(events.unknown),
                 "y" if len(events.unknown) == 1 else "ies", ", ".join(sorted(set(events.unknown))[:5]))
    if result.stored or result.edited or result.removed:
        wake_senders(app, flagged=result.flagged, large=result.stored > INLINE_DRAFTS)
    return JSONResponse({"ok": True, **result.as_dict()})


@router.get("/webhooks/meta")
async def meta_verify(request: Request) -> Response:
    settings = core(request).settings
    token = _secret(settings.facebook_webhook_verify_token)
    params = request.query_params
    challenge = params.get("hub.challenge")
    if (token and params.get("hub.mode") == "subscribe" and challenge is not None
            and same_signature(token, params.get("hub.verify_token"))):
        return PlainTextResponse(challenge)
    reason = ("FACEBOOK_WEBHOOK_VERIFY_TOKEN is not set" if not token
              else "not a subscribe request with the configured verify token")
    return _refuse(request, "facebook", 403, f"verification refused: {reason}", count=False)


@router.post("/webhooks/meta")
async def meta_delivery(request: Request) -> Response:
    settings = core(request).settings
    page_id, ig_user_id = settings.facebook_page_id, settings.instagram_business_account_id
    return await _delivery(request, "facebook", _secret(settings.facebook_app_secret), "X-Hub-Signature-256",
                           meta_signature, lambda body: parse_meta(body, page_id=page_id, ig_user_id=ig_user_id),
                           "FACEBOOK_APP_SECRET")


@router.get("/webhooks/x")
async def x_crc(request: Request) -> Response:
    secret = _secret(core(request).settings.x_consumer_secret)
    token = request.query_params.get("crc_token")
    if not secret:
        return _refuse(request, "x", 403, "CRC refused: X_CONSUMER_SECRET is not set", count=False)
    if not token:
        return _refuse(request, "x", 400, "CRC refused: no crc_token", count=False)
    return JSONResponse(x_crc_response(secret, token))


@router.post("/webhooks/x")
async def x_delivery(request: Request) -> Response:
    settings = core(request).settings
    user_id = settings.x_user_id
    if not user_id:
        return _refuse(request, "x", 403, "webhooks are not configured: X_USER_ID is not set")
    return await _delivery(request, "x", _secret(settings.x_consumer_secret), "x-twitter-webhooks-signature",
                           x_signature, lambda body: parse_x(body, user_id=user_id), "X_CONSUMER_SECRET")
