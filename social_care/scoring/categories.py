"""Issue category of a post, by multilingual keyword rules.

CATEGORIES (from base) is the list others import. Each category has stems in the ten
supported languages; a post gets the category with the most (weighted) hits, ties broken
by the order of _PRIORITY, and "other" when nothing matches.
"""

from __future__ import annotations

import re
import unicodedata

from .base import CATEGORIES

_LEXICON: dict[str, list[str]] = {
    "delivery": [
        # en
        "deliver", "delivery", "delivered", "shipping", "shipment", "shipped", "package", "parcel", "courier",
        "tracking", "track my", "arrive", "arrived", "never came", "never got", "still waiting", "still haven't",
        "late", "delay", "delayed", "late flight", "on time", "where is my", "wheres my", "where's my", "lost",
        "missing", "luggage", "baggage", "bag ", "bags", "order hasn't", "not received", "haven't received",
        "dispatch", "eta", "cancelled flight", "canceled", "cancelled", "postponed", "waiting for my",
        "stuck", "hours", "connection", "missed", "processing", "customs",
        # es / pt / it / fr / de
        "entrega", "envío", "envio", "paquete", "pedido no", "no llega", "no ha llegado", "no llegó", "nunca llegó",
        "no llego", "retraso", "tarde",
        "atrasado", "atraso", "encomenda", "não chegou", "nao chegou", "chegou", "entregue", "pacote",
        "consegna", "spedizione", "pacco", "ritardo", "non è arrivato", "arrivato",
        "livraison", "livré", "colis", "retard", "pas reçu", "pas arrivé", "commande",
        "lieferung", "geliefert", "paket", "versand", "verspätung", "verspätet", "nicht angekommen", "zustellung",
        "bestellung hängt", "aduana", "alfândega", "alfandega", "dogana", "douane", "zoll",
        # fa / ar / hi / ko
        "ارسال", "تاخیر", "دیر", "پیک", "تحویل", "نرسید", "سرد", "نیومد", "نیامد", "رسید",
        "توصيل", "التوصيل", "شحن", "الشحنة", "تأخير", "تاخير", "متأخر", "لم يصل", "ما وصل", "طلبي",
        "डिलीवरी", "देरी", "पार्सल", "नहीं आया", "नहीं मिला", "ऑर्डर", "delivery nahi", "late",
        "배송", "택배", "늦", "도착", "안 와", "안와", "지연",
    ],
    "refund": [
        "refund", "refunded", "money back", "reimburse", "charge", "charged", "overcharged", "double charged",
        "billing", "bill", "invoice", "payment", "paid", "pay ", "price", "fee", "fees", "credit card",
        "voucher", "compensation", "cost me", "return", "cashback", "subscription", "$", "charged twice",
        "my money", "statement", "belastet",
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
        "wrong item", "wrong size", "wrong order", "spoiled", "stale", "expired", "quality", "leaking",
        "in pieces", "shattered", "chipped", "soaked", "stained", "fell apart", "came off", "is dead",
        "doesn't turn on", "won't charge", "shrank", "ruined",
        "dañado", "roto", "rota", "rotos", "rotas", "destrozad", "manchad", "defectuoso", "no funciona",
        "danificado", "quebrado", "quebrada", "rasgad", "defeito", "não funciona", "rotta", "scollat",
        "rovinat",
        "troué", "abîmé", "cassée", "zerbrochen", "beschädigte",
        "danneggiato", "rotto", "difettoso", "non funziona", "endommagé", "cassé", "défectueux",
        "ne marche pas", "ne fonctionne pas", "beschädigt", "kaputt", "defekt", "funktioniert nicht",
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
        "sem resposta", "chiamata", "in attesa", "nessuna risposta", "en attente", "aucune réponse", "joindre",
        "warteschleife", "angerufen", "keine antwort", "erreichbar",
        "پشتیبانی", "برخورد", "جواب", "پاسخ", "تماس", "بی ادب", "رفتار",
        "خدمة العملاء", "خدمه العملاء", "الدعم", "ما حد يرد", "محد رد", "موظف", "تعامل",
        "कस्टमर केयर", "कस्टमर सर्विस", "customer care", "कोई जवाब",
        "고객센터", "상담", "응대", "불친절", "서비스", "전화", "연락", "답변", "문의",
        "اتصال", "اتصلت", "الرد",
    ],
    "account": [
        "account", "login", "log in", "logged out", "sign in", "signin", "password", "reset", "locked",
        "hacked", "verification", "verify", "otp", "2fa", "username", "profile", "app crash", "app keeps",
        "booking", "reservation", "check in", "check-in", "miles", "points", "loyalty", "website", "app ",
        "rebook", "booked", "reschedul", "error", "glitch", "promo code", "coupon",
        "cuenta", "contraseña", "iniciar sesión", "bloqueada", "conta", "senha", "bloqueada", "entrar",
        "account", "accesso", "compte", "mot de passe", "connexion", "bloqué", "konto", "passwort",
        "anmelden", "gesperrt", "حساب", "رمز", "ورود", "اکانت", "پسورد", "کد تایید", "حسابي", "كلمة المرور",
        "تسجيل الدخول", "كلمة السر", "खाता", "पासवर्ड", "लॉगिन", "계정", "비밀번호", "로그인", "아이디",
        "aplicación", "página web", "aplicativo", "applicazione", "webseite", "fehlermeldung",
        "오류", "에러", "먹통", "튕겨", "튕김", "멈춤", "멈춰", "اپلیکیشن", "سایت", "التطبيق",
    ],
}
# damaged/refund are more specific than delivery, delivery than customer service ("support").
_PRIORITY = ("damaged", "refund", "account", "delivery", "customer_service")
_WEIGHT = {"customer_service": 0.9, "delivery": 1.0, "refund": 1.1, "damaged": 1.2, "account": 1.0}


_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)*|\$")


def _compile():
    """Latin-script keywords: short ones (or written with a trailing space) match whole words,
    longer ones match word starts ("deliver" -> "delivered"), phrases match from their first word.
    Other scripts (affixes, no reliable word boundaries): substring list."""
    exact: dict[str, list[str]] = {}
    stems: dict[str, list[str]] = {}
    phrases: dict[str, list[tuple[str, str]]] = {}
    substr: list[tuple[str, str]] = []
    for cat, words in _LEXICON.items():
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
    """Keywords found per category."""
    t = text or ""
    if not t.isascii():  # NFKC leaves ASCII as it is
        t = unicodedata.normalize("NFKC", t).replace("\u2019", "'")
    t = t.lower()
    hits: dict[str, list[str]] = {c: [] for c in _LEXICON}
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


def categorize(text: str, lang: str | None = None) -> str:
    """One of CATEGORIES for a post (lang is accepted for future per-language rules)."""
    hits = category_hits(text)
    best, best_score = "other", 0.0
    for cat in _PRIORITY:
        s = len(hits[cat]) * _WEIGHT[cat]
        if s > best_score:
            best, best_score = cat, s
    return best
