"""Block Kit messages a person can act on at a glance; pure functions, Slack's limits enforced.

Limits (Slack's Block Kit): section text ≤ 3000, header ≤ 150, fields ≤ 10, context elements ≤ 10,
actions ≤ 25, button text ≤ 75, url ≤ 3000, 50 blocks. :func:`enforce_limits` is the last step of
every builder, so no message can be refused for its size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..durations import duration
from ..models import Channel, as_utc

__all__ = [
    "digest_message",
    "enforce_limits",
    "escape",
    "format_wait",
    "mention_message",
    "post_message",
    "post_url",
    "queue_url",
    "simple_message",
    "slack_user_id",
    "text_only",
    "truncate",
]

SECTION_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
BUTTON_MAX = 75
URL_MAX = 3000
BLOCKS_MAX = 50
FALLBACK_MAX = 3000
POST_QUOTE_MAX = 1200

HEADLINES = {
    "flagged": "Unhappy customer",
    "reopened": "Customer still unhappy after follow-up",
    "sla_warning": "Response target nearly reached",
    "sla_breach": "Response target missed",
}
# how a digest counts each kind: (one, many)
DIGEST_COUNTS = {
    "flagged": ("unhappy customer", "unhappy customers"),
    "reopened": ("customer still unhappy after follow-up", "customers still unhappy after follow-up"),
    "sla_warning": ("nearing the response target", "nearing the response target"),
    "sla_breach": ("past the response target", "past the response target"),
}
ICONS = {
    "flagged": ":triangular_flag_on_post:",
    "reopened": ":leftwards_arrow_with_hook:",
    "sla_warning": ":hourglass_flowing_sand:",
    "sla_breach": ":rotating_light:",
}


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut ends with an ellipsis."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


_MASS_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")  # a Slack member id, as in ``<@U024BE7LH>``


def escape(text: str) -> str:
    """Customer text made inert for Slack mrkdwn: &, < and > escaped (so no ``<!channel>``, ``<!here>``,
    ``<@U…>`` or ``<url|label>`` from a customer), and a bare ``@channel``/``@here``/``@everyone`` broken
    with an invisible word joiner so it can never notify a whole channel."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MASS_MENTION.sub(lambda m: "@\u2060" + m.group(1), text)


def post_url(post: Any) -> str | None:
    """The post on its platform: the stored permalink, else a constructed X status URL."""
    if getattr(post, "permalink", None):
        return str(post.permalink)
    return Channel(post.channel).post_url(handle=post.author_handle, external_id=post.external_id)


def queue_url(public_url: str, post_id: int | None) -> str:
    return f"{public_url.rstrip('/')}/posts/{post_id}"


def format_wait(seconds: float) -> str:
    return duration(seconds // 60, under_a_minute="0 min", days_from_hours=48, zero_hours=True)


def channel_label(channel: str) -> str:
    try:
        return Channel(channel).label
    except ValueError:
        return channel


def author_label(post: Any) -> str:
    handle = post.author_handle
    name = post.author_name
    if handle:
        who = handle if handle.startswith("@") or post.channel.startswith("facebook") else f"@{handle}"
        return f"{who} ({name})" if name and name != handle else who
    label: str = name or post.customer_key
    return label


def _reach(post: Any) -> str:
    return "unknown" if post.author_followers is None else f"{post.author_followers:,} followers"


def _button(text: str, url: str | None, action_id: str, primary: bool = False) -> dict[str, Any] | None:
    if not url or len(url) > URL_MAX:
        return None
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, BUTTON_MAX)},
        "url": url,
        "action_id": action_id,
    }
    if primary:
        button["style"] = "primary"
    return button


def post_message(
    kind: str,
    post: Any,
    *,
    now: datetime,
    public_url: str,
    target_minutes: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """One post alert (flagged, reopened, sla_warning, sla_breach)."""
    waited = format_wait((now - as_utc(post.created_at)).total_seconds())
    channel = channel_label(post.channel)
    author = author_label(post)
    headline = HEADLINES.get(kind, "Customer post")
    if kind in ("sla_warning", "sla_breach") and target_minutes:
        headline += f" ({target_minutes} min)"
    reasons = ", ".join(post.reasons or []) or ("—" if kind != "flagged" else "flagged by the scorer")
    quote = "\n".join(
        ">" + line for line in escape(truncate(post.text, POST_QUOTE_MAX)).splitlines() or [">"]
    )
    fields = [
        f"*Channel*\n{channel}",
        f"*Author & reach*\n{escape(author)} · {_reach(post)}",
        f"*Waiting*\n{waited}",
        f"*Why flagged*\n{escape(reasons)}",
    ]
    if post.category:
        fields.append(f"*Category*\n{escape(post.category)}")
    fields.append(f"*Status*\n{post.status}")
    context = [f"Received {as_utc(post.created_at):%Y-%m-%d %H:%M} UTC", f"post #{post.id}"]
    if target_minutes:
        context.append(f"target {target_minutes} min")
    if note:  # a reopened post's note quotes the customer's answer to the follow-up
        context.append(escape(note))
    buttons = [
        _button("Open in queue", queue_url(public_url, post.id), "open_post", primary=True),
        _button(
            f"View on {Channel(post.channel).platform_label}",
            post_url(post),
            "view_on_platform",
        ),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{headline}: {channel}"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{escape(author)}* on {channel}:\n{quote}"},
            "fields": [{"type": "mrkdwn", "text": f} for f in fields],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": c} for c in context]},
    ]
    if any(buttons):
        blocks.append({"type": "actions", "elements": [b for b in buttons if b]})
    # the fallback text is mrkdwn too (notifications, old clients): customer text escaped here as well
    text = (f"{ICONS.get(kind, '')} {headline}: {escape(author)} on {channel} (waiting {waited}): "
            f"{escape(truncate(post.text, 300))}")
    return enforce_limits({"text": text.strip(), "blocks": blocks})


def digest_message(
    lines: Sequence[Mapping[str, Any]], *, total: int, public_url: str, max_items: int
) -> dict[str, Any]:
    """Many post alerts folded into one message; ``lines``: kind, post_id, channel, author, waited, text, url."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["kind"]] = counts.get(line["kind"], 0) + 1
    summary = ", ".join(
        f"{n} {DIGEST_COUNTS.get(k, (k, k))[0 if n == 1 else 1]}" for k, n in sorted(counts.items())
    )
    rendered = []
    for line in lines[:max_items]:
        rendered.append(
            f"{ICONS.get(line['kind'], '•')} <{line['queue_url']}|#{line['post_id']}> *{escape(line['author'])}* "
            f"on {line['channel']} · waiting {line['waited']}\n>{escape(truncate(line['text'], 160))}"
        )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{total} customer posts need attention"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": summary or "—"}},
    ]
    blocks.extend(
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _pack(rendered, SECTION_MAX)
    )
    more = total - min(len(lines), max_items)
    tail = f"and {more} more in the queue" if more > 0 else "All of them are in the queue"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": tail}]})
    button = _button("Open the queue", f"{public_url.rstrip('/')}/posts", "open_queue", primary=True)
    if button:
        blocks.append({"type": "actions", "elements": [button]})
    text = f"{total} customer posts need attention ({summary})"
    return enforce_limits({"text": text, "blocks": blocks})


def simple_message(
    headline: str,
    body: str,
    *,
    fields: Iterable[str] = (),
    context: Iterable[str] = (),
    buttons: Iterable[tuple[str, str]] = (),
    fallback: str | None = None,
) -> dict[str, Any]:
    """Spike, connector and report messages: a header, a body, optional fields/context/buttons."""
    section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": body or "—"}}
    field_list = [{"type": "mrkdwn", "text": f} for f in fields]
    if field_list:
        section["fields"] = field_list
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline}},
        section,
    ]
    ctx = [{"type": "mrkdwn", "text": c} for c in context]
    if ctx:
        blocks.append({"type": "context", "elements": ctx})
    elements = [b for i, (t, u) in enumerate(buttons) if (b := _button(t, u, f"link_{i}", primary=i == 0))]
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    return enforce_limits({"text": fallback or f"{headline}: {body}", "blocks": blocks})


def slack_user_id(value: str | None) -> str | None:
    """A Slack member id (``U…`` or ``W…``, capitals and digits) cleaned up, or None when it is not one, so
    nothing else can ever be written between ``<@`` and ``>``."""
    value = (value or "").strip().upper()
    return value if SLACK_USER_ID.fullmatch(value) else None


def _name_pattern(username: str) -> re.Pattern[str]:
    """``@username`` as the notes read it: not inside a word or an address, a trailing ``.``/``-`` is
    punctuation (``@ana.`` names ana, ``@ana.b`` does not)."""
    return re.compile(rf"(?<![\w@.])@{re.escape(username)}(?![\w]|[.-][\w])", re.IGNORECASE)


def mention_message(post: Any, *, by: str, username: str, note: str, public_url: str,
                    slack_id: str | None = None) -> dict[str, Any]:
    """A team member was @-mentioned in an internal note: who, the note, the post and a link to it. With the
    member's Slack user id on record, the mention is Slack's ``<@U…>`` (Slack notifies them and shows their
    name), in the message and in its notification text; otherwise it is the escaped ``@name``. Only the
    member this message is for is written so: the others named in the note get their own message."""
    url = queue_url(public_url, post.id)
    member = slack_user_id(slack_id)
    who = f"<@{member}>" if member else f"*@{escape(username)}*"
    text = escape(truncate(note, 1500))
    if member:
        text = _name_pattern(username).sub(f"<@{member}>", text)
    body = f"*{escape(by)}* mentioned {who} in a note on post #{post.id}:\n>{text}"
    quote = truncate(post.text or "", 300)
    return simple_message(
        f"@{username}, you were mentioned",
        body,
        context=[f"{channel_label(post.channel)} · {escape(author_label(post))}: {escape(quote)}"],
        buttons=[("Open the post", url)],
        fallback=(f"{escape(by)} mentioned {f'<@{member}>' if member else '@' + escape(username)} in a note on "
                  f"post #{post.id}: {url}"),
    )


def _pack(items: Sequence[str], limit: int) -> list[str]:
    """Join lines into chunks of at most ``limit`` characters (one overlong line is truncated)."""
    chunks: list[str] = []
    current = ""
    for item in items:
        item = truncate(item, limit)
        if current and len(current) + 1 + len(item) > limit:
            chunks.append(current)
            current = item
        else:
            current = f"{current}\n{item}" if current else item
    if current:
        chunks.append(current)
    return chunks


def enforce_limits(message: dict[str, Any]) -> dict[str, Any]:
    """Clamp every text/list to Slack's limits so the message cannot be refused for its size."""
    out_blocks = []
    for block in message.get("blocks", [])[:BLOCKS_MAX]:
        block = dict(block)
        kind = block.get("type")
        if kind == "header":
            block["text"] = {**block["text"], "text": truncate(block["text"]["text"], HEADER_MAX)}
        elif kind == "section":
            if "text" in block:
                block["text"] = {**block["text"], "text": truncate(block["text"]["text"], SECTION_MAX)}
            if "fields" in block:
                block["fields"] = [
                    {**f, "text": truncate(f["text"], FIELD_MAX)} for f in block["fields"][:10]
                ]
        elif kind == "context":
            block["elements"] = [
                {**e, "text": truncate(e["text"], FIELD_MAX)} for e in block["elements"][:10]
            ]
        elif kind == "actions":
            block["elements"] = [e for e in block["elements"][:25] if len(e.get("url", "")) <= URL_MAX]
            if not block["elements"]:
                continue
        out_blocks.append(block)
    return {
        "text": truncate(message.get("text", ""), FALLBACK_MAX) or "social-care alert",
        "blocks": out_blocks,
    }


def text_only(message: Mapping[str, Any]) -> dict[str, Any]:
    """The fallback text alone, for a message Slack refused as a payload problem."""
    return {"text": truncate(str(message.get("text") or "social-care alert"), FALLBACK_MAX)}
