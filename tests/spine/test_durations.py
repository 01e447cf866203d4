"""The one duration formatter (``social_care.durations.duration``) in the three ways the product reads it."""

from __future__ import annotations

import pytest

from social_care.durations import duration
from social_care.reports.compute import report_minutes


@pytest.mark.parametrize(("minutes", "text"), [
    (None, "—"), (-3, "<1 min"), (0.4, "<1 min"), (42, "42 min"), (60, "1 h"), (185, "3 h 5 min"),
    (24 * 60 - 1, "23 h 59 min"), (24 * 60, "1 d"), (52 * 60, "2 d 4 h"),
])
def test_the_queue_and_the_cli_read_whole_units(minutes, text):
    assert duration(minutes) == text


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 min"), (30 * 60, "30 h"), (47 * 60 + 59, "47 h 59 min"), (48 * 60, "2 d 0 h"), (73 * 60, "3 d 1 h"),
])
def test_slack_counts_hours_up_to_two_days_and_names_the_hours(minutes, text):
    assert duration(minutes, under_a_minute="0 min", days_from_hours=48, zero_hours=True) == text


@pytest.mark.parametrize(("minutes", "text"), [
    (None, "—"), (0, "0 min"), (12.5, "12.5 min"), (30, "30 min"), (59.5, "59.5 min"), (60, "1.0 h"),
    (180, "3.0 h"), (210, "3.5 h"), (1440, "24.0 h"), (48 * 60 - 1, "48.0 h"), (48 * 60, "2.0 d"), (3600, "2.5 d"),
])
def test_the_weekly_report_keeps_the_fraction(minutes, text):
    assert report_minutes(minutes) == text
