"""A hand-computed week: every figure of the report checked exactly (week 2026-W47, UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alerts.factory import add_post

from reports.week import at
from social_care.reports import build_report
from social_care.reports.compute import Week, compute_report, last_full_week, median, p90, parse_week


def test_every_figure_of_the_hand_computed_week(week_app: Any) -> None:
    r = build_report(week_app, "2026-W47")
    assert (r["week"], r["previous_week"], r["start"], r["end"]) == (
        "2026-W47",
        "2026-W46",
        "2026-11-16T00:00:00+00:00",
        "2026-11-23T00:00:00+00:00",
    )
    assert r["posts"]["total"] == 8 and r["posts"]["previous"] == 4 and r["posts"]["spam"] == 1
    assert r["posts"]["by_channel"] == {
        "x.mention": 4,
        "x.dm": 1,
        "facebook.comment": 2,
        "facebook.messenger": 1,
        "instagram.comment": 0,
        "instagram.dm": 0,
        "x.search": 0,
    }
    assert [d["total"] for d in r["posts"]["by_day"]] == [2, 1, 1, 1, 1, 1, 1]
    assert r["posts"]["by_day"][0]["by_channel"]["x.mention"] == 2
    assert [d["weekday"] for d in r["posts"]["by_day"]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert r["sentiment"]["counts"] == {"negative": 5, "neutral": 1, "positive": 2, "unscored": 0}
    assert r["sentiment"]["share_pct"] == {
        "negative": 62.5,
        "neutral": 12.5,
        "positive": 25.0,
        "unscored": 0.0,
    }
    assert r["sentiment"]["previous_share_pct"] == {
        "negative": 50.0,
        "neutral": 25.0,
        "positive": 25.0,
        "unscored": 0.0,
    }
    assert r["sentiment"]["change_pp"] == {
        "negative": 12.5,
        "neutral": -12.5,
        "positive": 0.0,
        "unscored": 0.0,
    }
    assert r["flagged"] == {"count": 5, "share_pct": 62.5, "previous": 2}
    # first response: P1 30, P2 90, P3 10, P5 180, P7 20 minutes
    fr = r["first_response"]
    assert (fr["count"], fr["median_minutes"], fr["p90_minutes"]) == (5, 30.0, 180.0)
    assert fr["by_channel"] == {
        "x.mention": {"count": 3, "median_minutes": 30.0, "p90_minutes": 90.0},
        "x.dm": {"count": 1, "median_minutes": 10.0, "p90_minutes": 10.0},
        "facebook.comment": {"count": 0, "median_minutes": None, "p90_minutes": None},
        "facebook.messenger": {"count": 1, "median_minutes": 180.0, "p90_minutes": 180.0},
        **{ch: {"count": 0, "median_minutes": None, "p90_minutes": None}
           for ch in ("instagram.comment", "instagram.dm", "x.search")},
    }
    # resolution: P1 120, P2 1440, P5 210 minutes
    assert r["resolution"] == {"count": 3, "median_minutes": 210.0, "p90_minutes": 1440.0}
    # needing an answer: P1 P2 P3 P5 P6 (flagged) + P7 (answered); within 60 min: P1 P3 P7
    assert {k: r["within_target"][k] for k in ("needing_answer", "within", "share_pct")} == {
        "needing_answer": 6,
        "within": 3,
        "share_pct": 50.0,
    }
    assert r["unanswered"]["count"] == 1
    (open_post,) = r["unanswered"]["posts"]
    assert (open_post["author"], open_post["waiting_minutes"]) == (
        "@eve",
        int((at(25, 12) - at(20, 9, 15)).total_seconds() // 60),
    )
    assert open_post["url"].endswith(f"/posts/{open_post['id']}")
    assert r["categories"] == [
        {"category": "delivery", "count": 3, "previous": 1},
        {"category": "account", "count": 1, "previous": 0},
        {"category": "refund", "count": 1, "previous": 1},
    ]
    assert r["rising_words"] == [
        {"word": "parcel", "count": 4, "previous": 1, "rise": 3},
        {"word": "arrived", "count": 2, "previous": 0, "rise": 2},
        {"word": "broken", "count": 2, "previous": 0, "rise": 2},
        {"word": "tracking", "count": 2, "previous": 0, "rise": 2},
    ]
    hours = r["busiest_hours"]["by_hour"]
    assert (hours[9], hours[14], hours[20], hours[23], sum(hours)) == (5, 1, 1, 1, 8)
    assert r["busiest_hours"]["top"] == [9, 14, 20]
    assert r["languages"] == [
        {"lang": "en", "count": 6},
        {"lang": "de", "count": 1},
        {"lang": "und", "count": 1},
    ]
    top = r["top_customers"]
    assert [(c["customer"], c["posts"], c["flagged"]) for c in top] == [
        ("x:1", 3, 2),
        ("facebook:3", 1, 0),
        ("facebook:4", 1, 1),
        ("facebook:6", 1, 0),
        ("x:2", 1, 1),
        ("x:5", 1, 1),
    ]
    assert top[0]["name"] == "@ann" and top[1]["name"] == "Cara"
    assert r["satisfaction"] == {
        "followups_sent": 3,
        "satisfied": 1,
        "unsatisfied": 1,
        "no_answer": 1,
        "satisfied_share_pct": 50.0,
    }


def test_default_is_the_last_full_week(week_app: Any) -> None:
    assert build_report(week_app)["week"] == "2026-W47"


def test_empty_week_has_no_numbers_instead_of_errors(care_app: Any) -> None:
    r = build_report(care_app, "2020-W01")
    assert r["posts"]["total"] == 0 and r["first_response"]["median_minutes"] is None
    assert r["sentiment"]["share_pct"]["negative"] is None and r["within_target"]["share_pct"] is None


def test_week_boundaries_follow_the_time_zone(care_app: Any, clock: Any) -> None:
    # Sunday 23:30 UTC is already Monday in Berlin: the post belongs to the next Berlin week
    add_post(care_app, created_at=at(22, 23, 30), text="late sunday")
    add_post(care_app, created_at=at(15, 23, 30), text="berlin monday")
    with care_app.session() as s:
        berlin = compute_report(
            s, week=Week(2026, 47, "Europe/Berlin"), settings=care_app.settings, as_of=at(25, 0)
        )
        utc = compute_report(s, week=Week(2026, 47, "UTC"), settings=care_app.settings, as_of=at(25, 0))
    assert berlin["posts"]["total"] == 1 and berlin["busiest_hours"]["top"] == [0]
    assert berlin["posts"]["by_day"][0]["total"] == 1
    assert utc["posts"]["total"] == 1 and utc["posts"]["by_day"][6]["total"] == 1


@pytest.mark.parametrize(
    ("values", "med", "p"),
    [
        ([], None, None),
        ([5], 5.0, 5.0),
        ([1, 2], 1.5, 2.0),
        ([3, 1, 2], 2.0, 3.0),
        (list(range(1, 11)), 5.5, 9.0),
        (list(range(1, 12)), 6.0, 10.0),
    ],
)
def test_median_and_nearest_rank_p90(values: list[float], med: float | None, p: float | None) -> None:
    assert (median(values), p90(values)) == (med, p)


def test_week_parsing_and_last_full_week() -> None:
    assert parse_week("2026-W47", "UTC").label == "2026-W47"
    assert parse_week("2026w5", "UTC").label == "2026-W05"
    for bad in ("2026-47", "W47", "2026-W54", "2025-W53"):
        with pytest.raises(ValueError):
            parse_week(bad, "UTC")
    assert last_full_week(at(22, 23, 59), "UTC").label == "2026-W46"  # Sunday: W47 is not over
    assert last_full_week(at(23, 0, 1), "UTC").label == "2026-W47"
    assert last_full_week(at(22, 23, 30), "Europe/Berlin").label == "2026-W47"  # already Monday in Berlin
    assert last_full_week(datetime(2027, 1, 4, 9, tzinfo=UTC), "UTC").label == "2026-W53"
    assert Week(2027, 1, "UTC").previous().label == "2026-W53"
    assert Week(2026, 47, "UTC").start - Week(2026, 46, "UTC").start == timedelta(days=7)
