"""The one page loop (``connectors.base.paginate``) every stream reads its listings with."""

from __future__ import annotations

import logging
from typing import Any

from connectors.base import paginate


def listing(tokens: list[str | None]) -> tuple[list[str | None], Any]:
    """A fake listing whose n-th answer points at ``tokens[n]``; records what was asked."""
    asked: list[str | None] = []

    def fetch(token: str | None) -> dict[str, Any]:
        asked.append(token)
        n = len(asked) - 1
        return {"data": [] if n % 2 else [n], "next": tokens[n]}

    return asked, fetch


def test_every_page_is_followed_to_the_end_empty_pages_with_next_included():
    asked, fetch = listing(["a", "b", "c", None])
    pages = list(paginate(fetch, lambda b: b["next"], stream="s"))
    assert asked == [None, "a", "b", "c"]
    assert [p.next for p in pages] == ["a", "b", "c", None]
    assert [p.body["data"] for p in pages] == [[0], [], [2], []]  # the empty page with next was followed
    assert all(p.cut is None for p in pages)


def test_a_repeated_token_is_asked_once_more_and_a_second_repeat_ends_the_listing(caplog):
    asked, fetch = listing(["a", "b", "a", "a", "x", None])
    with caplog.at_level(logging.WARNING):
        pages = list(paginate(fetch, lambda b: b["next"], stream="x.dms", listing="dm_events"))
    assert asked == [None, "a", "b", "a"]  # "a" asked once more, its second repeat not asked
    assert pages[-1].next is None and "repeated pagination token 'a' twice" in (pages[-1].cut or "")
    assert "x.dms dm_events" in pages[-1].cut and pages[-1].cut in caplog.text
    assert [p.cut for p in pages[:-1]] == [None, None, None]


def test_a_single_repeat_is_not_a_cut():
    asked, fetch = listing(["a", "a", None])
    pages = list(paginate(fetch, lambda b: b["next"], stream="s"))
    assert asked == [None, "a", "a"] and pages[-1].cut is None and pages[-1].next is None


def test_the_caller_may_stop_early():
    asked, fetch = listing(["a", "b", "c", None])
    for page in paginate(fetch, lambda b: b["next"], stream="s"):
        if page.next == "b":
            break
    assert asked == [None, "a"]
