"""How long something waited or took, as people read it: ``42 min``, ``3 h 5 min``, ``2 d 4 h``; the weekly
report's medians keep a fraction (``12.5 min``, ``3.0 h``, ``2.5 d``). The one duration formatter."""

from __future__ import annotations

__all__ = ["duration"]


def duration(minutes: float | None, *, under_a_minute: str = "<1 min", days_from_hours: int = 24,
             zero_hours: bool = False, fraction: bool = False) -> str:
    """``minutes`` in whole minutes, hours from 60 minutes, days from ``days_from_hours`` hours.

    The queue page and the CLI use the defaults; a Slack alert says ``0 min`` under a minute, counts hours
    up to two days and always names the hours of a day count (``zero_hours``: ``3 d 0 h``). With
    ``fraction`` (the weekly report, whose medians and percentiles are not whole minutes) it is one unit with
    its fraction: minutes as they are (``12.5 min``), then hours or days to one decimal (``3.0 h``, ``2.5 d``)."""
    if minutes is None:
        return "—"
    if fraction:
        if minutes < 60:
            return f"{minutes:g} min"
        hours = minutes / 60
        return f"{hours:.1f} h" if hours < days_from_hours else f"{hours / 24:.1f} d"
    m = int(max(minutes, 0))
    if m < 1:
        return under_a_minute
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < days_from_hours:
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(h, 24)
    return f"{d} d {h} h" if h or zero_hours else f"{d} d"
