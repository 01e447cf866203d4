"""Issue category of a post, by multilingual keyword rules.

CATEGORIES (from base) is the list others import. Each category has stems in the ten
supported languages; a post gets the category with the most (weighted) hits, ties broken
by the order of _PRIORITY, and "other" when nothing matches or the post is about a topic with
no category of its own (a discount code, a sold-out item, checkout failing).

category_call says whether the category is confident enough to send that category's apology: general
words ("help", "doesn't work", "payment") count half and cannot make a category confident alone, and
the winner must score CONFIDENT_MARGIN times the runner-up. Measured per language on
tests/scoring/data/shop_categories.jsonl (evaluate.labelled_category_eval, the model card).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .base import CATEGORIES

_LEXICON: dict[str, list[str]] = {
    "delivery": [
        # en
        "deliver", "delivery", "delivered", "shipping", "shipment", "shipped", "package", "parcel", "courier",
        "tracking", "track my", "arrive", "arrived", "never came", "never got", "still waiting",
        "still haven't",
        "late", "delay", "delayed", "late flight", "on time", "where is my", "wheres my", "where's my",
        "lost",
        "missing", "luggage", "baggage", "bag ", "bags", "order hasn't", "not received", "haven't received",
        "dispatch", "eta", "cancelled flight", "canceled", "cancelled", "postponed", "waiting for my",
        "stuck", "hours", "connection", "missed", "processing", "customs",
        # es / pt / it / fr / de
        "entrega", "envío", "envio", "paquete", "pedido no", "no llega", "no ha llegado", "no llegó",
        "nunca llegó",
        "no llego", "retraso", "tarde",
        "atrasado", "atraso", "encomenda", "não chegou", "nao chegou", "chegou", "entregue", "pacote",
        "consegna", "spedizione", "pacco", "ritardo", "non è arrivato", "arrivato",
        "livraison", "livré", "colis", "retard", "pas reçu", "pas arrivé", "commande",
        "lieferung", "geliefert", "paket", "versand", "verspätung", "verspätet", "nicht angekommen",
        "zustellung",
        "bestellung hängt", "angekommen", "zugestellt", "sendungsverfolgung", "reparto", "llegado",
        "seguimiento", "rastreio", "chegar", "arrivare", "consegnato", "aduana", "alfândega", "alfandega",
        "dogana", "douane", "zoll",
        # fa / ar / hi / ko
        "ارسال", "تاخیر", "دیر", "پیک", "تحویل", "نرسید", "سرد", "نیومد", "نیامد", "رسید",
        "توصيل", "التوصيل", "شحن", "الشحنة", "تأخير", "تاخير", "متأخر", "لم يصل", "ما وصل", "طلبي",
        "डिलीवरी", "देरी", "पार्सल", "नहीं आया", "नहीं मिला", "ऑर्डर", "delivery nahi", "late",
        "배송", "택배", "늦", "도착", "안 와", "안와", "지연", "기다리", "받은 적", "رهگیری", "تو راه", "पहुँच", "पहुंच",
        "डिलीवर", "التتبع", "وصلني",
    ],
    "refund": [
        "refund", "refunded", "money back", "reimburse", "charge", "charged", "overcharged", "double charged",
        "billing", "bill", "invoice", "payment", "paid", "pay ", "price", "fee", "fees", "credit card",
        "voucher", "compensation", "cost me", "return", "cashback", "subscription", "$", "charged twice",
        "my money", "statement", "belastet", "cobrado", "cobrou", "débité", "addebitat", "doppelt abgebucht",
        "استرجعت", "فلوسي", "پولم", "پول کم", "पैसे कट", "पैसे वापस", "두 번 결제",
        "reembolso", "devolución", "devolucion", "cobro", "cobraron", "factura", "pago", "dinero",
        "reembolso", "devolução", "cobrança", "cobraram", "dinheiro", "pagamento", "estorno",
        "rimborso", "addebito", "fattura", "pagamento", "soldi",
        "remboursement", "rembourser", "remboursé", "facture", "paiement", "prélèvement", "argent",
        "rückerstattung", "erstattung", "geld zurück", "rechnung", "abgebucht", "zahlung", "gebühr",
        "پول", "بازگشت وجه", "هزینه", "قیمت", "گرون", "گران", "پرداخت", "برگشت",
        "استرداد", "استرجاع", "فلوس", "المبلغ", "الفاتورة", "دفع", "خصم",
        "रिफंड", "पैसे", "पैसा", "भुगतान", "paisa", "paise", "refund",
        "환불", "결제", "요금", "돈", "가격", "비싸",
    ],
    "damaged": [
        "damaged", "damage", "broken", "broke", "defective", "faulty", "cracked", "smashed", "torn", "ripped",
        "doesn't work", "doesnt work", "not working", "stopped working", "won't turn on", "dead on arrival",
        "spoiled", "stale", "expired", "quality", "leaking",
        "in pieces", "shattered", "chipped", "soaked", "stained", "fell apart", "came off", "is dead",
        "doesn't turn on", "won't charge", "shrank", "ruined",
        "dañado", "roto", "rota", "rotos", "rotas", "destrozad", "manchad", "defectuoso", "no funciona",
        "danificado", "quebrado", "quebrada", "rasgad", "defeito", "não funciona", "rotta", "scollat",
        "rovinat",
        "troué", "abîmé", "cassée", "zerbrochen", "beschädigte",
        "danneggiato", "rotto", "difettoso", "non funziona", "endommagé", "cassé", "défectueux",
        "ne marche pas", "ne fonctionne pas", "beschädigt", "kaputt", "defekt", "funktioniert nicht", "brisé",
        "fissuré", "scherben", "undicht", "gesprungen", "añicos", "descosid", "rasgou", "trincad", "strappat",
        "in mille pezzi", "leaks", "مشروخ", "تسرب", "جودة سيئة", "نشتی", "تیکه تیکه", "टूट", "लीक", "टुकड़े",
        "깨진", "금이", "물이 새", "품질",
        "خراب", "شکسته", "معیوب", "کیفیت", "اشتباه", "کار نمیکنه", "کار نمی کند", "فاسد", "بیات",
        "تالف", "مكسور", "مكسورة", "معطل", "عطل", "لا يعمل", "خربان", "بقع", "مبلول",
        "टूटा", "खराब", "ख़राब", "kharab", "toota", "tuta",
        "파손", "고장", "불량", "깨졌", "깨져", "찢어", "망가", "하자",
    ],
    "customer_service": [
        "customer service", "customer care", "support", "agent", "rep ", "representative", "staff", "rude",
        "on hold", "hold for", "no one", "nobody", "no response", "no reply", "ignored", "ignoring",
        "call center", "phone", "hung up", "dm", "email", "respond", "answer", "help", "unhelpful",
        "manager", "complaint", "attendant", "crew", "employee", "service",
        "hold time", "been holding", "wait time", "waiting time", "call back", "calling", "called", "call",
        "calls", "hanging up", "reps", "human", "talk to", "speak to", "speak with", "get through",
        "reach", "responding", "response", "reply", "replied", "communicat", "lied", "attitude",
        "unprofessional",
        "treated", "voicemail", "chat", "dms", "apology", "apologize",
        "atención al cliente", "atencion al cliente", "servicio", "nadie responde", "grosero",
        "atendimento", "ninguém responde", "sac", "servizio clienti", "assistenza", "nessuno risponde",
        "service client", "personne ne répond", "sav", "kundenservice", "kundendienst", "hotline",
        "niemand antwortet", "unfreundlich",
        "llamada", "llamar", "en espera", "nadie contesta", "sin respuesta", "ligação", "ligar", "em espera",
        "sem resposta", "chiamata", "in attesa", "nessuna risposta", "en attente", "aucune réponse",
        "joindre",
        "warteschleife", "angerufen", "keine antwort", "erreichbar",
        "پشتیبانی", "برخورد", "جواب", "پاسخ", "تماس", "بی ادب", "رفتار",
        "خدمة العملاء", "خدمه العملاء", "الدعم", "ما حد يرد", "محد رد", "موظف", "تعامل",
        "कस्टमर केयर", "कस्टमर सर्विस", "customer care", "कोई जवाब",
        "고객센터", "상담", "응대", "불친절", "서비스", "전화", "연락", "답변", "문의",
        "اتصال", "اتصلت", "الرد", "contestáis", "contestan", "desligaram", "atendente", "أغلقوا الخط",
        "على الهاتف", "पर इंतज़ार", "एजेंट", "बदतमीज़", "پشت خط", "اپراتور", "상담원",
    ],
    "account": [
        "account", "login", "log in", "logged out", "sign in", "signin", "password", "reset", "locked",
        "hacked", "verification", "verify", "otp", "2fa", "username", "profile", "app crash", "app keeps",
        "booking", "reservation", "check in", "check-in", "miles", "points", "loyalty", "website", "app ",
        "rebook", "booked", "reschedul", "error", "glitch",
        "cuenta", "contraseña", "iniciar sesión", "bloqueada", "conta", "senha", "bloqueada", "entrar",
        "account", "accesso", "compte", "mot de passe", "connexion", "bloqué", "konto", "passwort",
        "anmelden", "gesperrt", "حساب", "رمز", "ورود", "اکانت", "پسورد", "کد تایید", "حسابي", "كلمة المرور",
        "تسجيل الدخول", "كلمة السر", "खाता", "पासवर्ड", "लॉगिन", "계정", "비밀번호", "로그인", "아이디",
        "aplicación", "página web", "aplicativo", "applicazione", "webseite", "fehlermeldung",
        "kundenkonto", "connecter", "अकाउंट", "오류", "에러", "먹통", "튕겨", "튕김", "멈춤", "멈춰", "اپلیکیشن", "سایت",
        "التطبيق",
    ],
}
# Topics a shop hears about that have no category (and no template) of their own: a post about them is
# "other", even when it also says "doesn't work" (a discount code that does not work is not a damaged item).
_OTHER_TOPICS = [
    "promo code", "promo codes", "discount code", "discount codes", "coupon", "coupons", "voucher code",
    "code promo", "code de réduction", "bon de réduction", "código de descuento", "código descuento", "cupón",
    "código promocional", "cupom", "codice sconto", "buono sconto", "codice promo", "rabattcode",
    "gutscheincode",
    "sold out", "out of stock", "back in stock", "restock", "agotado", "agotada", "agotan",
    "rupture de stock",
    "ausverkauft", "esgotou", "esgotado", "esaurito", "wrong item", "wrong size", "wrong colour",
    "wrong color",
    "checkout", "payment failed", "card declined", "paiement refusé", "pago rechazado",
    "كود الخصم", "كوبون", "نفد", "डिस्काउंट", "कूपन", "स्टॉक", "کد تخفیف", "موجودی", "할인 코드", "쿠폰", "품절",
]
# Words too general to name a category on their own ("help", "doesn't work", "my order", "payment" at
# checkout): they count half, and a category found only through them is not confident.
_WEAK = frozenset({
    "help", "service", "answer", "reply", "respond", "response", "call", "calls", "called", "calling",
    "email",
    "phone", "chat", "reach", "hours", "stuck", "processing", "connection", "missed", "error", "app",
    "website",
    "lost", "return", "$", "price", "paid", "pay", "quality", "doesn't work", "doesnt work", "not working",
    "no funciona", "não funciona", "non funziona", "ne marche pas", "ne fonctionne pas", "funktioniert nicht",
    "لا يعمل", "کار نمیکنه", "کار نمی کند", "commande", "طلبي", "ऑर्डर", "chegou", "arrivato", "رسید",
    "خصم", "دفع", "پرداخت", "결제", "سایت", "اپلیکیشن", "التطبيق", "servicio", "reset", "late", "tarde",
    # a payment that fails at checkout is not a billing problem; an item can arrive, in a parcel, broken
    "payment", "pagamento", "paiement", "zahlung", "pago", "भुगतान", "arrive", "arrived", "parcel", "package",
    "bag", "bags", "pacco", "paket", "colis", "pacote", "paquete",
})
# damaged/refund are more specific than delivery, delivery than customer service ("support").
_PRIORITY = ("damaged", "refund", "account", "delivery", "customer_service")
_WEIGHT = {"customer_service": 0.9, "delivery": 1.0, "refund": 1.1, "damaged": 1.2, "account": 1.0,
           "other": 1.2}
# a category is confident when its score is at least this many times the runner-up's
CONFIDENT_MARGIN = 1.5


_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)*|\$")


def _compile() -> tuple[Any, ...]:
    """Latin-script keywords: short ones (or written with a trailing space) match whole words,
    longer ones match word starts ("deliver" -> "delivered"), phrases match from their first word.
    Other scripts (affixes, no reliable word boundaries): substring list."""
    exact: dict[str, list[str]] = {}
    stems: dict[str, list[str]] = {}
    phrases: dict[str, list[tuple[str, str]]] = {}
    substr: list[tuple[str, str]] = []
    for cat, words in {**_LEXICON, "other": _OTHER_TOPICS}.items():
        for raw in sorted(set(words)):
            w = raw.strip()
            if not w:
                continue
            latin = all(ch.isascii() or (ch.isalpha() and ord(ch) < 0x250) for ch in w) and w[0].isalnum()
            if not latin:
                substr.append((w, cat))
            elif " " in w:
                phrases.setdefault(w.split(" ")[0], []).append((w, cat))
            elif raw.endswith(" ") or len(w) <= 4:
                exact.setdefault(w, []).append(cat)
            else:
                stems.setdefault(w, []).append(cat)
    return exact, stems, phrases, substr


_EXACT, _STEMS, _PHRASES, _SUBSTR = _compile()
_STEM5: dict[str, list[str]] = {}
for _s in sorted(_STEMS, key=len, reverse=True):
    _STEM5.setdefault(_s[:5], []).append(_s)
assert set(_LEXICON) | {"other"} == set(CATEGORIES)
# non-Latin keywords by their first character (a post is only checked for those whose first character it has)
_SUBSTR_BY_FIRST: dict[str, list[int]] = {}
for _i, (_w, _c) in enumerate(_SUBSTR):
    _SUBSTR_BY_FIRST.setdefault(_w[0], []).append(_i)


def category_hits(text: str) -> dict[str, list[str]]:
    """Keywords found per category ("other": topics without a category of their own, such as discount
    codes)."""
    t = text or ""
    if not t.isascii():  # NFKC leaves ASCII as it is
        t = unicodedata.normalize("NFKC", t).replace("\u2019", "'")
    t = t.lower()
    hits: dict[str, list[str]] = {c: [] for c in (*_LEXICON, "other")}
    words = _WORDS.findall(t)
    for i, w in enumerate(words):
        cats = _EXACT.get(w)
        if cats is None and len(w) >= 5:
            for stem in _STEM5.get(w[:5], ()):
                if w.startswith(stem):
                    cats = _STEMS[stem]
                    w = stem
                    break
        if cats is not None:
            for c in cats:
                hits[c].append(w)
        cand = _PHRASES.get(words[i])
        if cand:
            rest = " ".join(words[i : i + 4])
            for ph, c in cand:
                if rest.startswith(ph):
                    hits[c].append(ph)
    if "$" in t:
        hits["refund"].append("$")
    if not t.isascii():
        idx = [i for ch in set(t).intersection(_SUBSTR_BY_FIRST) for i in _SUBSTR_BY_FIRST[ch]]
        for i in sorted(idx):  # same order as checking every keyword
            w, c = _SUBSTR[i]
            if w in t:
                hits[c].append(w)
    return hits


@dataclass(frozen=True, slots=True)
class CategoryCall:
    """The category of a post, whether it is confident enough to answer with that category's apology,
    and why."""

    category: str  # one of CATEGORIES (the best guess, also when not confident)
    confident: bool
    why: str  # e.g. "'broken', 'cracked'", or for an unsure call "damaged or refund ('broken'; 'refund')"


def _score(words: list[str]) -> float:
    return sum(0.5 if w in _WEAK else 1.0 for w in words)


def category_call(text: str, lang: str | None = None) -> CategoryCall:
    """The category with the most weighted keywords (general words count half), and whether it is confident:
    it has at least one specific keyword and scores CONFIDENT_MARGIN times the runner-up. No keyword at all is
    "other", not confident; a topic without a category of its own (a discount code) is "other", confident."""
    hits = category_hits(text)
    scored = sorted(((_score(hits[c]) * _WEIGHT[c], -i, c) for i, c in enumerate((*_PRIORITY, "other"))),
                    reverse=True)
    (best_s, _, best), (second_s, _, second) = scored[0], scored[1]
    if best_s == 0:
        return CategoryCall("other", False, "no category words")
    words = ", ".join(repr(w) for w in dict.fromkeys(hits[best]))
    if all(w in _WEAK for w in hits[best]):
        return CategoryCall(best, False, f"only general words ({words})")
    if second_s * CONFIDENT_MARGIN > best_s:
        other_words = ", ".join(repr(w) for w in dict.fromkeys(hits[second]))
        return CategoryCall(best, False, f"{best} or {second} ({words}; {other_words})")
    return CategoryCall(best, True, words)


def categorize(text: str, lang: str | None = None) -> str:
    """One of CATEGORIES for a post: the best guess of category_call (lang is accepted for future
    per-language rules)."""
    return category_call(text, lang).category
