"""A question is not a complaint: plain questions are told from complaints that ask, in the ten languages."""

from __future__ import annotations

import pytest

from social_care.scoring.questions import complaint_markers, is_question, plain_question

# (lang, text, is a question, is a plain question)
TABLE = [
    # English: marks, openers without a mark, and complaints that ask
    ("en", "Do you ship to Iceland?", True, True),
    ("en", "can I pay with apple pay", True, True),
    ("en", "hi, what time does the Leeds store open", True, True),
    ("en", "Where is my order?? 3 weeks now", True, False),
    ("en", "Why hasn't my refund arrived yet?", True, False),
    ("en", "my account shows someone else's address and orders??", True, False),
    ("en", "The zip on my jacket broke after a week", False, False),
    # Spanish: ¿ and openers
    ("es", "¿Hacéis envíos a Mallorca?", True, True),
    ("es", "tienen la camisa en azul", True, True),
    ("es", "¿Por qué nadie me contesta?", True, False),
    ("es", "El paquete llegó abierto", False, False),
    # French: est-ce que, with or without a mark
    ("fr", "Est-ce que vous livrez en Belgique", True, True),
    ("fr", "Vous avez la robe en 40 ?", True, True),
    ("fr", "Pourquoi ma commande n'est toujours pas partie ?", True, False),
    ("fr", "Le colis est arrivé ouvert", False, False),
    # German: liefert ihr / gibt es
    ("de", "Hallo! Liefert ihr auch in die Schweiz? Und fällt da Zoll an?", True, True),
    ("de", "gibt es den Mantel auch in Grün", True, True),
    ("de", "Warum ist mein Paket immer noch nicht da?", True, False),
    ("de", "Die Tasse kam kaputt an", False, False),
    # Portuguese: "no" is "in the", not a negation
    ("pt", "Vocês entregam no Recife?", True, True),
    ("pt", "posso trocar o tamanho depois da compra", True, True),
    ("pt", "Por que o meu pedido ainda não chegou?", True, False),
    ("pt", "Vocês cobraram duas vezes o mesmo pedido no meu cartão", False, False),
    # Italian
    ("it", "Spedite anche in Austria?", True, True),
    ("it", "Perché il rimborso non è ancora arrivato?", True, False),
    ("it", "Il codice sconto non funziona 😒", False, False),
    # Arabic: ؟ and هل
    ("ar", "هل توصلون إلى قطر؟", True, True),
    ("ar", "هل يوجد مقاس أكبر", True, True),
    ("ar", "ليش طلبي ما وصل للحين؟", True, False),
    ("ar", "وصل الكوب مكسور", False, False),
    # Persian: آیا, ؟ and the verb prefix نمی as a negation
    ("fa", "آیا به مشهد هم ارسال دارید", True, True),
    ("fa", "این کفش سایز ۴۲ داره؟", True, True),
    ("fa", "چرا سفارشم هنوز نرسیده؟", True, False),
    ("fa", "کد تخفیف کار نمی‌کنه", False, False),
    # Hindi: क्या opens a yes/no question
    ("hi", "क्या आप जयपुर में डिलीवरी करते हैं", True, True),
    ("hi", "मेरा पार्सल अभी तक क्यों नहीं आया?", True, False),
    ("hi", "सामान टूटा हुआ आया", False, False),
    # Korean: ？ full-width, question endings without a mark
    ("ko", "부산도 배송되나요？", True, True),
    ("ko", "이 바지 M 사이즈 있나요", True, True),
    ("ko", "왜 아직도 환불이 안 되나요?", True, False),
    ("ko", "상품이 깨져서 왔어요", False, False),
]


@pytest.mark.parametrize(("lang", "text", "question", "plain"), TABLE,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(TABLE)])
def test_questions_are_told_from_complaints(lang, text, question, plain):
    assert is_question(text, lang) is question, complaint_markers(text, lang)
    assert plain_question(text, lang) is plain, complaint_markers(text, lang)


def test_a_damaged_item_reported_as_a_question_is_a_complaint():
    # no negation, no "why": the damage itself complains
    text = "The lamp arrived with the shade cracked, can you send a new one?"
    assert is_question(text, "en") and not complaint_markers(text, "en")
    assert not plain_question(text, "en")


def test_markers_say_what_complains():
    assert "??" in complaint_markers("where is it??")
    assert "😡" in complaint_markers("where is my parcel? 😡")
    assert "3 weeks" in complaint_markers("ordered 3 weeks ago, any news?")
    assert complaint_markers("Do you ship to Norway?", "en") == []
