"""Pagination loop detection for every stream, and settings documentation kept complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.facebook import GraphClient, MessengerConversations, PageComments
from connectors.x import XDirectMessages, XMentions
from social_care.config import Settings
from social_care.models import utcnow

ROOT = Path(__file__).resolve().parents[2]


class LoopingX:
    """An X gateway whose every page hands back the same next_token (a broken platform)."""

    user_id = "99"

    def __init__(self) -> None:
        self.calls = 0

    def _page(self) -> dict:
        self.calls += 1
        item = {"id": str(1000 + self.calls), "text": "@acmeshop hi", "author_id": "42", "sender_id": "42",
                "created_at": "2026-11-20T10:00:00.000Z", "event_type": "MessageCreate"}
        return {"data": [item], "meta": {"result_count": 1, "next_token": "SAME", "newest_id": item["id"]}}

    def mentions(self, **_: object) -> dict:
        return self._page()

    def dm_events(self, **_: object) -> dict:
        return self._page()


class LoopingGraph(GraphClient):
    """The real Graph gateway with a `get` that keeps answering with the same `after` cursor."""

    def __init__(self) -> None:  # no network needed for this
        self.page_id, self.version, self.clock, self.usage = "1045", "v23.0", utcnow, {}
        self.calls = 0

    def get(self, path: str, **args: object) -> dict:
        self.calls += 1
        return {"data": [], "paging": {"cursors": {"after": "SAME"}, "next": "https://graph.facebook.com/x?after=SAME"}}


@pytest.mark.parametrize("make", [lambda: XMentions(LoopingX()), lambda: XDirectMessages(LoopingX()),
                                  lambda: PageComments(LoopingGraph()), lambda: MessengerConversations(LoopingGraph())],
                         ids=["x.mentions", "x.dms", "facebook.comments", "facebook.messenger"])
def test_a_repeating_listing_is_retried_once_then_ended_without_moving_the_cursor(make):
    connector = make()
    cursor = "1000" if connector.stream.startswith("x.") else "2026-11-20T09:00:00+00:00"
    batches = list(connector.poll(cursor))  # never raises: only that listing ends
    cuts = [c for b in batches for c in b.cut]
    assert len(cuts) == 1 and "repeated pagination token" in cuts[0]
    assert all(b.checkpoint is None for b in batches), "the cursor must not move past what was not read"
    # first page, the repeated token once (the retry), then the second repeat ends it
    assert connector.client.calls == 3


def test_env_example_lists_every_setting_with_a_comment():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    listed = {}
    for i, line in enumerate(lines):
        match = re.match(r"^([A-Z][A-Z0-9_]+)=", line)
        if match:
            listed[match.group(1)] = i
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert aliases - set(listed) == set(), "settings missing from .env.example"
    assert set(listed) - aliases == set(), ".env.example lists settings that do not exist"
    for name, i in listed.items():
        start = i
        while start > 0 and lines[start - 1].strip():
            start -= 1
        block = lines[start:i]
        assert any(line.startswith("#") for line in block), f"{name} has no comment above it"
