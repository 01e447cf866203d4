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
