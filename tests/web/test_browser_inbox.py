"""The inbox tools in a real browser: select three posts (click, shift-click; x on the keyboard), assign them
together, write a note with an @-mention (the simulator's Slack webhook receives the ping) and insert a saved
reply into the draft box with "/"."""

from __future__ import annotations

from typing import Any

from social_care.alerts import deliver
from social_care.inbox.macros import create_macro, set_admin
from social_care.inbox.tables import Macro
from social_care.store.tables import Post

from .factory import make_post
from .test_browser import browser, served, settings, signed_in_page  # noqa: F401 - the browser test fixtures

SLACK_PATH = "/services/T0SIM/B0SIM/simwebhooksecret"  # the webhook tests/conftest.py configures


def test_bulk_assign_note_with_mention_and_saved_reply(app: Any, sim: Any, served: str, browser: Any) -> None:  # noqa: F811
    set_admin(app, "jane", True)
    macro = create_macro(app, name="Order check", text="Hi {name}, sorry about order {order}. We're checking it now.",
                         lang="en", channel=None, actor="jane")
    names = ["Jane Doe", "Ana Lima", "Bo Chen", "Kim Park"]
    posts = [make_post(app, name=names[i], text=f"my order #{5550 + i} never arrived, this is terrible",
                       minutes_ago=40 - 10 * i) for i in range(4)]
    first, second, third, fourth = posts

    page = signed_in_page(browser, served, "jane")
    box = lambda p: page.locator(f'tr.row[data-id="{p.id}"] input.pick')  # noqa: E731
    box(first).wait_for()
    box(first).click()
    box(third).click(modifiers=["Shift"])  # a range: the second one too
    assert [box(p).is_checked() for p in posts] == [True, True, True, False]
    assert page.locator("#bulk-count").inner_text().startswith("3 selected")
    for _ in range(4):
        page.keyboard.press("j")  # the fourth row…
    page.keyboard.press("x")  # …selected with the keyboard, and unselected again
    assert box(fourth).is_checked()
    page.keyboard.press("x")
    assert not box(fourth).is_checked()

    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-assignee", "bob")
    page.click("#bulk-submit")
    page.locator("#bulk-summary").wait_for()
    assert page.locator("#bulk-summary").inner_text().startswith("3 of 3 done")
    with app.session() as s:
        assert [s.get(Post, p.id).assignee for p in posts] == ["bob", "bob", "bob", None]

    page.goto(f"{served}/posts/{first.id}")
    page.fill("#note-text", "@bob can you check this order with the carrier?")
    page.click("#add-note")
    page.locator("#notice").wait_for()
    note = page.locator("li.msg.note")
    assert "@bob can you check this order" in note.inner_text() and "internal note" in note.inner_text().lower()
    assert deliver(app) == 1
    [ping] = sim.slack.messages_to(SLACK_PATH)
    assert "@bob" in ping["text"] and f"/posts/{first.id}" in ping["text"]

    page.keyboard.press("/")  # the saved replies' search
    page.locator("#macro-search").wait_for()
    page.keyboard.type("order check")
    page.keyboard.press("Enter")
    from playwright.sync_api import expect

    expect(page.locator("#reply-text")).to_have_value("Hi Jane, sorry about order 5550. We're checking it now.")
    assert page.locator("#macro-picker").is_hidden()
    with app.session() as s:
        assert s.get(Macro, macro.id).uses == 1
    page.close()
