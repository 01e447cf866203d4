"""The queue in a real browser (Playwright + Debian's chromium): paging through 57 flagged posts with
JavaScript off, the default view of flagged posts needing a reply, and the approve button that is disabled
(and says why) while the reply is empty. The browser sees no console error, failed request or 4xx/5xx."""

from __future__ import annotations

from typing import Any

from .factory import PASSWORD, make_post
from .test_browser import browser, served, settings, signed_in_page  # noqa: F401  (the same browser and server)


def test_page_through_57_flagged_posts_without_javascript(app: Any, served: str, browser: Any) -> None:  # noqa: F811
    made = {make_post(app, minutes_ago=1 + i * 3 % 170, polarity=-0.3 - (i % 7) / 10,
                      text=f"complaint number {i}").id for i in range(57)}
    calm = make_post(app, flagged=False, draft=None, text="just saying hi")
    page = browser.new_page(java_script_enabled=False)
    page.set_default_timeout(10_000)
    page.goto(served + "/")
    page.fill("input[name=username]", "jane")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.locator("#total").wait_for()
    assert page.locator("#total").inner_text() == "57"
    seen = [int(x) for x in page.locator("tr.row").evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert len(seen) == 50 and calm.id not in seen
    page.click("#next-page")  # a plain link: no script runs on this page
    page.wait_for_url("**/?after=*")
    assert "51–57 of 57" in page.locator("nav.pager").inner_text()
    seen += [int(x) for x in page.locator("tr.row").evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert page.locator("#next-page").count() == 0
    assert len(seen) == 57 and set(seen) == made
    page.click("#first-page")
    page.locator("#next-page").wait_for()
    page.close()


def test_default_view_and_an_empty_reply_cannot_be_approved(
    app: Any, sim: Any, served: str, browser: Any  # noqa: F811
) -> None:
    angry = make_post(app, text="my order never arrived, this is terrible")
    tweet = sim.x.add_mention(author_id="77", username="neutralnick", text="@acmeshop does this come in blue?")
    calm = make_post(app, flagged=False, draft=None, polarity=0.0, label="neutral", external_id=tweet,
                     author_id="77", handle="neutralnick", text="does this come in blue?")
    page = signed_in_page(browser, served, "jane")
    page.locator(f'tr.row[data-id="{angry.id}"]').wait_for()
    assert page.locator(f'tr.row[data-id="{calm.id}"]').count() == 0  # the default: flagged, needing a reply
    page.select_option("select[name=status]", "open")
    page.click(".filters button[type=submit]")
    row = page.locator(f'tr.row[data-id="{calm.id}"]')
    row.wait_for()
    assert "not flagged" in row.locator("td.reasons").inner_text()
    assert "neutral" not in row.locator("td.reasons").inner_text()

    page.click(f'tr.row[data-id="{calm.id}"] a.post-link')
    page.wait_for_url(f"**/posts/{calm.id}")
    approve, why, box = page.locator("#approve"), page.locator("#approve-why"), page.locator("#reply-text")
    assert approve.is_disabled()
    assert why.is_visible() and why.inner_text() == "Nothing to approve yet: write a reply first."
    page.keyboard.press("a")  # the approve shortcut does nothing while the button is disabled
    assert page.url.endswith(f"/posts/{calm.id}") and sim.writes == []
    box.fill("Hi! Yes, it comes in blue: sizes S to XL.")
    assert approve.is_enabled() and not why.is_visible()
    box.fill("   ")
    assert approve.is_disabled() and why.is_visible()
    box.fill("Hi! Yes, it comes in blue: sizes S to XL.")
    approve.click()
    page.locator("#notice").wait_for()
    assert "Reply sent" in page.locator("#notice").inner_text()
    assert [t.text for t in sim.x.replies_to(tweet)] == ["Hi! Yes, it comes in blue: sizes S to XL."]
    page.close()
