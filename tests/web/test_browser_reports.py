"""The Reports page in a real browser (Playwright + Debian's chromium): sign in, open Reports from the
queue's navigation, open this week so far and the last full week; the report's stylesheet and charts load
under the page's CSP, and the browser sees no console error, page error, failed request or 4xx/5xx."""

from __future__ import annotations

from typing import Any

from social_care import reports
from social_care.reports.compute import current_week, last_full_week

from .factory import make_post
from .test_browser import browser, served, settings, signed_in_page  # noqa: F401  (the same browser and server)

EVIL = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def test_sign_in_open_reports_and_a_week(app: Any, served: str, browser: Any, tmp_path: Any) -> None:  # noqa: F811
    this, last = current_week(app.now(), "UTC").label, last_full_week(app.now(), "UTC").label
    make_post(app, minutes_ago=8 * 24 * 60, text="parcel lost again, awful")
    make_post(app, minutes_ago=5, text=EVIL, name='"><b>Mallory</b>', handle="mallory")
    make_post(app, minutes_ago=9, channel="facebook.comment", flagged=False, text="love the new jackets")
    app.settings.reports_dir = str(tmp_path)
    reports.weekly_job(app)

    page = signed_in_page(browser, served, "jane")
    page.click("nav.top-nav >> text=Reports")
    page.wait_for_url("**/reports")
    assert page.locator("h1").inner_text() == "Weekly reports"
    assert page.locator("table.reports tbody tr").count() == 2

    page.click("text=This week so far")
    page.wait_for_url(f"**/reports/{this}")
    assert page.locator("h1").inner_text() == f"Weekly mention report · {this} · week to date"
    assert page.locator("svg").count() >= 6  # the same charts as the file
    # the report's own stylesheet applies (a CSP refusal would leave the KPI boxes unstyled)
    assert page.locator(".kpi").first.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "8px"
    assert page.evaluate("() => window.pwned === undefined && !document.querySelector('img[src=x]')")
    assert "<script>alert" in page.locator("body").inner_text()  # shown as text, never run

    page.click("text=← Reports")
    page.wait_for_url("**/reports")
    page.click("text=Last full week")
    page.wait_for_url(f"**/reports/{last}")
    assert page.locator("h1").inner_text() == f"Weekly mention report · {last}"
    assert "1 posts" in page.locator("ul.summary").inner_text()
    page.close()
