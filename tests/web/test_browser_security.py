"""Sessions in a real browser: signing out kills the cookie on the server (putting it back does not sign
you in again), and an open queue notices that its session ended elsewhere and goes to the sign-in page."""

from __future__ import annotations

from typing import Any

from social_care.web.auth import SESSION_COOKIE, set_password

from .factory import make_post
from .test_browser import browser, served, signed_in_page  # noqa: F401  (fixtures and the sign-in helper)


def _session_cookie(page: Any) -> dict[str, Any]:
    cookies = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_a_cookie_kept_from_before_sign_out_does_not_sign_in_again(
    app: Any, served: str, browser: Any  # noqa: F811
) -> None:
    make_post(app, text="where is my parcel?")
    page = signed_in_page(browser, served, "jane")
    page.locator("tr.row").first.wait_for()
    kept = _session_cookie(page)
    page.click("#sign-out")
    page.wait_for_url("**/login?done=signed_out")
    assert page.locator("#notice").inner_text() == "Signed out."
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []

    page.context.add_cookies([kept])  # as if someone had copied it before the sign-out
    page.goto(served + "/")
    page.wait_for_url("**/login?ended=1&next=/")
    assert "Your session ended" in page.locator("#notice").inner_text()
    assert page.locator("tr.row").count() == 0


def test_the_open_queue_goes_to_sign_in_when_the_password_changes_elsewhere(
    app: Any, served: str, browser: Any  # noqa: F811
) -> None:
    make_post(app, text="where is my parcel?")
    page = signed_in_page(browser, served, "jane")
    page.locator("tr.row").first.wait_for()
    assert set_password(app, "jane", "a-brand-new-passphrase") == 1  # `social-care user passwd jane`
    page.wait_for_url("**/login?ended=1&next=%2F", timeout=15_000)  # the live update (every 5 s) saw a 401
    assert "Your session ended" in page.locator("#notice").inner_text()
    # the one expected refusal: the live update's request after the session ended
    expected = [p for p in browser.problems if "/api/queue/stamp" in p or "status of 401" in p]
    assert expected, browser.problems
    browser.problems[:] = [p for p in browser.problems if p not in expected]
