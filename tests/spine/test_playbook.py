"""The playbook: every template in every language fits its channel, is never defensive, and a reply
goes out in a language the customer can read."""

from __future__ import annotations

import json

import pytest

from social_care.errors import ConfigError
from social_care.models import Channel
from social_care.playbook import Playbook, check_reply

PLAYBOOK = Playbook.load(brand="Acme")
CATEGORIES = ("delivery", "refund", "damaged", "customer_service", "account", "other")


@pytest.mark.parametrize("lang", PLAYBOOK.languages)
@pytest.mark.parametrize("channel", list(Channel), ids=[c.value for c in Channel])
def test_every_template_fits_and_has_the_playbook_shape(lang, channel):
    for category in CATEGORIES:
        draft = PLAYBOOK.draft(channel=channel, lang=lang, category=category, name="Maximilianus Alexandros Q")
        # an untagged post (x.search) gets the reply for someone who did not ask: one template for all
        key = "other" if channel.template_kind == "unsolicited" else category
        assert draft.template_id == f"{lang}.{channel.template_kind}.{key}"
        for option in PLAYBOOK.drafts(channel=channel, lang=lang, category=category, name="Maximilianus Alexandros Q"):
            assert option.template_id == draft.template_id
            assert check_reply(option.text, channel) == []
            assert "{" not in option.text and "Maximilianus" in option.text


@pytest.mark.parametrize("lang", PLAYBOOK.languages)
def test_every_template_and_followup_has_three_distinct_phrasings(lang):
    """Same-named customers with the same problem must not all get one text (X and Facebook refuse it)."""
    for channel in (Channel.X_MENTION, Channel.MESSENGER):
        for category in CATEGORIES:
            texts = [d.text for d in PLAYBOOK.drafts(channel=channel, lang=lang, category=category, name="Jane Doe")]
            assert len(texts) >= 3 and len(set(texts)) == len(texts), (lang, channel, category)
    follow = [d.text for d in PLAYBOOK.followups(lang=lang, name="Jane Doe")]
    assert len(follow) >= 3 and len(set(follow)) == len(follow)
    if lang != "en":  # a translation, not English text left in another language's section
        assert not set(follow) & {d.text for d in PLAYBOOK.followups(lang="en", name="Jane Doe")}


def test_the_phrasing_avoids_recent_replies_and_rotates_by_post_id():
    def texts(post_id):
        return [d.text for d in PLAYBOOK.drafts(channel=Channel.X_MENTION, lang="en", category="delivery",
                                                name="Jane Doe", post_id=post_id)]

    first, second, third = texts(0)
    assert texts(1) == [second, third, first] and texts(3) == texts(0) == texts(None)  # deterministic
    pick = lambda post_id, avoid: PLAYBOOK.draft(  # noqa: E731
        channel=Channel.X_MENTION, lang="en", category="delivery", name="Jane Doe", post_id=post_id, avoid=avoid)
    assert pick(0, set()).text == first and pick(0, {first}).text == second
    assert pick(1, {second}).text == third and pick(0, {first, second}).variant == 3
    # every phrasing went out recently: a public reply carries the case reference, still within 280
    all_used = pick(12, {first, second, third})
    assert all_used.text == f"{first} (ref. #12)" and len(all_used.text) <= 280
    # a private reply goes to its own conversation: no reference, the post's first phrasing
    private = [d.text for d in PLAYBOOK.drafts(channel=Channel.X_DM, lang="en", category="delivery", name="Jane Doe",
                                               post_id=12)]
    chosen = PLAYBOOK.draft(channel=Channel.X_DM, lang="en", category="delivery", name="Jane Doe", post_id=12,
                            avoid=set(private))
    assert chosen.text == private[0] and "ref." not in chosen.text
    follow = PLAYBOOK.followups(lang="en", name="Jane Doe", post_id=4)
    assert PLAYBOOK.followup(lang="en", name="Jane Doe", post_id=4, avoid={follow[0].text}).text == follow[1].text


def test_the_reference_makes_room_by_cutting_at_a_sentence():
    from social_care.playbook import with_reference

    text = "Hi Jane, we are sorry. " + "We will fix this for you today. " * 8
    out = with_reference(text.strip(), 123456789, 280)
    assert len(out) <= 280 and out.endswith(". (ref. #123456789)")


def _book(public_other, **extra):
    section = {"public": {"other": public_other}, "private": {"other": "Hi {name}, please send your order number."},
               "followup": "Hi {name}, is everything sorted?"}
    section.update(extra)
    return {"en": section}


def test_lint_accepts_a_single_text_or_a_list_of_phrasings():
    Playbook(_book("Hi {name}, sorry about this. Please DM us."))  # the older single-text format stays valid
    book = Playbook(_book(["Hi {name}, sorry about this. Please DM us.", "Hello {name}, we apologize. DM us."]))
    assert book.variant_counts()["en.public.other"] == 2


@pytest.mark.parametrize(
    ("phrasings", "message"),
    [
        (["Hi {name}, sorry.", "Hi {nme}, sorry."], r"en\.public\.other\[2\]: bad placeholder 'nme'"),
        (["Hi {name}, sorry.", "hi {name},  SORRY."], r"en\.public\.other\[2\]: the same text as phrasing 1"),
        (["Hi {name}, sorry.", "Hi {name}, sorry. " + "We will fix it. " * 20],
         r"en\.public\.other\[2\]: the reply is \d+ characters; X mention allows 280"),
        (["Hi {name}, sorry.", "Calm down, {name}."], r"en\.public\.other\[2\]: the reply sounds defensive"),
        (["Hi {name}, sorry.", 42], r"en\.public\.other\[2\]: must be text"),
        ([], r"en\.public\.other: must be a text or a non-empty list"),
    ],
    ids=["placeholder", "repeat", "too-long-for-x", "defensive", "not-text", "empty"],
)
def test_lint_checks_each_phrasing(phrasings, message):
    with pytest.raises(ConfigError, match=message):
        Playbook(_book(phrasings))


def test_lint_checks_private_phrasings_on_every_private_channel_and_followup_phrasings():
    long_dm = "Hi {name}, please send us your order number. " + "We are on it. " * 200  # > Messenger's 2,000
    with pytest.raises(ConfigError, match=r"en\.private\.other\[2\]: .*Messenger allows 2000"):
        Playbook(_book("Hi {name}, sorry.", private={"other": ["Hi {name}, your order number?", long_dm]}))
    with pytest.raises(ConfigError, match=r"en\.followup\[3\]: the same text as phrasing 1"):
        Playbook(_book("Hi {name}, sorry.", followup=["Hi {name}, all good?", "Hello {name}, sorted?",
                                                      "Hi {name}, all good?"]))


def test_playbook_check_command(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from social_care.cli import _register_areas, app

    monkeypatch.delenv("SOCIAL_CARE_TEMPLATES", raising=False)
    _register_areas()
    runner = CliRunner()
    ok = runner.invoke(app, ["playbook", "check"])
    assert ok.exit_code == 0, ok.output
    assert "10 languages" in ok.output and "160 templates" in ok.output and "480 phrasings" in ok.output
    few = tmp_path / "few.json"
    few.write_text(json.dumps(_book("Hi {name}, sorry about this. Please DM us.")), encoding="utf-8")
    warned = runner.invoke(app, ["playbook", "check", str(few)])
    assert warned.exit_code == 0 and "warning: en.public.other: 1 phrasing" in warned.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_book(["Hi {name}, sorry.", "Hi {nme}.", "Hi {name}, sorry."])), encoding="utf-8")
    refused = runner.invoke(app, ["playbook", "check", str(bad)])
    assert refused.exit_code == 2
    assert "en.public.other[2]: bad placeholder" in refused.output
    assert "en.public.other[3]: the same text as phrasing 1" in refused.output


def test_ten_languages_are_shipped():
    assert set(PLAYBOOK.languages) >= {"en", "es", "fr", "de", "pt", "it", "ar", "hi", "fa", "ko"}


def test_public_replies_invite_to_continue_privately_and_private_ones_ask_for_the_order():
    public = PLAYBOOK.draft(channel=Channel.X_MENTION, lang="en", category="delivery", name="Jane Doe")
    private = PLAYBOOK.draft(channel=Channel.X_DM, lang="en", category="delivery", name="Jane Doe")
    assert public.text.startswith("Hi Jane,") and "DM" in public.text and "sorry" in public.text
    assert "order number" in private.text and "refund" in private.text
    for category in CATEGORIES:  # every phrasing: acknowledge, apologize, and the way to resolve it
        for option in PLAYBOOK.drafts(channel=Channel.X_MENTION, lang="en", category=category, name="Jane Doe"):
            assert "DM" in option.text and ("sorry" in option.text or "apologize" in option.text), option.text
        for option in PLAYBOOK.drafts(channel=Channel.X_DM, lang="en", category=category, name="Jane Doe"):
            assert "DM" not in option.text and ("sorry" in option.text or "apologize" in option.text), option.text
            assert "order number" in option.text or "email" in option.text, option.text


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("hi", "Messaged you 3 days ago, still no reply", "en"),  # romanised or misdetected: reply in English
        ("hi", "मेरा ऑर्डर अभी तक नहीं आया", "hi"),
        ("fa", "سفارش من هنوز نرسیده", "fa"),
        ("ko", "주문한 상품이 아직 안 왔어요", "ko"),
        ("ko", "where is my parcel", "en"),
        ("de", "Paket seit 12 Tagen unterwegs", "de"),
        ("xx", "anything", "en"),
        (None, "anything", "en"),
    ],
)
def test_reply_language_is_one_the_customer_writes(lang, text, expected):
    draft = PLAYBOOK.draft(channel=Channel.MESSENGER, lang=lang, category="delivery", name="Sam", text=text)
    assert draft.lang == expected


@pytest.mark.parametrize(
    "text",
    ["That's not our fault, the courier lost it.", "As stated in our policy, refunds take 30 days.",
     "Calm down, we are looking.", "This is a damn mess."],
)
def test_defensive_or_rude_replies_are_refused(text):
    assert any("defensive or rude" in p for p in check_reply(text, Channel.X_DM))


def test_long_public_reply_is_cut_at_a_sentence_within_280():
    long = {"en": {"public": {"other": "Hi {name}, we are sorry. " + "We will fix this for you today. " * 12},
                   "private": {"other": "Hi {name}, please send us your order number."}}}
    with pytest.raises(ConfigError, match="280"):
        Playbook(long)


def test_a_broken_templates_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "templates.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Playbook.load(str(bad))
    bad.write_text(json.dumps({"en": {"public": {"other": "Hi {nme}"}, "private": {"other": "x"}}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="placeholder"):
        Playbook.load(str(bad))
    with pytest.raises(ConfigError, match="cannot read"):
        Playbook.load(str(tmp_path / "missing.json"))


@pytest.mark.parametrize("lang", PLAYBOOK.languages)
def test_followup_exists_in_every_language(lang):
    draft = PLAYBOOK.followup(lang=lang, name="Sam Lee")
    assert draft.lang == lang and "Sam" in draft.text and check_reply(draft.text, Channel.MESSENGER) == []


NAMES = [
    # (display name, first name greeted with, or None for a greeting without a name)
    ("Jane Doe", "Jane"),
    ("José Álvarez", "José"),
    ("Anne-Marie O'Neil", "Anne-Marie"),
    ("김민수", "김민수"),
    ("سارا احمدی", "سارا"),
    ("प्रिया शर्मा", "प्रिया"),
    ("Zoë", "Zoë"),
    ("J. R. Smith", "J"),
    ("<img src=x onerror=alert(2)>", None),
    ("<b>Jane</b>", None),
    ("https://spam.example/win", None),
    ("www.deals.example", None),
    ("@janedoe", None),
    ("#boycott Acme", None),
    ("Jane 🔥🔥🔥", None),
    ("🔥🔥", None),
    ("Jane2024", None),
    ("Buy cheap followers now at our great shop", None),
    ("   ", None),
    ("", None),
    (None, None),
    ("{name}{brand}", None),
]


@pytest.mark.parametrize("display, expected", NAMES, ids=[repr(n) for n, _ in NAMES])
def test_greeting_uses_the_name_only_when_it_looks_like_a_persons(display, expected):
    from social_care.playbook import usable_first_name

    assert usable_first_name(display) == expected
    book = PLAYBOOK
    draft = book.draft(channel=Channel.FACEBOOK_COMMENT, lang="en", category="delivery", name=display)
    if expected is None:
        assert draft.text.startswith("Hi, we're so sorry"), draft.text
        for junk in ("<", ">", "http", "@", "#", "🔥", "{", "there"):
            assert junk not in draft.text
    else:
        assert draft.text.startswith(f"Hi {expected}, "), draft.text


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt", "it", "ar", "hi", "fa", "ko"])
def test_a_greeting_without_a_name_reads_naturally_in_every_language(lang):
    book = PLAYBOOK
    for channel in (Channel.FACEBOOK_COMMENT, Channel.X_DM):
        for category in ("delivery", "refund", "damaged", "customer_service", "account", "other"):
            for option in book.drafts(channel=channel, lang=lang, category=category, name="<script>"):
                text = option.text
                assert "{" not in text and "<" not in text and "there" not in text
                assert text[0] not in " ,،.!님", text
                assert " ," not in text and " ،" not in text, text
    for option in book.followups(lang=lang, name="@spam"):
        follow = option.text
        assert "@" not in follow and "there" not in follow and follow[0] not in " ,،.!님"
