"""The weekly report as JSON (for tools), Markdown and one self-contained HTML file (inline SVG)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib.resources import files
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ..models import Channel
from . import svg
from .compute import CHANNELS, report_minutes, summary_lines

__all__ = ["FORMATS", "inline_style_hashes", "render", "to_html", "to_json", "to_markdown"]
FORMATS = ("html", "md", "json")


def _label(channel: str) -> str:
    try:
        return Channel(channel).label
    except ValueError:
        return channel


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _pp(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f} pp"


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def to_markdown(r: dict[str, Any]) -> str:
    fr, res = r["first_response"], r["resolution"]
    s = r["sentiment"]
    lines = [
        f"# Weekly mention report {r['week']}" + (f" · tag {r['tag']}" if r.get("tag") else "")
        + (" (week to date)" if r.get("week_to_date") else ""),
        "",
        (
            f"{r['first_day']} to {r['last_day']} ({r['timezone']}), compared with {r['previous_week']}. "
            f"Figures as of {r['as_of'][:16].replace('T', ' ')} UTC."
            + (f" Only the posts tagged `{r['tag']}` (their replies and follow-ups); the team table and the "
               "saved replies are the whole team's." if r.get("tag") else "")
        ),
        "",
        "## Summary",
        "",
    ]
    lines += [f"- {line}" for line in summary_lines(r)]
    lines += ["", "## Posts by channel", ""]
    lines += _table(
        ["Channel", "Posts"],
        [[_label(c), n] for c, n in r["posts"]["by_channel"].items()] + [["**Total**", r["posts"]["total"]]],
    )
    if r["posts"]["spam"]:
        lines += ["", f"Spam (left out of all figures): {r['posts']['spam']}"]
    lines += ["", "## Posts by day", ""]
    lines += _table(
        ["Day", "Date", "Total", *[_label(c) for c in CHANNELS]],
        [
            [d["weekday"], d["date"], d["total"], *[d["by_channel"][c] for c in CHANNELS]]
            for d in r["posts"]["by_day"]
        ],
    )
    lines += ["", "## Sentiment", ""]
    lines += _table(
        ["Label", "Posts", "Share", "Last week", "Change"],
        [
            [
                k,
                s["counts"][k],
                _pct(s["share_pct"][k]),
                _pct(s["previous_share_pct"][k]),
                _pp(s["change_pp"][k]),
            ]
            for k in s["counts"]
        ],
    )
    lines += [
        "",
        (
            f"Flagged posts: **{r['flagged']['count']}** ({_pct(r['flagged']['share_pct'])}); "
            f"last week {r['flagged']['previous']}."
        ),
        "",
        "## Response times",
        "",
    ]
    lines += _table(
        ["", "Posts", "Median", "p90"],
        [
            [
                "First response, all channels",
                fr["count"],
                report_minutes(fr["median_minutes"]),
                report_minutes(fr["p90_minutes"]),
            ]
        ]
        + [
            [
                f"First response, {_label(c)}",
                v["count"],
                report_minutes(v["median_minutes"]),
                report_minutes(v["p90_minutes"]),
            ]
            for c, v in fr["by_channel"].items()
        ]
        + [["Resolution", res["count"], report_minutes(res["median_minutes"]), report_minutes(res["p90_minutes"])]],
    )
    wt = r["within_target"]
    lines += [
        "",
        (
            f"Answered within target: **{_pct(wt['share_pct'])}** ({wt['within']} of {wt['needing_answer']} "
            "posts needing an answer)."
        ),
        "",
        f"## Still unanswered: {r['unanswered']['count']}",
        "",
    ]
    if r["unanswered"]["posts"]:
        lines += _table(
            ["Post", "Channel", "Author", "Waiting", "Text"],
            [
                [
                    f"[#{p['id']}]({p['url']})" if p["url"] else f"#{p['id']}",
                    _label(p["channel"]),
                    p["author"],
                    report_minutes(p["waiting_minutes"]),
                    p["text"][:80],
                ]
                for p in r["unanswered"]["posts"]
            ],
        )
    lines += ["", "## Top issue categories (flagged posts)", ""]
    lines += (
        _table(
            ["Category", "Posts", "Last week"],
            [[c["category"], c["count"], c["previous"]] for c in r["categories"]],
        )
        if r["categories"]
        else ["None."]
    )
    lines += ["", "## Words that rose most", ""]
    lines += (
        _table(
            ["Word", "Posts", "Last week", "Rise"],
            [[w["word"], w["count"], w["previous"], f"+{w['rise']}"] for w in r["rising_words"]],
        )
        if r["rising_words"]
        else ["None."]
    )
    bh = r["busiest_hours"]
    lines += [
        "",
        "## Busiest hours",
        "",
        "Busiest: "
        + (", ".join(f"{h:02d}:00–{h + 1:02d}:00 ({bh['by_hour'][h]})" for h in bh["top"]) or "—"),
        "",
    ]
    lines += _table([f"{h:02d}" for h in range(24)], [bh["by_hour"]])
    lines += ["", "## Languages", ""]
    lines += (
        _table(["Language", "Posts"], [[x["lang"], x["count"]] for x in r["languages"]])
        if r["languages"]
        else ["None."]
    )
    lines += ["", "## Customers who wrote most", ""]
    lines += (
        _table(
            ["Customer", "Posts", "Flagged", "Channels"],
            [
                [c["name"], c["posts"], c["flagged"], ", ".join(_label(x) for x in c["channels"])]
                for c in r["top_customers"]
            ],
        )
        if r["top_customers"]
        else ["None."]
    )
    answered = r.get("answered_by") or {"replies_sent": 0, "by_sender": []}
    lines += ["", "## Who answered", "", f"Replies sent this week: {answered['replies_sent']}.", ""]
    lines += (
        _table(["Sent by", "Replies"], [[a["name"], a["replies"]] for a in answered["by_sender"]])
        if answered["by_sender"]
        else ["None."]
    )
    lines += ["", "## Team", ""]
    lines += _table(
        ["Member", "Open cases", "Oldest waiting", "First-response median", "Replies"],
        [[t["display_name"], t["open"], report_minutes(t["oldest_waiting_minutes"]),
          report_minutes(t["first_response_median_minutes"]), t["replies"]] for t in r.get("team", [])],
    )
    lines += ["", "## Tags", ""]
    lines += (
        _table(["Tag", "Posts", "Flagged", "First-response median"],
               [[t["tag"], t["posts"], t["flagged"], report_minutes(t["first_response_median_minutes"])]
                for t in r["tags"]])
        if r.get("tags")
        else ["None."]
    )
    lines += ["", "## Most used saved replies", ""]
    lines += (
        _table(["Saved reply", "Language", "Channel", "Uses"],
               [[m["name"], m["lang"] or "any", _label(m["channel"]) if m["channel"] else "any", m["uses"]]
                for m in r["saved_replies"]])
        if r.get("saved_replies")
        else ["None."]
    )
    sat = r["satisfaction"]
    lines += [
        "",
        "## Satisfaction after follow-up",
        "",
        (
            f"Follow-ups sent: {sat['followups_sent']}; satisfied {sat['satisfied']}, unsatisfied "
            f"{sat['unsatisfied']}, no answer {sat['no_answer']}; satisfied share {_pct(sat['satisfied_share_pct'])}."
        ),
        "",
    ]
    return "\n".join(lines)


def _charts(r: dict[str, Any]) -> dict[str, Markup]:
    days = r["posts"]["by_day"]
    s = r["sentiment"]
    bh = r["busiest_hours"]
    fr = r["first_response"]["by_channel"]
    return {
        "by_day": Markup(
            svg.stacked_columns(
                [f"{d['weekday']} {d['date'][8:]}" for d in days],
                {c: [d["by_channel"][c] for d in days] for c in CHANNELS},
                svg.CHANNEL_COLORS,
                title="Posts per day by channel",
            )
        ),
        "by_channel": Markup(
            svg.hbars(
                [(_label(c), n) for c, n in r["posts"]["by_channel"].items()],
                title="Posts by channel",
                colors={_label(c): col for c, col in svg.CHANNEL_COLORS.items()},
            )
        ),
        "sentiment": Markup(
            svg.share_bar(
                [(k, v) for k, v in s["counts"].items() if v or k != "unscored"],
                svg.SENTIMENT_COLORS,
                title="Sentiment mix",
            )
        ),
        "hours": Markup(
            svg.columns(
                [f"{h:02d}" for h in range(24)],
                bh["by_hour"],
                highlight=bh["top"],
                title="Posts per hour of day",
                width=1040,
                height=170,
            )
        ),
        "frt": Markup(
            svg.hbars(
                [(_label(c), v["median_minutes"] or 0) for c, v in fr.items()],
                title="Median first response (minutes) by channel",
                unit=" min",
                color="#f59e0b",
            )
        ),
        "categories": Markup(
            svg.hbars(
                [(c["category"], c["count"]) for c in r["categories"]],
                title="Flagged posts by issue category",
                color="#dc2626",
            )
        ),
    }


def to_html(r: dict[str, Any], *, back_url: str | None = None) -> str:
    """One self-contained page. Its only inline style is the ``<style>`` element (no ``style=``
    attributes), so a page served under a strict CSP allows it by hash (:func:`inline_style_hashes`).
    ``back_url``: a "← Reports" link at the top (the web app's copy; files have none)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters.update(minutes=report_minutes, pct=_pct, pp=_pp, channel=_label)
    template = env.from_string(
        files("social_care.reports").joinpath("templates/weekly.html").read_text("utf-8")
    )
    return template.render(
        r=r, charts=_charts(r), summary=summary_lines(r), channels=CHANNELS, colors=svg.CHANNEL_COLORS,
        back_url=back_url,
    )


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(html: str) -> list[str]:
    """CSP sources (``'sha256-…'``) for the ``<style>`` elements of a rendered report."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode() + "'"
        for m in _STYLE.finditer(html)
    ]


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
