"""The weekly report's figures, computed from the recorded posts, replies and status changes.

Definitions (the JSON, Markdown and HTML reports show exactly these numbers):

* **week**: an ISO week, Monday 00:00 to the next Monday 00:00 in the report time zone.
* **posts of the week**: customer posts whose ``created_at`` falls in the week; posts marked spam are
  counted apart (``spam``) and left out of every other figure.
* **first-response time** of a post: from ``Post.created_at`` to the ``sent_at`` of its first reply
  with status ``sent`` (a person's reply or an approved/auto-sent playbook reply; follow-ups do not
  count), if sent before ``as_of``. **Resolution time**: from ``created_at`` to the first
  ``StatusEvent`` to ``resolved``. Both in minutes; posts of the week only.
* **median**: the middle value (mean of the two middle values for an even count); **p90**: the
  nearest-rank 90th percentile, ``sorted[ceil(0.9·n) − 1]``.
* **answered within target**: among posts *needing an answer* (flagged or answered), the share whose
  first response came within the channel's response target.
* **still unanswered**: flagged posts of the week with no sent reply, not resolved, as of ``as_of``.
* **rising words**: words (≥ 3 letters, stop words, @handles and links removed) counted once per post;
  rise = posts this week − posts last week; words in ≥ 2 posts this week with a positive rise.
* **satisfaction**: posts whose follow-up was sent during the week: satisfied / unsatisfied / no
  answer; the share is satisfied ÷ answered.
* **who answered**: replies (not follow-ups) sent during the week, up to ``as_of``, per team member
  who approved them (by user name); ``automatic`` counts the replies autosend sent without a person.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from ..audit import AUTOMATIC, answered_by
from ..durations import duration
from ..inbox.agents import team_table
from ..inbox.macros import most_used
from ..inbox.tags import tag_condition, tag_rows
from ..models import LABELS, Channel, as_utc
from ..store.tables import Post, Reply, StatusEvent, User

__all__ = [
    "Week", "compute_report", "count_posts", "current_week", "last_full_week", "median", "p90", "parse_week",
    "words_of",
]

REPORT_VERSION = 1
CHANNELS = [c.value for c in Channel]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "you",
        "your",
        "are",
        "was",
        "were",
        "but",
        "not",
        "this",
        "that",
        "with",
        "have",
        "has",
        "had",
        "from",
        "they",
        "them",
        "their",
        "our",
        "ours",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "all",
        "any",
        "can",
        "could",
        "would",
        "should",
        "will",
        "just",
        "still",
        "into",
        "out",
        "about",
        "after",
        "again",
        "also",
        "been",
        "being",
        "did",
        "does",
        "doing",
        "don",
        "didn",
        "its",
        "it's",
        "i'm",
        "im",
        "ive",
        "i've",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "she",
        "her",
        "him",
        "his",
        "get",
        "got",
        "too",
        "very",
        "than",
        "then",
        "there",
        "here",
        "some",
        "more",
        "most",
        "such",
        "only",
        "own",
        "same",
        "other",
        "over",
        "under",
        "while",
        "because",
        "yet",
        "one",
        "two",
        "now",
        "new",
        "via",
        "amp",
        "http",
        "https",
        "www",
        "com",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
        "dear",
        "team",
    ]
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"[@#]\w+")
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    week: int
    tz: str

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def first_day(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.first_day + timedelta(days=7), time(0), ZoneInfo(self.tz)).astimezone(
            UTC
        )

    def previous(self) -> Week:
        y, w, _ = (self.first_day - timedelta(days=7)).isocalendar()
        return Week(y, w, self.tz)


def parse_week(text: str, tz: str) -> Week:
    """``2026-W47`` (or ``2026W47``) → :class:`Week`; ValueError on anything else."""
    m = re.fullmatch(r"\s*(\d{4})-?W(\d{1,2})\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"week must look like 2026-W47, got {text!r}")
    year, week = int(m.group(1)), int(m.group(2))
    date.fromisocalendar(year, week, 1)  # raises ValueError for week 53 of a 52-week year
    return Week(year, week, tz)


def last_full_week(now: datetime, tz: str) -> Week:
    """The last ISO week that has ended at ``now`` in time zone ``tz``."""
    local = now.astimezone(ZoneInfo(tz)).date()
    y, w, _ = (local - timedelta(days=local.isoweekday() - 1 + 7)).isocalendar()
    return Week(y, w, tz)


def current_week(now: datetime, tz: str) -> Week:
    """The ISO week ``now`` falls in (in time zone ``tz``): reported, it is the week to date."""
    y, w, _ = now.astimezone(ZoneInfo(tz)).date().isocalendar()
    return Week(y, w, tz)


def count_posts(session: Session, week: Week) -> int:
    """Posts of ``week`` the report counts (spam left out), without loading them."""
    return int(
        session.exec(
            select(func.count()).select_from(Post).where(
                Post.created_at >= week.start, Post.created_at < week.end, Post.status != "spam"
            )
        ).one()
    )


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def p90(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


def words_of(text: str) -> set[str]:
    text = _HANDLE.sub(" ", _URL.sub(" ", text.lower()))
    return {w for w in _WORD.findall(text) if w not in STOP_WORDS}


def _change(now: float | None, prev: float | None) -> float | None:
    """Percentage points between two shares, when both exist."""
    return round(now - prev, 1) if now is not None and prev is not None else None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _minutes(later: datetime, earlier: datetime) -> float:
    return (as_utc(later) - as_utc(earlier)).total_seconds() / 60.0


def _stats(values: Sequence[float]) -> dict[str, Any]:
    return {"count": len(values), "median_minutes": median(values), "p90_minutes": p90(values)}


def _posts(session: Session, start: datetime, end: datetime, only: Any = None) -> list[Post]:
    query = select(Post).where(Post.created_at >= start, Post.created_at < end)
    if only is not None:  # a tag's report: its posts alone
        query = query.where(only)
    return list(session.exec(query.order_by(col(Post.created_at), col(Post.id))).all())


def _first_replies(session: Session, post_ids: list[int], as_of: datetime) -> dict[int, datetime]:
    first: dict[int, datetime] = {}
    for i in range(0, len(post_ids), 500):
        rows = session.exec(
            select(Reply.post_id, Reply.sent_at)
            .where(
                col(Reply.post_id).in_(post_ids[i : i + 500]),
                Reply.status == "sent",
                Reply.kind != "followup",
            )
            .where(col(Reply.sent_at).is_not(None), col(Reply.sent_at) <= as_of)
        ).all()
        for post_id, sent_at in rows:
            if sent_at is None:  # not selected: the query asks for sent replies
                continue
            if post_id not in first or as_utc(sent_at) < first[post_id]:
                first[post_id] = as_utc(sent_at)
    return first


def _first_resolved(session: Session, post_ids: list[int], as_of: datetime) -> dict[int, datetime]:
    first: dict[int, datetime] = {}
    for i in range(0, len(post_ids), 500):
        rows = session.exec(
            select(StatusEvent.post_id, StatusEvent.at)
            .where(col(StatusEvent.post_id).in_(post_ids[i : i + 500]), StatusEvent.to_status == "resolved")
            .where(StatusEvent.at <= as_of)
        ).all()
        for post_id, at in rows:
            if post_id not in first or as_utc(at) < first[post_id]:
                first[post_id] = as_utc(at)
    return first


def compute_report(
    session: Session, *, week: Week, settings: Any, as_of: datetime, public_url: str = "", tag: str | None = None
) -> dict[str, Any]:
    """All figures of ``week`` (and the change from the week before) as a JSON-able dict. With ``tag``
    (normalised, ``inbox.tags.normalize_tag``) every figure of posts, their replies and their follow-ups
    counts only the posts carrying the tag (both weeks); the team table and the saved replies stay the whole
    team's."""
    tz = ZoneInfo(week.tz)
    prev = week.previous()
    only = tag_condition(tag) if tag is not None else None
    all_this = _posts(session, week.start, week.end, only)
    all_prev = _posts(session, prev.start, prev.end, only)
    this = [p for p in all_this if p.status != "spam"]
    last = [p for p in all_prev if p.status != "spam"]
    ids = [p.id for p in this if p.id is not None]
    replied = _first_replies(session, ids, as_of)
    resolved = _first_resolved(session, ids, as_of)

    frt: dict[str, list[float]] = defaultdict(list)
    res: list[float] = []
    needing = within = 0
    unanswered: list[Post] = []
    for post in this:
        if post.id in replied:
            minutes = _minutes(replied[post.id], post.created_at)
            frt[post.channel].append(minutes)
        if post.id in resolved and resolved[post.id] >= as_utc(post.created_at):
            res.append(_minutes(resolved[post.id], post.created_at))
        if post.flagged or post.id in replied:
            needing += 1
            if post.id in replied and frt[post.channel][-1] <= settings.response_target_minutes(post.channel):
                within += 1
        if post.flagged and post.id not in replied and post.status != "resolved":
            unanswered.append(post)
    all_frt = [m for ch in CHANNELS for m in frt.get(ch, [])]

    def sentiment(posts: list[Post]) -> dict[str, int]:
        counts = Counter(p.label if p.label in LABELS else "unscored" for p in posts)
        return {k: counts.get(k, 0) for k in (*LABELS, "unscored")}

    sent_now, sent_prev = sentiment(this), sentiment(last)
    share_now = {k: _pct(v, len(this)) for k, v in sent_now.items()}
    share_prev = {k: _pct(v, len(last)) for k, v in sent_prev.items()}
    change = {k: _change(share_now[k], share_prev[k]) for k in sent_now}

    by_day = []
    for i in range(7):
        day = week.first_day + timedelta(days=i)
        posts = [p for p in this if as_utc(p.created_at).astimezone(tz).date() == day]
        by_day.append(
            {
                "date": day.isoformat(),
                "weekday": WEEKDAYS[i],
                "total": len(posts),
                "by_channel": {ch: sum(1 for p in posts if p.channel == ch) for ch in CHANNELS},
            }
        )
    hours = Counter(as_utc(p.created_at).astimezone(tz).hour for p in this)
    hour_list = [hours.get(h, 0) for h in range(24)]
    busiest = sorted((h for h in range(24) if hour_list[h]), key=lambda h: (-hour_list[h], h))[:3]

    flagged_now = [p for p in this if p.flagged]
    flagged_prev = [p for p in last if p.flagged]
    cats_now = Counter(p.category or "other" for p in flagged_now)
    cats_prev = Counter(p.category or "other" for p in flagged_prev)
    categories = [
        {"category": c, "count": n, "previous": cats_prev.get(c, 0)}
        for c, n in sorted(cats_now.items(), key=lambda kv: (-kv[1], kv[0]))
    ]

    words_now = Counter(w for p in this for w in words_of(p.text))
    words_prev = Counter(w for p in last for w in words_of(p.text))
    risen: list[dict[str, Any]] = [
        {"word": w, "count": n, "previous": words_prev.get(w, 0), "rise": n - words_prev.get(w, 0)}
        for w, n in words_now.items()
        if n >= 2 and n - words_prev.get(w, 0) > 0
    ]
    rising = sorted(risen, key=lambda d: (-d["rise"], -d["count"], d["word"]))[:10]

    customers: dict[str, list[Post]] = defaultdict(list)
    for p in this:
        customers[p.customer_key].append(p)
    top_customers = [
        {
            "customer": key,
            "name": _display(posts[-1]),
            "posts": len(posts),
            "channels": sorted({p.channel for p in posts}),
            "flagged": sum(1 for p in posts if p.flagged),
        }
        for key, posts in sorted(customers.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:10]
    ]
    langs = Counter(p.lang or "und" for p in this)

    followed_query = select(Post).where(col(Post.followup_sent_at) >= week.start,
                                        col(Post.followup_sent_at) < week.end)
    followed = list(session.exec(followed_query if only is None else followed_query.where(only)).all())
    satisfied = sum(1 for p in followed if p.satisfaction == "satisfied")
    unsatisfied = sum(1 for p in followed if p.satisfaction == "unsatisfied")

    answered_end = min(week.end, as_utc(as_of))
    answerers = answered_by(session, week.start, answered_end, posts=only) if answered_end > week.start else []
    names = dict(session.exec(select(User.username, User.display_name)).all())
    for row in answerers:
        row["name"] = "Automatic (autosend)" if row["who"] == AUTOMATIC else (names.get(row["who"]) or row["who"])

    base = public_url.rstrip("/")
    return {
        "report": "social-care weekly",
        "version": REPORT_VERSION,
        "week": week.label,
        "tag": tag,  # None: every post; else the report of the posts carrying this tag
        "timezone": week.tz,
        "first_day": week.first_day.isoformat(),
        "last_day": (week.first_day + timedelta(days=6)).isoformat(),
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "previous_week": prev.label,
        "as_of": as_utc(as_of).isoformat(),
        # the week has not ended at as_of: its figures are the week to date, not the whole week
        "week_to_date": as_utc(as_of) < week.end,
        "posts": {
            "total": len(this),
            "previous": len(last),
            "spam": len(all_this) - len(this),
            "by_channel": {ch: sum(1 for p in this if p.channel == ch) for ch in CHANNELS},
            "by_day": by_day,
        },
        "sentiment": {
            "counts": sent_now,
            "share_pct": share_now,
            "previous_counts": sent_prev,
            "previous_share_pct": share_prev,
            "change_pp": change,
        },
        "flagged": {
            "count": len(flagged_now),
            "share_pct": _pct(len(flagged_now), len(this)),
            "previous": len(flagged_prev),
        },
        "first_response": {**_stats(all_frt), "by_channel": {ch: _stats(frt.get(ch, [])) for ch in CHANNELS}},
        "resolution": _stats(res),
        "within_target": {
            "needing_answer": needing,
            "within": within,
            "share_pct": _pct(within, needing),
            "targets_minutes": {ch: settings.response_target_minutes(ch) for ch in CHANNELS},
        },
        "unanswered": {
            "count": len(unanswered),
            "posts": [
                {
                    "id": p.id,
                    "channel": p.channel,
                    "author": _display(p),
                    "created_at": as_utc(p.created_at).isoformat(),
                    "waiting_minutes": int(_minutes(as_of, p.created_at)),
                    "text": p.text[:200],
                    "url": f"{base}/posts/{p.id}" if base else None,
                }
                for p in unanswered[:20]
            ],
        },
        "categories": categories,
        "rising_words": rising,
        "busiest_hours": {"by_hour": hour_list, "top": busiest},
        "languages": [
            {"lang": k, "count": n} for k, n in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "top_customers": top_customers,
        "answered_by": {"replies_sent": sum(r["replies"] for r in answerers), "by_sender": answerers},
        # the inbox tools: the team table (as on the Team page), free tags, the most used saved replies
        "team": team_table(session, start=week.start, end=week.end, as_of=as_of),
        "tags": tag_rows(session, this, replied),
        "saved_replies": most_used(session, week.start, min(week.end, as_of + timedelta(microseconds=1))),
        "satisfaction": {
            "followups_sent": len(followed),
            "satisfied": satisfied,
            "unsatisfied": unsatisfied,
            "no_answer": len(followed) - satisfied - unsatisfied,
            "satisfied_share_pct": _pct(satisfied, satisfied + unsatisfied),
        },
    }


def _display(post: Post) -> str:
    if post.author_handle:
        prefix = Channel(post.channel).handle_prefix
        return post.author_handle if post.author_handle.startswith(prefix) else f"{prefix}{post.author_handle}"
    return post.author_name or post.customer_key


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Five short lines for Slack and the top of the Markdown report."""
    fr = report["first_response"]
    wt = report["within_target"]
    sat = report["satisfaction"]
    change = report["posts"]["total"] - report["posts"]["previous"]
    neg = report["sentiment"]["change_pp"]["negative"]
    return [
        f"{report['posts']['total']} posts ({change:+d} vs last week), {report['flagged']['count']} flagged",
        f"Negative share {_fmt(report['sentiment']['share_pct']['negative'], '%')}"
        + (f" ({neg:+.1f} pp)" if neg is not None else ""),
        (
            f"First response: median {report_minutes(fr['median_minutes'])}, p90 {report_minutes(fr['p90_minutes'])}; "
            f"{_fmt(wt['share_pct'], '%')} within target"
        ),
        (
            f"Resolution: median {report_minutes(report['resolution']['median_minutes'])}, "
            f"p90 {report_minutes(report['resolution']['p90_minutes'])}; "
            f"{report['unanswered']['count']} still unanswered"
        ),
        (
            f"Satisfaction after follow-up: {_fmt(sat['satisfied_share_pct'], '%')} "
            f"({sat['satisfied']} of {sat['satisfied'] + sat['unsatisfied']} answers)"
        ),
    ]


def _fmt(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def report_minutes(value: float | None) -> str:
    """A duration in the report: with its fraction, days from two days on (``durations.duration``)."""
    return duration(value, fraction=True, days_from_hours=48)


def iter_channels() -> Iterable[str]:
    return CHANNELS
