"""Webhook signatures as the platforms compute them (platforms.md §3): over the raw bytes, compared in
constant time. Meta: ``sha256=<hex>``; X: ``sha256=<base64>``; X's CRC answer is base64 too."""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["meta_signature", "x_signature", "x_crc_response", "same_signature"]


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def meta_signature(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: lowercase hex HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + _mac(secret, body).hex()


def x_signature(secret: str, body: bytes) -> str:
    """``x-twitter-webhooks-signature``: base64 HMAC-SHA256 of the raw body with the consumer secret."""
    return "sha256=" + base64.b64encode(_mac(secret, body)).decode("ascii")


def x_crc_response(secret: str, crc_token: str) -> dict[str, str]:
    """The answer to X's challenge-response check: ``{"response_token": "sha256=<base64 HMAC>"}``."""
    return {"response_token": x_signature(secret, crc_token.encode("utf-8"))}


def same_signature(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing header is never equal."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.strip().encode("utf-8", "surrogateescape"))
