"""Property-based tests (hypothesis) of the code that meets outside input: the platform payload parsers,
the CSV reader, the playbook templates lint and the queue's urgency ranking.

Every property runs a bounded, derandomized number of examples so the suite stays deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import parse_time
from connectors.facebook import GraphClient, MessengerConversations, PageComments
from connectors.x import XClient, XDirectMessages, XMentions
from social_care.errors import ConfigError, SkippableError
from social_care.models import Channel, Mention
from social_care.playbook import CATEGORIES, Playbook, check_reply, check_templates
from social_care.queue import QueueFilter, list_queue, urgency
from social_care.store.tables import Post

X_USER_ID = "99"
PAGE_ID = "104512345678901"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

BOUNDED = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
OVER_HTTP = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# ---- what platforms might send ---------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**200),
    st.integers(max_value=-1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.text(min_size=130, max_size=1200),
    st.sampled_from(["", " ", "\x00", "null", "{name}", "\u202e\u200b", "😀" * 3]),
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
ids = st.one_of(
    st.from_regex(r"\A[1-9][0-9]{0,18}\Z"),
    st.integers(min_value=0),
    st.text(min_size=1, max_size=20),
    st.text(min_size=120, max_size=300),
    st.just(""),
)
good_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
times = st.one_of(
    good_times.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z")),
    good_times.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+0000")),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2026-13-01T00:00:00Z",
            "2026-11-20",
            "yesterday",
            "2026-11-20T10:00:00+25:00",
        ]
    ),
    st.text(max_size=30),
)
texts = st.text(max_size=300)


def field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field as the platform documents it, or anything else."""
    return st.one_of(good, good, junk)


def obj(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object where each field may be missing, well-formed or junk."""
    return st.fixed_dictionaries({}, optional={k: field(v) for k, v in fields.items()})


x_users = obj(
    username=st.text(max_size=300),
    name=st.text(max_size=300),
    public_metrics=obj(followers_count=st.integers() | st.integers(min_value=2**40)),
)
tweets = obj(
    id=ids,
    author_id=ids,
    text=texts,
    created_at=times,
    conversation_id=ids,
    lang=st.text(max_size=3),
    referenced_tweets=st.lists(obj(type=st.sampled_from(["replied_to", "quoted"]), id=ids), max_size=2),
)
dm_events = obj(
    id=ids,
    event_type=st.just("MessageCreate"),
    text=texts,
    created_at=times,
    sender_id=ids,
    dm_conversation_id=ids,
)
fb_people = obj(id=ids, name=st.text(max_size=300))
fb_comments = obj(
    id=ids,
    message=texts,
    created_time=times,
    **{"from": fb_people},
    parent=obj(id=ids),
    comment_count=st.integers(min_value=0) | st.integers(),
    permalink_url=st.text(max_size=1500),
)
fb_messages = obj(id=ids, message=texts, created_time=times, **{"from": fb_people}, to=junk)


# ---- what a valid post is: what the posts table can store on SQLite and PostgreSQL alike -------------------


def _width(column: str) -> int:
    return int(Post.__table__.c[column].type.length)  # type: ignore[attr-defined]


def assert_valid_post(m: Any, channel: Channel) -> None:
    assert isinstance(m, Mention) and m.channel is channel
    for name, column in (("external_id", "external_id"), ("author_id", "author_id")):
        value = getattr(m, name)
        assert isinstance(value, str) and value.strip() and len(value) <= _width(column), (name, value)
    for name, column in (
        ("author_handle", "author_handle"),
        ("author_name", "author_name"),
        ("thread_key", "thread_key"),
        ("parent_external_id", "parent_external_id"),
        ("permalink", "permalink"),
    ):
        value = getattr(m, name)
        assert value is None or (isinstance(value, str) and len(value) <= _width(column)), (name, value)
    assert isinstance(m.text, str)
    for value in (m.text, m.author_name, m.author_handle, m.external_id, m.author_id, m.thread_key):
        assert value is None or "\x00" not in value  # PostgreSQL text refuses NUL
    assert isinstance(m.created_at, datetime) and m.created_at.utcoffset() == timedelta(0)
    f = m.author_followers
    assert f is None or (type(f) is int and 0 <= f <= 2**31 - 1), f  # an INTEGER column
    assert m.reply_to.channel is channel
    assert isinstance(m.reply_to.thread_id, str) and m.reply_to.thread_id
    assert len(m.reply_to.thread_id) <= _width("reply_thread_id")
    r = m.reply_to.recipient_id
    assert r is None or (isinstance(r, str) and len(r) <= _width("reply_recipient_id"))
    assert len(m.customer_key) <= _width("customer_key")


def parses_or_skips(convert: Any, channel: Channel, *args: Any) -> Mention | None:
    """``convert(*args)`` gives a valid post, None (the brand's own) or a SkippableError with a message."""
    try:
        mention = convert(*args)
    except SkippableError as exc:
        assert str(exc).strip(), "a skip must say why"
        return None
    if mention is not None:
        assert_valid_post(mention, channel)
    return mention


def _x_client(base_url: str = "http://127.0.0.1:9") -> XClient:
    return XClient(
        user_id=X_USER_ID,
        bearer_token="sim-bearer-token",
        consumer_key="k",
        consumer_secret="s",
        access_token=f"{X_USER_ID}-t",
        access_token_secret="ts",
        base_url=base_url,
        timeout=3,
        clock=lambda: NOW,
    )


def _graph_client(base_url: str = "http://127.0.0.1:9") -> GraphClient:
    return GraphClient(
        page_id=PAGE_ID,
        page_token="EAAB-sim-page-token",
        version="v23.0",
        base_url=base_url,
        timeout=3,
        clock=lambda: NOW,
    )


# ---- the platform payload parsers: item → post -------------------------------------------------------------


@BOUNDED
@given(item=st.one_of(tweets, junk), user=st.one_of(x_users, junk))
def test_a_tweet_parses_into_a_valid_post_or_is_skipped(item: Any, user: Any) -> None:
    users = {str(item.get("author_id")): user} if isinstance(item, dict) else {}
    users = {k: v for k, v in users.items() if isinstance(v, dict)}  # as _users() hands them over
    parses_or_skips(XMentions(_x_client())._mention, Channel.X_MENTION, item, users)


@BOUNDED
@given(item=dm_events, user=x_users)
def test_a_dm_event_parses_into_a_valid_post_or_is_skipped(
    item: dict[str, Any], user: dict[str, Any]
) -> None:
    users = {str(item.get("sender_id")): user}
    parses_or_skips(XDirectMessages(_x_client())._mention, Channel.X_DM, item, users)


@BOUNDED
@given(
    item=st.one_of(fb_comments, junk),
    post_id=st.from_regex(r"\A[0-9]{1,15}_[0-9]{1,15}\Z"),
    top_hint=st.none() | st.from_regex(r"\A[0-9]{1,15}_[0-9]{1,15}\Z"),
)
def test_a_page_comment_parses_into_a_valid_post_or_is_skipped(
    item: Any, post_id: str, top_hint: str | None
) -> None:
    parses_or_skips(PageComments(_graph_client())._comment, Channel.FACEBOOK_COMMENT, item, post_id, top_hint)


@BOUNDED
@given(item=st.one_of(fb_messages, junk), link=st.one_of(st.none(), st.text(max_size=1500), junk))
def test_a_messenger_message_parses_into_a_valid_post_or_is_skipped(item: Any, link: Any) -> None:
    parses_or_skips(MessengerConversations(_graph_client())._message, Channel.MESSENGER, item, "t_123", link)


@BOUNDED
@given(value=st.one_of(times, junk))
def test_a_timestamp_is_read_as_utc_or_refused_with_a_skip(value: Any) -> None:
    try:
        parsed = parse_time(value)
    except SkippableError as exc:
        assert repr(value)[:20] in str(exc) or "timestamp" in str(exc)
        return
    assert parsed.utcoffset() == timedelta(0)


# ---- one bad item degrades only itself: whole listings over real tweepy / facebook-sdk and the simulator ---


def _good_comment(n: int) -> dict[str, Any]:
    return {
        "id": f"555_{n}",
        "message": f"where is my order {n}?",
        "created_time": f"2026-11-20T10:0{n}:00+0000",
        "from": {"id": f"70{n}", "name": f"Customer {n}"},
    }


def _poll_all(connector: Any) -> tuple[list[Mention], list[str]]:
    mentions: list[Mention] = []
    skipped: list[str] = []
    for batch in connector.poll(None):
        mentions.extend(batch.mentions)
        skipped.extend(batch.skipped)
    return mentions, skipped


@OVER_HTTP
@given(bad=st.lists(st.one_of(fb_comments, junk), min_size=1, max_size=3))
def test_bad_page_comments_cost_only_themselves(sim: Any, sim_server: Any, bad: list[Any]) -> None:
    """A listing with junk between two good comments: both good ones come through, each bad one is a valid
    post or a skip with its reason, and nothing else is raised (the known culprits: a comment_count or a
    parent that is not what Graph documents)."""
    sim.reset()
    feed = {
        "data": [
            {
                "id": "555",
                "message": "our new range",
                "created_time": "2026-11-20T09:00:00+0000",
                "from": {"id": PAGE_ID, "name": "Acme"},
            }
        ]
    }
    sim.fail_next("facebook", status=200, body=feed, path_contains="/feed")
    sim.fail_next(
        "facebook",
        status=200,
        body={"data": [_good_comment(1), *bad, _good_comment(2)]},
        path_contains="/555/comments",
    )
    sim.fail_next(
        "facebook", status=200, body={"data": []}, path_contains="/comments", count=10
    )  # reply threads
    mentions, skipped = _poll_all(PageComments(_graph_client(sim_server.url)))
    for m in mentions:
        assert_valid_post(m, Channel.FACEBOOK_COMMENT)
    got = {m.external_id for m in mentions}
    assert {"555_1", "555_2"} <= got
    assert all(reason.strip() for reason in skipped)


@OVER_HTTP
@given(
    bad=st.lists(st.one_of(tweets, junk), min_size=1, max_size=3),
    user=st.one_of(x_users, junk),
    first=st.integers(min_value=0, max_value=3),
    newest=st.one_of(st.none(), junk),
)
def test_bad_tweets_cost_only_themselves(
    sim: Any, sim_server: Any, bad: list[Any], user: Any, first: int, newest: Any
) -> None:
    sim.reset()
    good = [
        {
            "id": str(1000 + n),
            "author_id": "42",
            "text": f"late parcel {n}",
            "created_at": "2026-11-20T10:00:00.000Z",
            "conversation_id": str(1000 + n),
        }
        for n in (1, 2)
    ]
    meta: dict[str, Any] = {"result_count": len(bad) + 2}
    if newest is not None:
        meta["newest_id"] = newest
    body = {
        "data": [*bad[:first], good[0], *bad[first:], good[1]],
        "includes": {"users": [{"id": "42", "username": "jo", "name": "Jo"}, user]},
        "meta": meta,
    }
    sim.fail_next("x", status=200, body=body, path_contains="/mentions")
    batches = list(XMentions(_x_client(sim_server.url)).poll(None))
    mentions = [m for b in batches for m in b.mentions]
    for m in mentions:
        assert_valid_post(m, Channel.X_MENTION)
    assert {"1001", "1002"} <= {m.external_id for m in mentions}
    checkpoint = batches[-1].checkpoint
    assert isinstance(checkpoint, str) and 0 < len(checkpoint) <= 128, (
        checkpoint
    )  # a cursor the store can keep


@OVER_HTTP
@given(
    bad=st.lists(st.one_of(fb_messages, junk), min_size=1, max_size=3),
    link=st.one_of(st.text(max_size=40), junk),
)
def test_bad_messenger_messages_cost_only_themselves(
    sim: Any, sim_server: Any, bad: list[Any], link: Any
) -> None:
    sim.reset()
    good = [
        {
            "id": f"m_{n}",
            "message": f"refund please {n}",
            "created_time": "2026-11-20T10:00:00+0000",
            "from": {"id": "7001", "name": "Kim"},
        }
        for n in (1, 2)
    ]
    conversation = {
        "id": "t_1",
        "updated_time": "2026-11-20T10:00:00+0000",
        "link": link,
        "messages": {"data": [good[0], *bad, good[1]]},
    }
    sim.fail_next("facebook", status=200, body={"data": [conversation]}, path_contains="/conversations")
    mentions, _ = _poll_all(MessengerConversations(_graph_client(sim_server.url)))
    for m in mentions:
        assert_valid_post(m, Channel.MESSENGER)
    assert {"m_1", "m_2"} <= {m.external_id for m in mentions}


# ---- the CSV reader: records with their line numbers, or a problem with its line, never a merged row -------

DELIMS = (",", ";", "\t", "|")
cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=25)
one_line_cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\r\n"), max_size=25)


def _write(rows: list[list[str]], delimiter: str) -> tuple[str, list[int]]:
    """CSV text of ``rows`` (the first is the header) and the line each data row starts on, counted the
    way an editor (and the csv module) counts: \\n, \\r or \\r\\n end a line, nothing else does."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    starts = []
    for row in rows:
        starts.append(len(io.StringIO(out.getvalue(), newline="").readlines()) + 1)
        writer.writerow(row)
    return out.getvalue(), starts[1:]


@st.composite
def tables(draw: Any, cell: st.SearchStrategy[str] = cells) -> tuple[list[list[str]], str]:
    width = draw(st.integers(min_value=2, max_value=4))
    header = [
        "text",
        *draw(st.lists(st.from_regex(r"\A[a-z]{1,6}\Z"), min_size=width - 1, max_size=width - 1)),
    ]
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=6))
    rows = [r for r in rows if any(c.strip() for c in r)]  # csv writes an all-empty row as a blank line
    return [header, *rows], draw(st.sampled_from(DELIMS))


@BOUNDED
@given(table=tables())
def test_csv_records_give_back_every_row_on_its_own_line(table: tuple[list[list[str]], str]) -> None:
    from social_care.scoring.data import csv_records

    rows, delimiter = table
    text, starts = _write(rows, delimiter)
    header, records, problems = csv_records(text, delimiter)
    assert problems == []
    assert header == rows[0]
    assert records == list(zip(starts, rows[1:], strict=True))


@BOUNDED
@given(
    table=tables(one_line_cells),
    at=st.integers(min_value=0, max_value=6),
    broken=st.text(alphabet=st.characters(codec="utf-8", exclude_characters='\x00\r\n"'), max_size=15),
)
def test_an_unclosed_quote_costs_only_its_own_row(
    table: tuple[list[list[str]], str], at: int, broken: str
) -> None:
    from social_care.scoring.data import csv_records

    rows, delimiter = table
    at = min(at, len(rows) - 1)
    text, starts = _write(rows, delimiter)
    lines = io.StringIO(text, newline="").readlines()
    bad_line = at + 2  # after the header and `at` rows (every cell is on one line)
    lines.insert(bad_line - 1, f'oops{delimiter}"{broken}\r\n')
    header, records, problems = csv_records("".join(lines), delimiter)
    assert header == rows[0]
    assert [line for line, _ in problems] == [bad_line], problems
    assert "quote" in problems[0][1]
    expected = [(n if n < bad_line else n + 1, r) for n, r in zip(starts, rows[1:], strict=True)]
    assert records == expected


@BOUNDED
@given(
    data=st.one_of(
        st.binary(max_size=300),
        cells.map(lambda t: t.encode("utf-8")),
        st.lists(one_line_cells, max_size=5).map(lambda ls: "\n".join(ls).encode("utf-16")),
    )
)
def test_any_bytes_are_records_or_a_clear_error(data: bytes) -> None:
    from social_care.scoring.data import csv_records, decode_csv, text_delimiter

    try:
        text = decode_csv(data, "upload.csv")
    except ValueError as exc:
        assert "upload.csv" in str(exc) and "offset" in str(exc)
        return
    n_lines = len(io.StringIO(text, newline="").readlines())
    header, records, problems = csv_records(text, text_delimiter(text))
    numbers = [line for line, _ in records]
    assert numbers == sorted(set(numbers))
    assert all(2 <= line <= n_lines for line in numbers)
    assert all(1 <= line <= n_lines and why.strip() for line, why in problems)
    assert not {line for line, _ in problems} & set(numbers)


# ---- the templates lint: any JSON is problems or OK, never a crash; OK means every draft can go out -------


FRAGMENTS = [
    "Hi {name}, ",
    "Hola {name}. ",
    "{name} 님 ",
    "sorry about your order. ",
    "{brand} will fix it. ",
    "Could you DM us the order number? ",
    "{",
    "}",
    "{{",
    "}}",
    "{0}",
    "{}",
    "{name!r}",
    "{name.upper}",
    "{name.nope}",
    "{name[0]}",
    "{name[x]}",
    "{name:>40}",
    "{brand:d}",
    "{other}",
    "not our fault ",
    "",
    "x" * 300,
    "\u202e",
    "😀 ",
    ", ",
]
phrasing = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5).map("".join)
template_value = st.one_of(phrasing, st.lists(phrasing, min_size=1, max_size=3), junk)
section = st.fixed_dictionaries(
    {},
    optional={
        "public": st.one_of(
            st.dictionaries(st.sampled_from([*CATEGORIES, "weird"]), template_value, max_size=4), junk
        ),
        "private": st.one_of(
            st.dictionaries(st.sampled_from([*CATEGORIES, "weird"]), template_value, max_size=4), junk
        ),
        "followup": template_value,
    },
)


def _builtin() -> dict[str, Any]:
    from importlib import resources

    return json.loads(resources.files("social_care.playbook").joinpath("templates.json").read_text("utf-8"))


@st.composite
def one_edit_of_the_builtin(draw: Any) -> dict[str, Any]:
    """The built-in templates with one template, section or language replaced by something else."""
    data = _builtin()
    lang = draw(st.sampled_from(sorted(k for k in data if not k.startswith("_"))))
    where = draw(st.sampled_from(["public", "private", "followup", "section"]))
    if where == "section":
        data[lang] = draw(st.one_of(section, junk))
    elif where == "followup":
        data[lang]["followup"] = draw(template_value)
    else:
        data[lang][where][draw(st.sampled_from([*CATEGORIES, "weird"]))] = draw(template_value)
    return data


templates_json = st.one_of(
    one_edit_of_the_builtin(),
    st.dictionaries(
        st.sampled_from(["en", "de", "ko", "_comment", "xx"]), st.one_of(section, junk), max_size=3
    ),
    junk,
)
NAMES = [None, "", "Jane", "Ana María", "X" * 40, "@bob", "www.shop.example", "李", "O'Neil"]


def _write_json(path: Any, value: Any) -> Any:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def _every_draft(book: Playbook) -> list[tuple[Channel, str]]:
    out = []
    for lang in [*book.languages, None, "zz"]:
        for name in NAMES:
            for channel in Channel:
                for category in [*CATEGORIES, None, "weird"]:
                    out += [
                        (channel, d.text)
                        for d in book.drafts(
                            channel=channel, lang=lang, category=category, name=name, post_id=7
                        )
                    ]
                if not channel.is_public and "followup" in book.templates.get(book._lang(lang, None), {}):
                    out += [
                        (Channel.MESSENGER, d.text) for d in book.followups(lang=lang, name=name, post_id=7)
                    ]
    return out


@BOUNDED
@given(value=templates_json)
def test_any_templates_json_is_problems_or_ok_never_a_crash(tmp_path: Any, value: Any) -> None:
    path = _write_json(tmp_path / "templates.json", value)
    try:
        result = check_templates(str(path))
    except ConfigError as exc:
        assert str(exc).strip()
        with pytest.raises(ConfigError):
            Playbook.load(str(path))
        return
    assert all(p.strip() for p in result.problems)
    if result.problems:
        with pytest.raises(ConfigError):
            Playbook.load(str(path))
        return
    book = Playbook.load(str(path))  # the lint's OK is the service's OK
    for channel, text in _every_draft(book):  # and OK means every draft, with or without a name, may go out
        assert check_reply(text, channel) == [], (channel, text)


@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(brand=st.sampled_from(["our shop", "Acme", "Ünïcode Shop"]))
def test_valid_templates_stay_valid_after_a_round_trip(tmp_path: Any, brand: str) -> None:
    """The built-in file, read and written back as JSON, is the same playbook: same lint, same drafts."""
    book = Playbook.load(None, brand=brand)
    path = _write_json(tmp_path / "again.json", json.loads(json.dumps(book.templates, ensure_ascii=False)))
    again = Playbook.load(str(path), brand=brand)
    assert again.templates == book.templates
    assert check_templates(str(path), brand=brand).problems == []
    assert _every_draft(again) == _every_draft(book)


# ---- the queue's urgency: bounded, monotonic, and the SQL ranking is the same formula ----------------------


polarities = st.one_of(
    st.none(),
    st.floats(min_value=-1, max_value=1),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.floats(allow_nan=True),
)
followers_counts = st.one_of(
    st.none(), st.integers(min_value=-10, max_value=10**7), st.integers(min_value=10**7)
)
waits = st.floats(min_value=-1e6, max_value=1e7)
targets = st.floats(min_value=0, max_value=1e5)


@BOUNDED
@given(polarity=polarities, flagged=st.booleans(), followers=followers_counts, waited=waits, target=targets)
def test_urgency_is_bounded(
    polarity: float | None, flagged: bool, followers: int | None, waited: float, target: float
) -> None:
    u = urgency(
        polarity=polarity, flagged=flagged, followers=followers, waited_minutes=waited, target_minutes=target
    )
    assert 0.0 <= u <= 100.0, u


@BOUNDED
@given(
    polarity=st.floats(min_value=-1, max_value=1),
    flagged=st.booleans(),
    followers=st.integers(min_value=0, max_value=10**7),
    waited=st.floats(min_value=0, max_value=1e5),
    target=st.floats(min_value=1, max_value=1e4),
    more=st.tuples(
        st.floats(min_value=0, max_value=1),
        st.integers(min_value=0, max_value=10**7),
        st.floats(min_value=0, max_value=1e5),
    ),
)
def test_urgency_grows_with_wait_negativity_followers_and_the_flag(
    polarity: float,
    flagged: bool,
    followers: int,
    waited: float,
    target: float,
    more: tuple[float, int, float],
) -> None:
    angrier, more_followers, longer = more
    base = dict(
        polarity=polarity, flagged=flagged, followers=followers, waited_minutes=waited, target_minutes=target
    )
    u = urgency(**base)  # type: ignore[arg-type]
    assert urgency(**{**base, "waited_minutes": waited + longer}) >= u  # type: ignore[arg-type]
    assert urgency(**{**base, "polarity": max(polarity - angrier, -1.0)}) >= u  # type: ignore[arg-type]
    assert urgency(**{**base, "followers": followers + more_followers}) >= u  # type: ignore[arg-type]
    assert urgency(**{**base, "flagged": True}) >= u  # type: ignore[arg-type]


def _random_post(app: Any, n: int, p: tuple[float, bool, int | None, float, str]) -> None:
    from web.factory import make_post

    polarity, flagged, followers, minutes_ago, channel = p
    make_post(
        app,
        channel=channel,
        text=f"post {n}",
        polarity=polarity,
        flagged=flagged,
        followers=followers,
        minutes_ago=minutes_ago,
        draft=None,
        status="new" if not flagged else "flagged",
        label="negative" if polarity < 0 else "neutral",
    )


post_params = st.tuples(
    st.floats(min_value=-1, max_value=1),
    st.booleans(),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    st.floats(min_value=0, max_value=60 * 24 * 3),
    st.sampled_from([c.value for c in Channel]),
)


@OVER_HTTP
@given(batch=st.lists(post_params, min_size=1, max_size=4))
def test_the_sql_ranking_is_the_urgency_formula(app: Any, batch: list[Any]) -> None:
    """The queue ranks in SQL (urgency_base + the waiting part, SQLite and PostgreSQL); every row's score is
    what ``urgency`` says for that post now, and the rows come most urgent first."""
    from social_care.queue import queue_row

    start = len(_posts_of(app))
    for n, p in enumerate(batch):
        _random_post(app, start + n, p)
    now = app.now()
    targets = {c.value: app.settings.response_target_minutes(c.value) for c in Channel}
    with app.session() as s:
        result = list_queue(s, app.settings, QueueFilter.from_params(status="open", limit=500), now=now)
        rows = [(row.urgency, queue_row(row.post, targets, now).urgency) for row in result.rows]
    assert len(rows) == start + len(batch)
    for ranked, formula in rows:
        assert math.isclose(ranked, formula, abs_tol=0.011), (ranked, formula)
    scores = [ranked for ranked, _ in rows]
    assert scores == sorted(scores, reverse=True)


def _posts_of(app: Any) -> list[Any]:
    from sqlmodel import select

    with app.session() as s:
        return list(s.exec(select(Post)).all())


odd_text = st.one_of(st.text(max_size=20), st.text(min_size=200, max_size=2000), st.just("a\x00b"))
odd_id = st.one_of(st.from_regex(r"\A[1-9][0-9]{0,18}\Z"), st.text(min_size=100, max_size=400))
odd_tweets = st.fixed_dictionaries(
    {"id": odd_id, "author_id": odd_id, "text": odd_text, "created_at": st.just("2026-11-20T10:00:00.000Z")},
    optional={"conversation_id": odd_id},
)
odd_comments = st.fixed_dictionaries(
    {
        "id": odd_id,
        "message": odd_text,
        "created_time": st.just("2026-11-20T10:00:00+0000"),
        "from": st.fixed_dictionaries({"id": odd_id, "name": odd_text}),
    },
    optional={"parent": st.fixed_dictionaries({"id": odd_id}), "permalink_url": odd_text},
)
odd_users = st.fixed_dictionaries(
    {
        "username": odd_text,
        "name": odd_text,
        "public_metrics": st.fixed_dictionaries(
            {"followers_count": st.integers(min_value=0, max_value=2**70)}
        ),
    }
)


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    items=st.lists(st.one_of(odd_tweets, odd_comments, tweets, fb_comments), min_size=1, max_size=6),
    user=st.one_of(odd_users, x_users),
)
def test_whatever_the_parsers_let_through_the_store_keeps(
    app: Any, items: list[Any], user: dict[str, Any]
) -> None:
    """Posts parsed from odd items (long names, huge follower counts, NULs, long ids, unicode) are stored
    on SQLite and PostgreSQL alike: one odd item never fails the insert of its whole batch."""
    from social_care.pipeline import ingest

    x, fb = XMentions(_x_client()), PageComments(_graph_client())
    mentions = []
    for item in items:
        convert = fb._comment if "message" in item or "from" in item else x._mention
        args = (item, "555_1") if convert == fb._comment else (item, {str(item.get("author_id")): user})
        try:
            mention = convert(*args)
        except SkippableError:
            continue
        if mention is not None and mention.external_id not in {m.external_id for m in mentions}:
            mentions.append(mention)
    before = len(_posts_of(app))
    with app.session() as s:
        fresh = ingest(app, s, mentions)
    after = _posts_of(app)
    assert len(after) == before + len(fresh)
    stored = {(p.channel, p.external_id) for p in after}
    assert {(m.channel.value, m.external_id) for m in mentions} <= stored


@OVER_HTTP
@given(
    bad=st.lists(st.one_of(dm_events, junk), min_size=1, max_size=3),
    first=st.integers(min_value=0, max_value=3),
    meta=st.one_of(st.none(), junk, obj(next_token=st.none())),
)
def test_bad_dm_events_cost_only_themselves(
    sim: Any, sim_server: Any, bad: list[Any], first: int, meta: Any
) -> None:
    sim.reset()
    good = [
        {
            "id": str(2000 + n),
            "event_type": "MessageCreate",
            "text": f"refund? {n}",
            "sender_id": "42",
            "created_at": "2026-11-20T10:00:00.000Z",
            "dm_conversation_id": f"42-{X_USER_ID}",
        }
        for n in (2, 1)
    ]
    body = {"data": [*bad[:first], good[0], *bad[first:], good[1]], "meta": meta}
    sim.fail_next("x", status=200, body=body, path_contains="/dm_events")
    batches = list(XDirectMessages(_x_client(sim_server.url)).poll(None))
    mentions = [m for b in batches for m in b.mentions]
    for m in mentions:
        assert_valid_post(m, Channel.X_DM)
    assert {"2001", "2002"} <= {m.external_id for m in mentions}
    checkpoint = batches[-1].checkpoint
    assert checkpoint is None or (isinstance(checkpoint, str) and len(checkpoint) <= 128), checkpoint
