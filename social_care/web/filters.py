"""The queue pages' template filters (durations, times, channel and category names) and their Jinja setup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from ..durations import duration
from ..models import Channel, as_utc
from ..scoring.base import CATEGORY_NAMES

HERE = Path(__file__).resolve().parent


def ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "—"
    delta = (now - as_utc(value)).total_seconds() / 60.0
    if delta < 0:
        return "in " + duration(-delta)
    return duration(delta) + " ago"


def hhmm(value: datetime | None) -> str:
    return f"{as_utc(value):%Y-%m-%d %H:%M} UTC" if value else "—"


def channel_label(value: str) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return value


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["duration"] = duration
    env.filters["hhmm"] = hhmm
    env.filters["iso"] = lambda v: as_utc(v).isoformat() if v else ""
    env.filters["channel_label"] = channel_label
    env.filters["category_name"] = lambda c: CATEGORY_NAMES.get(c, c) if c else "—"
    env.globals["ago"] = ago
    env.globals["channels"] = [(c.value, c.label) for c in Channel]
    return Jinja2Templates(env=env)


# ---- the application -----------------------------------------------------------------------------
