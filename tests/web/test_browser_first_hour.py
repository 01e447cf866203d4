"""A new user's first hour in a real browser (issue 18): the demo's posts arrive on the simulator and are
polled with replies waiting for approval (the demo's default); the team member signs in, sees the flagged
posts waiting, opens one, approves its draft (the reply reaches the simulator on the customer's channel),
opens the Reports page and this week so far; the browser sees no console error or failed request."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from social_care.demo.runner import DemoFeed, load_demo_posts
from social_care.pipeline import poll_all
from social_care.reports.compute import current_week
from social_care.store.tables import Post

from .test_browser import browser, served, signed_in_page  # noqa: F401  (the same browser and server)

FIRST = 60  # the demo's first hour or so: every channel, angry and calm, questions and praise


def _feed_demo(sim: Any) -> None:
    posts, page_posts = load_demo_posts()
    feed = DemoFeed(sim, posts[:FIRST], page_posts, speed=1.0)
    feed.publish_page_posts()
    for post in feed.posts:
        feed.add(post)


def test_first_hour_sign_in_approve_a_demo_post_and_open_reports(app: Any, sim: Any, served: str,  # noqa: F811
                                                                  browser: Any) -> None:  # noqa: F811
    assert app.settings.autosend == "none"  # the demo's default: replies wait for a person
    _feed_demo(sim)
    poll_all(app)
    with app.session() as s:
        waiting = s.exec(select(Post).where(Post.flagged == True, Post.status == "awaiting_approval")  # noqa: E712
                         .order_by(Post.id)).all()
        stored = len(s.exec(select(Post.id)).all())
    assert stored == FIRST
    assert len(waiting) >= 3, "the demo's first hour has several angry posts waiting for approval"

    page = signed_in_page(browser, served, "jane")
    rows = page.locator("tr.row")
    rows.first.wait_for()
    # the default view is the flagged posts needing a reply, all of them, and says how many
    assert rows.count() == len(waiting)
    assert page.locator("#total").inner_text() == str(len(waiting))
    for i in range(rows.count()):
        assert "flagged" in (rows.nth(i).get_attribute("class") or "")
        assert "not flagged" not in rows.nth(i).inner_text()

    first = rows.first
    post_id = int(first.get_attribute("data-id"))
    with app.session() as s:
        post = s.get(Post, post_id)
        channel, external_id = post.channel, post.external_id
    first.locator("a.post-link").click()
    page.wait_for_url(f"**/posts/{post_id}")
    draft = page.locator("#reply-text").input_value().strip()
    assert draft, "the playbook drafted a reply"
    assert page.locator("#approve").is_enabled()
    page.click("#approve")
    page.locator("#notice").wait_for()
    assert "Reply sent" in page.locator("#notice").inner_text()
    if channel == "x.mention":
        assert [t.text for t in sim.x.replies_to(external_id)] == [draft]
    written = [w for w in sim.writes if w.platform == ("x" if channel.startswith("x.") else "facebook")]
    assert written, f"the reply went out on the customer's platform ({channel})"
    with app.session() as s:
        assert s.get(Post, post_id).status == "sent"

    page.click("nav.top-nav >> text=Reports")
    page.wait_for_url("**/reports")
    page.click("text=This week so far")
    this = current_week(app.now(), "UTC").label
    page.wait_for_url(f"**/reports/{this}")
    assert page.locator("svg").count() >= 6
    assert f"{FIRST} posts" in page.locator("ul.summary").inner_text()
    page.close()
