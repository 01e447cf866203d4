"""The bundled demo dataset (social_care/demo/data): schema, references and the mix the demo relies on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "social_care" / "demo" / "data"
SCRIPT = ROOT / "scripts" / "make_demo_data.py"

CHANNELS = {"x.mention", "x.dm", "facebook.comment", "facebook.messenger", "instagram.comment", "instagram.dm",
            "x.search"}
X_CHANNELS = {"x.mention", "x.dm", "x.search"}
INSTAGRAM_CHANNELS = {"instagram.comment", "instagram.dm"}
PRIVATE_CHANNELS = {"x.dm", "facebook.messenger", "instagram.dm"}
NEWER_CHANNELS = {"instagram.comment", "instagram.dm", "x.search"}
EXPECT = {"negative", "neutral", "positive"}
CATEGORIES = {"delivery", "refund", "damaged", "customer_service", "account", "other", None}
KINDS = {"complaint", "question", "praise", "spam", "troll", "followup_answer"}
LANGS = {"en", "es", "fr", "de", "pt", "it", "ar", "hi", "fa", "ko", "und"}
REQUIRED = {"id", "channel", "author", "text", "lang", "at_minute", "expect", "category", "kind"}
OPTIONAL = {"thread", "post", "parent"}


def _load_posts() -> list[dict]:
    posts = []
    with (DATA / "posts.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            assert line.strip(), f"line {n} is empty"
            obj = json.loads(line)
            assert isinstance(obj, dict), f"line {n} is not an object"
            posts.append(obj)
    return posts


POSTS = _load_posts()
PAGE_POSTS = json.loads((DATA / "page_posts.json").read_text(encoding="utf-8"))
BY_ID = {p["id"]: p for p in POSTS}


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def test_page_posts() -> None:
    assert isinstance(PAGE_POSTS, list)
    assert [p["id"] for p in PAGE_POSTS] == [f"p{i}" for i in range(1, 9)]
    for p in PAGE_POSTS:
        assert set(p) == {"id", "message", "at_minute"}
        assert isinstance(p["message"], str) and p["message"].strip()
        assert _is_int(p["at_minute"]) and p["at_minute"] < 0, "published before the demo starts"


def test_size_and_unique_ids() -> None:
    assert 300 <= len(POSTS) <= 400
    ids = [p["id"] for p in POSTS]
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]
    assert all(re.fullmatch(r"d\d{3}", i) for i in ids)


@pytest.mark.parametrize("post", POSTS, ids=[p["id"] for p in POSTS])
def test_schema(post: dict) -> None:
    keys = set(post)
    assert keys >= REQUIRED, f"missing {REQUIRED - keys}"
    assert keys <= REQUIRED | OPTIONAL, f"unknown {keys - REQUIRED - OPTIONAL}"
    assert post["channel"] in CHANNELS
    assert isinstance(post["text"], str) and post["text"].strip()
    assert post["lang"] in LANGS
    assert _is_int(post["at_minute"]) and 0 <= post["at_minute"] <= 240
    assert post["expect"] in EXPECT
    assert post["category"] in CATEGORIES
    assert post["kind"] in KINDS
    for opt in OPTIONAL & keys:
        assert isinstance(post[opt], str) and post[opt]
    if "thread" in post:
        assert re.fullmatch(r"t\d+", post["thread"])

    author = post["author"]
    assert isinstance(author, dict)
    assert isinstance(author.get("name"), str) and author["name"].strip()
    if post["channel"] in X_CHANNELS:
        assert set(author) == {"id", "handle", "name", "followers"}
        assert re.fullmatch(r"x-\d+", author["id"])
        assert re.fullmatch(r"[A-Za-z0-9_]{1,15}", author["handle"])
        assert _is_int(author["followers"]) and 0 <= author["followers"] <= 250_000
    elif post["channel"] in INSTAGRAM_CHANNELS:
        assert set(author) == {"id", "handle", "name"}
        assert re.fullmatch(r"ig-\d+", author["id"])
        assert re.fullmatch(r"[a-z0-9._]{1,30}", author["handle"])
    else:
        assert set(author) == {"id", "name"}
        assert re.fullmatch(r"fb-\d+", author["id"])

    if post["channel"] == "facebook.comment":
        assert post.get("post") in {p["id"] for p in PAGE_POSTS}
    else:
        assert "post" not in post
    if post["channel"] in PRIVATE_CHANNELS:
        assert "thread" in post, "every private message belongs to a conversation"
        assert "parent" not in post

    # The labels agree with each other.
    if post["kind"] == "praise":
        assert post["expect"] == "positive" and post["category"] is None
    if post["kind"] in {"spam", "troll"}:
        assert post["category"] is None
    if post["kind"] == "complaint":
        assert post["expect"] == "negative" and post["category"] is not None


def test_x_mentions_address_the_brand() -> None:
    for p in POSTS:
        if p["channel"] == "x.mention":
            assert "@acmeshop" in p["text"], p["id"]
            assert len(p["text"]) <= 280, p["id"]


def test_untagged_x_posts_name_the_shop_without_tagging_it() -> None:
    for p in POSTS:
        if p["channel"] == "x.search":
            assert "@acmeshop" not in p["text"].lower(), p["id"]
            assert re.search(r"\b(acme|akme)\b", p["text"], re.I), p["id"]
            assert len(p["text"]) <= 280, p["id"]


def test_arrival_order() -> None:
    minutes = [p["at_minute"] for p in POSTS]
    assert minutes == sorted(minutes), "posts.jsonl is ordered by at_minute"


def test_authors_are_consistent() -> None:
    seen: dict[str, dict] = {}
    for p in POSTS:
        a = p["author"]
        assert seen.setdefault(a["id"], a) == a, f"author {a['id']} differs between posts ({p['id']})"
    # Customers who write on more than one channel of a platform.
    channels = defaultdict(set)
    for p in POSTS:
        channels[p["author"]["id"]].add(p["channel"])
    assert sum(1 for c in channels.values() if len(c) > 1) >= 3


def test_parents_resolve() -> None:
    position = {p["id"]: n for n, p in enumerate(POSTS)}
    for p in POSTS:
        if "parent" not in p:
            continue
        parent = BY_ID.get(p["parent"])
        assert parent is not None, f"{p['id']}: parent {p['parent']} missing"
        assert parent["channel"] == p["channel"] and p["channel"] in {"x.mention", "facebook.comment"}
        assert position[parent["id"]] < position[p["id"]] and parent["at_minute"] <= p["at_minute"]
        assert "parent" not in parent, "replies hang under a top-level post"
        assert p.get("thread") is not None and parent.get("thread") == p["thread"]
        if p["channel"] == "facebook.comment":
            assert parent["post"] == p["post"]


def test_threads_resolve() -> None:
    threads: dict[str, list[dict]] = defaultdict(list)
    for p in POSTS:
        if "thread" in p:
            threads[p["thread"]].append(p)
    assert sum(1 for t in threads.values() if len(t) >= 3) >= 8, "several multi-message conversations"
    for tid, members in threads.items():
        assert len({m["channel"] for m in members}) == 1, f"{tid} spans channels"
        channel = members[0]["channel"]
        if channel in PRIVATE_CHANNELS:
            assert len({m["author"]["id"] for m in members}) == 1, f"{tid}: one customer per conversation"
        if channel == "facebook.comment":
            assert len({m["post"] for m in members}) == 1
        if len(members) > 1 and channel in {"x.mention", "facebook.comment"}:
            roots = [m for m in members if "parent" not in m]
            assert len(roots) == 1, f"{tid}: one root comment / mention"
    # A public mention that continues in DM: same author, different thread.
    mention_threads = {
        (p["author"]["id"], p["thread"]) for p in POSTS if p["channel"] == "x.mention" and "thread" in p
    }
    dm_threads = {(p["author"]["id"], p["thread"]) for p in POSTS if p["channel"] == "x.dm"}
    assert any(a == b and t != u for a, t in mention_threads for b, u in dm_threads)


def test_mix() -> None:
    channels = Counter(p["channel"] for p in POSTS)
    assert set(channels) == CHANNELS
    assert all(n >= 40 for c, n in channels.items() if c not in NEWER_CHANNELS), channels
    assert all(n >= 8 for c, n in channels.items() if c in NEWER_CHANNELS), channels
    for channel in NEWER_CHANNELS:  # several languages on each newer channel
        assert len({p["lang"] for p in POSTS if p["channel"] == channel}) >= 5, channel
    langs = Counter(p["lang"] for p in POSTS if p["lang"] != "und")
    assert len(langs) >= 8
    assert all(n >= 10 for n in langs.values()), langs
    assert 0.45 <= langs["en"] / len(POSTS) <= 0.65
    expect = Counter(p["expect"] for p in POSTS)
    assert 0.35 <= expect["negative"] / len(POSTS) <= 0.50
    assert 0.15 <= expect["positive"] / len(POSTS) <= 0.30
    kinds = Counter(p["kind"] for p in POSTS)
    assert kinds["spam"] + kinds["troll"] >= 10
    assert kinds["followup_answer"] >= 10


def test_burst_around_minute_120() -> None:
    best = 0
    for start in range(100, 131):
        window = [p for p in POSTS if start <= p["at_minute"] < start + 20 and p["expect"] == "negative"]
        best = max(best, len(window))
    assert best >= 15


def test_tricky_texts_present() -> None:
    texts = [p["text"] for p in POSTS]
    assert any("<script>alert(1)</script>" in t for t in texts)
    assert any("\u200d" in p["author"]["name"] for p in POSTS), "a zero-width joiner in a name"
    assert any(re.search(r"https?://", t) for t in texts)
    assert any(p["channel"] == "facebook.messenger" and len(p["text"]) >= 1200 for p in POSTS)
    assert any(not re.search(r"\w", t) for t in texts), "an emoji-only post"
    assert any(re.search(r"#A\d{5}", t) for t in texts)


@pytest.mark.skipif(not SCRIPT.exists(), reason="no generator script")
def test_generator_reproduces_files() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
