"""Pure parts: spike detection (table-driven), Block Kit limits, URL masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from social_care.alerts import detect_spike, mask_webhook_url
from social_care.alerts.blocks import digest_message, enforce_limits, post_message, post_url

# (current, baseline, sensitivity, min_count, spike?)
SPIKE_CASES = [
    ("quiet baseline, small bump", 3, [0] * 24, 3.0, 5, False),
    ("quiet baseline, min_count reached", 5, [0] * 24, 3.0, 5, True),
    ("steady 2/h, 6 is within noise", 6, [2] * 24, 3.0, 5, False),  # 2 + 3*sqrt(2) = 6.24
    ("steady 2/h, 7 is a spike", 7, [2] * 24, 3.0, 5, True),
    ("busy and noisy baseline", 20, [5, 15] * 12, 3.0, 5, False),  # mean 10, sd 5 -> 25
    ("busy and noisy baseline, far above", 25, [5, 15] * 12, 3.0, 5, True),
    ("lower sensitivity fires earlier", 5, [2] * 24, 1.0, 3, True),  # 2 + 1*sqrt(2) = 3.41
    ("no baseline at all", 5, [], 3.0, 5, True),  # threshold max(5, 0 + 3*1)
    ("nothing happening", 0, [0] * 24, 3.0, 5, False),
]


@pytest.mark.parametrize(
    ("name", "current", "baseline", "sensitivity", "min_count", "expected"),
    SPIKE_CASES,
    ids=[c[0] for c in SPIKE_CASES],
)
def test_detect_spike(
    name: str, current: int, baseline: list[int], sensitivity: float, min_count: int, expected: bool
) -> None:
    result = detect_spike(current, baseline, sensitivity=sensitivity, min_count=min_count)
    assert (result is not None) is expected
    if result is not None:
        assert result.current == current and result.threshold <= current


def test_detect_spike_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        detect_spike(3, [1], sensitivity=-1, min_count=5)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "https://hooks.slack.com/services/T0123ABC/B0456/abcdefSECRET",
            "https://hooks.slack.com/services/T…/****",
        ),
        (
            "http://127.0.0.1:8080/services/T0SIM/B0SIM/sim-webhook-secret",
            "http://127.0.0.1:8080/services/T…/****",
        ),
        ("https://example.com/other/SECRET", "https://example.com/****"),
        (None, "(not set)"),
    ],
)
def test_mask_webhook_url(url: str | None, masked: str) -> None:
    assert mask_webhook_url(url) == masked
    assert "SECRET" not in mask_webhook_url(url) and "secret" not in mask_webhook_url(url)


def _post(**kw: object) -> SimpleNamespace:
    base: dict[str, object] = dict(  # noqa: C408
        id=7,
        channel="x.mention",
        external_id="1850",
        author_handle="jane",
        author_name="Jane Doe",
        author_followers=12345,
        customer_key="x:42",
        text="my order never arrived",
        reasons=["never arrived"],
        category="delivery",
        status="flagged",
        permalink=None,
        created_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    )
    base.update(kw)
    return SimpleNamespace(**base)


def test_post_message_has_what_a_person_needs() -> None:
    now = datetime(2026, 11, 20, 11, 5, tzinfo=UTC)
    msg = post_message("flagged", _post(), now=now, public_url="https://care.example.com")
    flat = str(msg)
    assert msg["text"] and msg["blocks"][0]["type"] == "header"
    for needle in (
        "@jane",
        "12,345 followers",
        "X mention",
        "never arrived",
        "1 h 5 min",
        "https://x.com/jane/status/1850",
        "https://care.example.com/posts/7",
    ):
        assert needle in flat, needle


def test_post_url_prefers_permalink_and_builds_x_links() -> None:
    assert post_url(_post(permalink="https://facebook.com/1_2")) == "https://facebook.com/1_2"
    assert post_url(_post(author_handle=None)) == "https://x.com/i/web/status/1850"
    assert post_url(_post(channel="facebook.comment")) is None


def test_limits_are_enforced_on_huge_content() -> None:
    now = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    huge = _post(
        text="ärger " * 3000,
        author_name="N" * 500,
        author_handle="h" * 300,
        reasons=["r" * 5000] * 3,
        permalink="https://x.com/" + "p" * 4000,
    )
    msg = post_message("sla_breach", huge, now=now, public_url="https://care.example.com", target_minutes=60)
    for block in msg["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "actions":
            assert all(len(e["url"]) <= 3000 for e in block["elements"])
            assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    assert len(msg["text"]) <= 3000
    lines = [
        {
            "kind": "flagged",
            "post_id": i,
            "channel": "X DM",
            "author": "a" * 100,
            "waited": "5 min",
            "text": "x" * 500,
            "queue_url": f"https://q/posts/{i}",
        }
        for i in range(400)
    ]
    digest = digest_message(lines, total=400, public_url="https://q", max_items=400)
    assert len(digest["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in digest["blocks"] if b["type"] == "section")


def test_enforce_limits_clamps_lists() -> None:
    msg = enforce_limits(
        {
            "text": "",
            "blocks": [
                {"type": "context", "elements": [{"type": "mrkdwn", "text": str(i)} for i in range(30)]}
            ]
            * 60,
        }
    )
    assert len(msg["blocks"]) == 50 and len(msg["blocks"][0]["elements"]) == 10
    assert msg["text"]  # never empty: Slack wants a fallback


def test_wait_formatting() -> None:
    from social_care.alerts.blocks import format_wait

    assert [format_wait(s) for s in (59, 600, 3600, 3660, timedelta(days=3).total_seconds())] == [
        "0 min",
        "10 min",
        "1 h",
        "1 h 1 min",
        "3 d 0 h",
    ]
