"""Refusals before anything is parsed or stored, table-driven: every way a signature can be wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Any

import pytest
from sqlmodel import func, select

from social_care.store.tables import Post, WebhookState
from social_care.webhooks import last_deliveries
from social_care.webhooks.wake import stop_senders

from .signing import APP_SECRET, CONSUMER_SECRET, VERIFY_TOKEN, body_bytes, meta_header, meta_payload, x_header

PAGE_ID = "104512345678901"
META_BODY = meta_payload(PAGE_ID, changes=[{"field": "feed", "value": {
    "item": "comment", "verb": "add", "comment_id": "122100000000000001_1234567890123456",
    "post_id": f"{PAGE_ID}_122100000000000001", "parent_id": f"{PAGE_ID}_122100000000000001",
    "message": "Is the app down? Terrible, nothing works!", "from": {"id": "7012345678901234", "name": "Jane Doe"},
    "created_time": 1795680000}}])
X_BODY = {"for_user_id": "99", "direct_message_events": [{
    "type": "message_create", "id": "1800000000000000001", "created_timestamp": "1795680300123",
    "message_create": {"target": {"recipient_id": "99"}, "sender_id": "4242",
                       "message_data": {"text": "my refund never came, awful", "entities": {}}}}],
    "users": {"4242": {"id": "4242", "name": "Jo", "screen_name": "jo"}}}


def _hex(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _b64(secret: str, body: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


STALE_BODY = body_bytes({"object": "page", "entry": []})  # an earlier delivery: its signature, not this body's
# (platform, header value maker or None for no header, expected status)
CASES: list[tuple[str, str, Any, int]] = [
    ("meta", "valid", lambda b: _hex(APP_SECRET, b), 200),
    ("meta", "missing", None, 401),
    ("meta", "empty", lambda b: "", 401),
    ("meta", "wrong secret", lambda b: _hex("another-secret", b), 403),
    ("meta", "base64 instead of hex", lambda b: _b64(APP_SECRET, b), 403),
    ("meta", "no sha256= prefix", lambda b: _hex(APP_SECRET, b)[7:], 403),
    ("meta", "uppercase hex", lambda b: _hex(APP_SECRET, b).upper(), 403),
    ("meta", "stale (an earlier body's)", lambda b: _hex(APP_SECRET, STALE_BODY), 403),
    ("meta", "X's secret", lambda b: _hex(CONSUMER_SECRET, b), 403),
    ("x", "valid", lambda b: _b64(CONSUMER_SECRET, b), 200),
    ("x", "missing", None, 401),
    ("x", "wrong secret", lambda b: _b64("another-secret", b), 403),
    ("x", "hex instead of base64", lambda b: _hex(CONSUMER_SECRET, b), 403),
    ("x", "stale (an earlier body's)", lambda b: _b64(CONSUMER_SECRET, STALE_BODY), 403),
    ("x", "Meta's secret", lambda b: _b64(APP_SECRET, b), 403),
]


def _count(app: Any) -> int:
    with app.session() as s:
        return int(s.exec(select(func.count()).select_from(Post)).one())


@pytest.mark.parametrize(("platform", "case", "sign", "status"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_signature_table(client: Any, hook_app: Any, caplog: Any, platform: str, case: str, sign: Any,
                         status: int) -> None:
    body = body_bytes(META_BODY if platform == "meta" else X_BODY)
    header = "X-Hub-Signature-256" if platform == "meta" else "x-twitter-webhooks-signature"
    headers = {"Content-Type": "application/json"}
    value = sign(body) if sign else None
    if value is not None:
        headers[header] = value
    with caplog.at_level(logging.INFO):
        r = client.post(f"/webhooks/{platform}", content=body, headers=headers)
    assert r.status_code == status, r.text
    if status == 200:
        assert _count(hook_app) == 1
        return
    assert _count(hook_app) == 0
    logged = caplog.text
    assert "refused a delivery" in logged
    for secret in (APP_SECRET, CONSUMER_SECRET):
        assert secret not in logged and secret not in r.text
    if value:
        assert value not in logged and value.split("=", 1)[-1] not in logged
    assert "refund" not in logged and "Terrible" not in logged  # never the rejected body
    stored = "facebook" if platform == "meta" else "x"
    with hook_app.session() as s:
        row = s.get(WebhookState, stored)
        assert row is not None and row.rejected == 1 and row.accepted == 0
        assert last_deliveries(s)[stored] is None


def test_signature_is_checked_over_the_raw_bytes_not_reserialised_json(client: Any, hook_app: Any) -> None:
    # Meta signs an escaped-unicode body; the same JSON re-serialised differently no longer matches
    payload = dict(META_BODY)
    raw = body_bytes(payload).replace(b"Terrible", b"Terr\\u0069ble")  # same JSON, other bytes
    r = client.post("/webhooks/meta", content=raw, headers=meta_header(raw))
    assert r.status_code == 200
    r2 = client.post("/webhooks/meta", content=body_bytes(payload), headers=meta_header(raw))
    assert r2.status_code == 403


@pytest.mark.parametrize("setting", ["FACEBOOK_APP_SECRET", "X_CONSUMER_SECRET"])
def test_a_platform_without_its_secret_refuses_every_delivery(make_settings: Any, clock: Any, setting: str) -> None:
    from fastapi.testclient import TestClient

    from social_care.app import build_app
    from social_care.web import create_web_app

    app = build_app(make_settings(**{setting: None}), clock=clock)
    client = TestClient(create_web_app(app), base_url="http://127.0.0.1")
    platform = "meta" if setting.startswith("FACEBOOK") else "x"
    body = body_bytes(META_BODY if platform == "meta" else X_BODY)
    headers = meta_header(body, "") if platform == "meta" else x_header(body, "")  # signed with an empty key
    r = client.post(f"/webhooks/{platform}", content=body, headers=headers)
    assert r.status_code == 403 and setting in r.json()["detail"]
    assert _count(app) == 0
    stop_senders(app)
    app.engine.dispose()


def test_oversized_and_malformed_bodies(client: Any, hook_app: Any) -> None:
    big = b'{"object": "page", "entry": [], "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = client.post("/webhooks/meta", content=big, headers=meta_header(big))
    assert r.status_code == 413
    for raw, status in [(b"{not json", 400), (b"[1, 2]", 400), (b'{"object": "page", "entry": 7}', 400),
                        (b"\xff\xfe", 400)]:
        r = client.post("/webhooks/meta", content=raw, headers=meta_header(raw))
        assert r.status_code == status, (raw, r.text)
    for raw in (b"{not json", b'{"tweet_create_events": []}'):  # the second has no for_user_id
        r = client.post("/webhooks/x", content=raw, headers=x_header(raw))
        assert r.status_code == 400
    assert _count(hook_app) == 0


def test_meta_verification(client: Any) -> None:
    ok = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.challenge": "1158201444",
                                              "hub.verify_token": VERIFY_TOKEN})
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert ok.headers["content-type"].startswith("text/plain")
    for params in ({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
                   {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
                   {"hub.mode": "subscribe", "hub.challenge": "1"}, {}):
        r = client.get("/webhooks/meta", params=params)
        assert r.status_code == 403 and "1158201444" not in r.text


def test_meta_verification_without_a_configured_token_is_refused(make_settings: Any, clock: Any) -> None:
    from fastapi.testclient import TestClient

    from social_care.app import build_app
    from social_care.web import create_web_app

    app = build_app(make_settings(), clock=clock)  # FACEBOOK_WEBHOOK_VERIFY_TOKEN not set
    client = TestClient(create_web_app(app), base_url="http://127.0.0.1")
    r = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""})
    assert r.status_code == 403
    stop_senders(app)
    app.engine.dispose()


def test_x_crc_matches_the_documented_value(make_settings: Any, clock: Any) -> None:
    from fastapi.testclient import TestClient

    from social_care.app import build_app
    from social_care.web import create_web_app

    app = build_app(make_settings(X_CONSUMER_SECRET="consumer_secret"), clock=clock)
    client = TestClient(create_web_app(app), base_url="http://127.0.0.1")
    r = client.get("/webhooks/x", params={"crc_token": "challenge_string"})
    assert r.status_code == 200
    assert r.json() == {"response_token": "sha256=v1WdiCVwy17uGTMWveHGlqQXN/qW1bQraNXXByRO2YA="}  # platforms.md §3.2
    assert client.get("/webhooks/x").status_code == 400
    stop_senders(app)
    app.engine.dispose()
