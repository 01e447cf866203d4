"""The Reports page over HTTP: signed-in only, linked from the queue's navigation, lists this week so far,
the last full week and every week the weekly job made; each opens the same HTML report as
`social-care report`, escaped, under a CSP that allows only its own inline stylesheet."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from fastapi.testclient import TestClient

from social_care import reports
from social_care.reports.compute import current_week, last_full_week
from social_care.reports.render import to_html

from .factory import make_post

EVIL = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def _weeks(app: Any) -> tuple[str, str]:
    return current_week(app.now(), "UTC").label, last_full_week(app.now(), "UTC").label


def test_reports_page_needs_a_session(web: TestClient) -> None:
    for path in ("/reports", "/reports/current"):
        r = web.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/reports")


def test_queue_links_to_reports_and_the_page_lists_the_weeks(app: Any, jane: tuple[TestClient, str],
                                                              tmp_path: Any) -> None:
    client, _ = jane
    assert 'href="/reports"' in client.get("/").text
    this, last = _weeks(app)
    make_post(app, minutes_ago=8 * 24 * 60)  # last week: the weekly job makes its report
    make_post(app, minutes_ago=5)
    make_post(app, minutes_ago=6, flagged=False)
    app.settings.reports_dir = str(tmp_path)
    assert reports.weekly_job(app)["week"] == last
    page = client.get("/reports")
    assert page.status_code == 200
    html = page.text
    assert "This week so far" in html and f"/reports/{this}" in html and "week to date" in html
    assert "Last full week" in html and f"/reports/{last}" in html and "made " in html
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], re.DOTALL)
    assert len(rows) == 2
    assert re.search(r'class="n">2</td>', rows[0]) and re.search(r'class="n">1</td>', rows[1])


def test_a_week_opens_the_same_report_as_the_command(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    this, _last = _weeks(app)
    make_post(app, minutes_ago=5, text=EVIL, name='"><b>Mallory</b>', handle="mallory")
    r = client.get(f"/reports/{this}")
    assert r.status_code == 200
    same = to_html(reports.build_report(app, this), back_url="/reports")
    assert r.text == same  # the CLI's renderer, figures of this moment (the clock stands still)
    assert "· week to date</h1>" in r.text and '<a href="/reports">← Reports</a>' in r.text
    assert r.text.count("<svg") >= 6  # the charts
    assert "<script" not in r.text and "<img src=x" not in r.text and "<b>Mallory" not in r.text
    assert "&lt;script&gt;alert(" in r.text
    assert client.get("/reports/current").text == r.text


def test_report_csp_allows_only_its_own_stylesheet(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    r = client.get("/reports/current")
    csp = r.headers["content-security-policy"]
    style = re.search(r"<style>(.*?)</style>", r.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert " style=" not in r.text  # a style attribute would need 'unsafe-inline'
    assert r.headers["x-frame-options"] == "DENY"


def test_bad_or_future_weeks_are_404(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    assert client.get("/reports/2026-47").status_code == 404
    assert client.get("/reports/2999-W01").status_code == 404


def test_a_week_opens_for_one_tag(app: Any, jane: tuple[TestClient, str]) -> None:
    from social_care.inbox.tags import add_tags

    client, _ = jane
    this, _last = _weeks(app)
    vip = make_post(app, minutes_ago=5)
    make_post(app, minutes_ago=6)
    add_tags(app, vip.id, "vip", actor="jane", expected_version=None)
    r = client.get(f"/reports/{this}?tag=VIP")
    assert r.status_code == 200
    assert r.text == to_html(reports.build_report(app, this, tag="vip"), back_url="/reports")
    assert 'id="tag-scope"' in r.text and reports.build_report(app, this, tag="vip")["posts"]["total"] == 1
    assert client.get(f"/reports/{this}?tag=not%20a%20tag!").status_code == 400
    assert 'id="tag-scope"' not in client.get(f"/reports/{this}?tag=").text
