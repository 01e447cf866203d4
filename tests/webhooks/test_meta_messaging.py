"""The one ``messaging`` parser for Messenger and Instagram DMs: the same shape, read the same way, with
only the documented differences (channel, how an unread kind is counted, Instagram's ``is_deleted``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.meta_webhooks import parse_meta
from social_care.models import Channel

PAGE, ACCOUNT, CUSTOMER = "104512345678901", "17841400000000001", "7012345678901234"
PLATFORMS = [("page", PAGE, Channel.MESSENGER, ""), ("instagram", ACCOUNT, Channel.INSTAGRAM_DM, "instagram ")]


def _body(kind: str, own: str, *events: object) -> dict[str, Any]:
    return {"object": kind, "entry": [{"id": own, "time": 1795680300123, "messaging": list(events)}]}


def _event(sender: str, message: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"sender": {"id": sender}, "recipient": {"id": "x"}, "timestamp": 1795680300456, **extra}
    if message is not None:
        out["message"] = message
    return out


def _parse(kind: str, own: str, *events: object) -> Any:
    return parse_meta(_body(kind, own, *events), page_id=PAGE, ig_user_id=ACCOUNT)


@pytest.mark.parametrize(("kind", "own", "channel", "label"), PLATFORMS)
def test_a_customer_message_is_read_alike_on_both(kind: str, own: str, channel: Channel, label: str) -> None:
    out = _parse(kind, own, _event(CUSTOMER, {"mid": "m_1", "text": "Where is my refund?"}))
    [m] = out.mentions
    assert (m.channel, m.external_id, m.author_id, m.text) == (channel, "m_1", CUSTOMER, "Where is my refund?")
    assert m.created_at == datetime.fromtimestamp(1795680300, UTC)  # whole seconds, as a poll reads it
    assert (m.reply_to.channel, m.reply_to.thread_id, m.reply_to.recipient_id) == (channel, CUSTOMER, CUSTOMER)
    assert m.thread_key is None and m.raw["webhook"] == "meta"
    assert (out.entries, out.dropped, out.unknown, out.skipped) == (1, 0, [], [])


@pytest.mark.parametrize(("kind", "own", "channel", "label"), PLATFORMS)
def test_echoes_own_messages_and_unread_kinds(kind: str, own: str, channel: Channel, label: str) -> None:
    out = _parse(kind, own,
                 _event(own, {"mid": "m_echo", "text": "our answer", "is_echo": True}),
                 _event(own, {"mid": "m_own", "text": "sent from the inbox"}),
                 _event(CUSTOMER, {"mid": "m_pic", "attachments": [{"type": "image"}]}),
                 _event(CUSTOMER, read={"watermark": 1}),
                 _event(CUSTOMER, {"text": "no mid"}),
                 "not an object")  # a malformed entry
    assert out.mentions == [] and out.dropped == 2 and out.entries == 6
    assert out.unknown == [f"{label}message without text (attachment)", f"{label}messaging ['read']"]
    assert len(out.skipped) == 2 and "mid" in out.skipped[0]


def test_only_instagram_drops_deleted_messages() -> None:
    deleted = {"mid": "m_gone", "text": "never mind", "is_deleted": True}
    assert _parse("instagram", ACCOUNT, _event(CUSTOMER, deleted)).dropped == 1
    [m] = _parse("page", PAGE, _event(CUSTOMER, deleted)).mentions  # Messenger documents no such flag
    assert m.external_id == "m_gone"
