"""Language detection on short posts written for these tests (no data set rows)."""

import pytest

from social_care.scoring import detect_language, get_scorer

SHORT_ENGLISH = [
    "my order is late",
    "hello",
    "hello, where is my order?",
    "hi",
    "ok",
    "thanks",
    "still waiting",
    "no response",
    "where is my refund",
    "this is bad",
    "not happy",
    "so slow",
    "any update?",
    "cancel my account",
    "help please",
    "fix it",
    "worst app ever",
    "package lost",
    "wrong item again",
    "why?",
    "nothing works",
    "call me back",
    "I want my money back",
    "my parcel never arrived",
]


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "yaar mera order abhi tak nahi aaya",
        "bhai kya hal hai, delivery kab hogi",
        "mujhe refund chahiye, bahut bura service hai",
        "aap log kuch nahi karte ho",
        "ye kya bakwas hai yaar",
    ],
)
def test_hinglish(text):
    assert detect_language(text) == "hi"


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Mi pedido todavía no ha llegado, qué vergüenza", "es"),
        ("Le colis est arrivé cassé et personne ne répond", "fr"),
        ("Das Paket ist immer noch nicht da, unglaublich", "de"),
        ("Il pacco è arrivato rotto, che schifo", "it"),
        ("O pacote chegou quebrado e ninguém responde", "pt"),
        ("पैकेट टूटा हुआ आया", "hi"),
        ("بسته خراب رسید", "fa"),
        ("وصل الطلب مكسور", "ar"),
        ("택배가 깨져서 왔어요", "ko"),
    ],
)
def test_other_languages(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["@shop https://t.co/abc", "@shop @other", "http://example.com", "🙂 123"])
def test_no_words_is_undetermined(text):
    assert detect_language(text) == "und"


def test_short_english_uses_english_threshold():
    """Short English posts are scored as English, not as romanised Hindi (whose threshold differs)."""
    sc = get_scorer("default")
    for text in ("hello", "hi", "thanks", "ok", "good morning", "hi, quick question about my order"):
        s = sc.score(text)
        assert s.lang == "en" and not s.flagged, (text, s)
