"""The queue in a real browser (Playwright + Debian's chromium): sign in, see a flagged post, edit and approve
the draft, see the reply arrive at the simulator on the right channel, resolve; the list updates by itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from social_care.pipeline import poll_all
from social_care.store.tables import Post, StatusEvent
from social_care.web import serve_in_thread

from .factory import PASSWORD

CHROMIUM = os.environ.get("SOCIAL_CARE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class WatchedBrowser:
    """The browser, whose pages record console errors, page errors, failed requests and 4xx/5xx answers:
    a page that logs an error in its console fails its test."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.problems: list[str] = []

    def new_page(self, **kw: Any) -> Any:
        page = self._browser.new_page(**kw)
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} for {r.url}"))
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means: cannot run here
            pytest.skip(f"chromium cannot start: {exc}")
        watched = WatchedBrowser(b)
        yield watched
        b.close()
        assert watched.problems == [], "the browser saw errors:\n" + "\n".join(watched.problems)


@pytest.fixture
def settings(make_settings: Any) -> Any:
    # a lexicon scorer: needs no trained model file, and flags this test's angry post deterministically
    return make_settings(SOCIAL_CARE_SCORER="textblob")


@pytest.fixture
def served(team: Any) -> Iterator[str]:
    server, thread, url = serve_in_thread(team, "127.0.0.1", 0)
    yield url
    server.should_exit = True
    thread.join(10)


def signed_in_page(browser: Any, served: str, username: str) -> Any:
    """A new page, signed in through the sign-in form as ``username`` (password ``PASSWORD``)."""
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(served + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_sign_in_approve_edited_draft_and_resolve(app: Any, sim: Any, served: str, browser: Any) -> None:
    tweet = sim.x.add_mention(author_id="42", username="janedoe", name="Jane Doe", followers=5400,
                              text="@acmeshop my order never arrived, worst service ever. I want a refund!")
    poll_all(app)
    with app.session() as s:
        post = s.exec(select(Post).where(Post.external_id == tweet)).one()
    assert post.flagged and post.status == "awaiting_approval"

    page = signed_in_page(browser, served, "jane")
    row = page.locator(f'tr.row[data-id="{post.id}"]')
    row.wait_for()
    assert "worst service ever" in row.inner_text()
    assert "X mention" in row.inner_text()

    page.keyboard.press("j")  # select the first row…
    assert "selected" in (row.get_attribute("class") or "")
    page.keyboard.press("e")  # …and edit its draft
    page.wait_for_url(f"**/posts/{post.id}#edit")
    box = page.locator("#reply-text")
    assert box.input_value().strip()  # the playbook draft is there
    edited = "Hi Jane, we're so sorry your order hasn't arrived. Please DM us the order number and we'll fix it."
    box.fill(edited)
    page.click("#approve")
    page.locator("#notice").wait_for()
    assert "Reply sent" in page.locator("#notice").inner_text()
    assert [t.text for t in sim.x.replies_to(tweet)] == [edited]
    assert [(w.platform, w.kind) for w in sim.writes][:1] and all(w.platform == "x" for w in sim.writes)

    page.click("#resolve")
    page.locator("#notice").wait_for()
    assert page.locator("#notice").inner_text() == "Resolved."
    with app.session() as s:
        assert s.get(Post, post.id).status == "resolved"
        actors = s.exec(select(StatusEvent.to_status, StatusEvent.actor).where(StatusEvent.post_id == post.id)).all()
    assert ("sent", "jane") in actors and ("resolved", "jane") in actors
    trail = page.locator("#audit-trail").inner_text()  # the post page's audit trail, newest first
    for line in ("jane resolved", "jane sent", "jane approved", "system drafted", "system flagged"):
        assert line in trail, trail
    assert trail.index("jane resolved") < trail.index("jane sent") < trail.index("system flagged")

    # back on the queue, a new post shows up without a reload
    page.goto(served + "/")
    page.locator(".empty").wait_for()
    sim.facebook.add_message(psid="7012345678901234", name="Aiko Tanaka",
                             text="I was charged twice for my order, this is awful, refund me now")
    poll_all(app)
    page.locator("tr.row .badge.ch-facebook-messenger").wait_for(timeout=15_000)
    page.close()
