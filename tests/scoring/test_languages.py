"""Per-language sanity check of the default scorer on hand-written posts (not from any data set)."""

import pytest

from social_care.scoring import get_scorer

# (language, obviously angry customer post, obviously happy customer post)
POSTS = [
    ("en", "This is the worst service ever. My order never arrived and nobody answers. Terrible!",
     "Thank you so much, the delivery was fast and the support team was lovely!"),
    ("hi", "बहुत घटिया सर्विस है, मेरा ऑर्डर आज तक नहीं आया और कोई जवाब नहीं देता",
     "बहुत बढ़िया सर्विस, धन्यवाद! ऑर्डर समय पर आ गया, मैं बहुत खुश हूँ"),
    ("fa", "افتضاح بود، سفارشم خیلی دیر رسید و غذا سرد بود، اصلا راضی نیستم",
     "خیلی عالی بود، غذا گرم و خوشمزه رسید، ممنون از شما"),
    ("ko", "최악이에요. 배송도 늦고 환불도 안 해주고 진짜 화나요",
     "정말 최고예요! 배송도 빠르고 너무 좋아요 감사합니다"),
    ("ar", "خدمة سيئة جدا، طلبي لم يصل ولا أحد يرد، أسوأ شركة",
     "شكرا جزيلا، خدمة رائعة والتوصيل سريع، أحبكم"),
    ("es", "Servicio pésimo, mi pedido nunca llegó y nadie responde. ¡Una vergüenza!",
     "¡Muchas gracias! El pedido llegó rápido y todo perfecto, me encanta"),
    ("fr", "Service nul, ma commande n'est jamais arrivée et personne ne répond. C'est une honte !",
     "Merci beaucoup, livraison rapide et service génial, j'adore !"),
    ("de", "Katastrophaler Service, meine Bestellung ist nie angekommen und niemand antwortet. Eine Frechheit!",
     "Vielen Dank, super schnelle Lieferung und toller Service, ich bin begeistert!"),
    ("it", "Servizio pessimo, il mio ordine non è mai arrivato e nessuno risponde. Una vergogna!",
     "Grazie mille, consegna velocissima e servizio fantastico, lo adoro!"),
    ("pt", "Serviço péssimo, meu pedido nunca chegou e ninguém responde. Uma vergonha!",
     "Muito obrigado, entrega rápida e atendimento maravilhoso, adorei!"),
]


@pytest.mark.parametrize("lang,angry,happy", POSTS, ids=[p[0] for p in POSTS])
def test_angry_flagged_happy_not(lang, angry, happy):
    sc = get_scorer("default")
    a, h = sc.score_many([angry, happy])
    assert a.lang == lang and h.lang == lang, (a.lang, h.lang)
    assert a.flagged and a.label == "negative" and a.reasons, a
    assert not h.flagged and h.label != "negative", h
    assert a.polarity < h.polarity


# Plain shop complaints (something arrived broken, an app that crashes, a defective item) without the
# strong mood words above: the words that carry them are rare in the general tweets and movie reviews the
# model is trained on, and reach it through the hand-written shop-complaint words of
# features.EXTRA_LEXICON_TEXT.
SHOP_COMPLAINTS = [
    ("ko", "주문한 컵이 깨져서 왔어요. 교환 부탁드립니다"),
    ("ko", "앱이 계속 먹통이에요 결제 화면에서 멈춤"),
    ("ko", "받은 신발이 불량품이에요 환불해주세요"),
    ("ar", "وصل الطلب لكن الكوب مكسور"),
    ("fa", "سفارشم رسید ولی لیوان شکسته بود"),
    ("de", "Das Paket ist angekommen, aber die Lampe ist kaputt"),
    ("es", "El paquete llegó y la lámpara está rota, quiero una solución"),
]


@pytest.mark.parametrize("lang,text", SHOP_COMPLAINTS,
                         ids=[f"{p[0]}{i}" for i, p in enumerate(SHOP_COMPLAINTS)])
def test_plain_shop_complaint_flagged(lang, text):
    s = get_scorer("default").score(text)
    assert s.lang == lang, s
    assert s.flagged and s.reasons, s
