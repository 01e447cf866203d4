"""Is a post a plain question ("Liefert ihr auch in die Schweiz?") rather than a complaint?

A question is not a complaint: it should get an answer, not an apology. A post is a question when it has a
question mark (? ？ ؟, or Spanish ¿) or a sentence opens with an interrogative of one of the ten languages
("do you", "can I", "liefert ihr", "est-ce que", "هل", "آیا", "क्या", …), or, in Korean, ends like one
(있나요, 되나요, 할까요 …). It is a *plain* question when nothing in it complains as well: no negation or
"still / again / why" (the rhetorical why), no "??" or "?!" or "!!", no angry emoji. "Where is my order??
still nothing" is a complaint that happens to ask.

Measured on the labelled shop posts (tests/scoring/data/shop_categories.jsonl) and the bundled demo posts;
see the model card.
"""

from __future__ import annotations

import re
import unicodedata

from .categories import category_call

__all__ = ["is_question", "plain_question", "complaint_markers"]

QUESTION_MARKS = ("?", "？", "؟", "¿")

# interrogative openers, matched at the start of a sentence (after @handles and a greeting)
_OPENERS: dict[str, tuple[str, ...]] = {
    "en": ("do you", "does", "did you", "can i", "can you", "can we", "could you", "could i", "is there",
           "is it", "is the", "is this", "are you", "are there", "are the", "are they", "how do", "how can",
           "how long", "how much", "how many", "what", "when", "which", "will you", "would you", "should i",
           "may i", "any chance", "anyone know", "have you got", "do they", "do the", "where can"),
    "es": ("hacéis", "haceis", "hacen", "tenéis", "teneis", "tienen", "puedo", "pueden", "podéis", "se puede",
           "hay", "cómo", "como puedo", "cuándo", "cuánto", "cuanto", "cuál", "cual", "qué", "dónde",
           "donde puedo", "envían", "enviáis"),
    "fr": ("est-ce que", "est ce que", "pouvez-vous", "pouvez vous", "puis-je", "avez-vous", "avez vous",
           "livrez-vous", "vous livrez", "vous avez", "comment", "quand", "combien", "quel", "quelle",
           "quels",
           "quelles", "y a-t-il", "peut-on", "on peut", "où"),
    "de": ("liefert ihr", "liefern sie", "habt ihr", "haben sie", "gibt es", "gibt's", "gibts", "kann ich",
           "kann man", "können sie", "könnt ihr", "ist es", "ist das", "sind die", "wie", "wann", "wo", "was",
           "welche", "welcher", "wieviel", "wie viel", "bietet ihr", "versendet ihr", "muss ich", "darf ich"),
    "pt": ("vocês entregam", "vocês têm", "vocês tem", "vocês vendem", "vocês aceitam", "vcs vendem",
           "vcs tem",
           "posso", "tem como", "existe", "como", "quando", "onde", "quanto", "qual",
           "dá para", "da pra", "dá pra", "é possível", "aceitam", "entregam"),
    "it": ("avete", "spedite", "posso", "si può", "si puo", "si possono", "come", "quando", "dove", "quanto",
           "quale", "c'è", "ce l'avete", "fate", "è possibile", "accettate"),
    "ar": ("هل", "كيف", "متى", "أين", "اين", "وين", "كم", "ماذا", "ايش", "إيش", "شو", "ممكن", "أي", "ايه"),
    "fa": ("آیا", "چطور", "چطوری", "چگونه", "کی", "کجا", "چقدر", "چند", "چه", "کدام", "کدوم", "میشه",
           "می‌شه"),
    "hi": ("क्या", "कैसे", "कब", "कहाँ", "कहां", "कितना", "कितने", "कितनी", "कौन", "kya", "kaise", "kab"),
    "ko": ("혹시", "어떻게", "언제", "어디", "얼마", "몇", "무슨", "어느"),
}
# Korean questions end in these (없나요 has its own negative 없, but asking "is there none?" is still asking)
_KO_ENDINGS = ("나요", "까요", "가요", "습니까", "ㅂ니까", "니까", "인지요", "는지요", "죠")
_GREETINGS = (
    "hi", "hello", "hey", "hallo", "hola", "buenas", "bonjour", "salut", "olá", "ola", "oi", "opa", "ciao",
    "buongiorno", "salve", "guten tag", "moin", "good morning", "morning", "مرحبا", "مرحبًا", "السلام عليكم",
    "سلام", "नमस्ते", "안녕하세요", "quick q", "question",
)

# a question that also says one of these is a complaint that asks
_COMPLAINT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("not", "n't", "never", "still", "again", "why", "nobody", "no one", "no reply", "no response",
           "worst", "terrible", "awful", "ridiculous", "unacceptable", "wrong", "broken", "damaged",
           "missing",
           "worried", "scared", "hacked", "someone else", "somebody else", "stranger", "scam", "down",
           "failed",
           "failing", "literally", "supposed to", "second time", "zero"),
    "es": ("no", "nunca", "todavía", "todavia", "aún", "sigue", "otra vez", "por qué", "porque nadie",
           "nadie",
           "nada", "roto", "rota", "fatal", "vergüenza"),
    "fr": ("pas", "jamais", "toujours rien", "encore", "pourquoi", "personne", "rien", "aucun", "aucune",
           "cassé", "inadmissible", "honte", "refusé"),
    "de": ("nicht", "kein", "keine", "keinen", "nie", "immer noch", "noch immer", "schon wieder", "warum",
           "wieso", "weshalb", "niemand", "falsch", "kaputt", "unverschämt", "frechheit", "beschädigt",
           "zerbrochen",
           "fehl", "was nun"),
    "pt": ("não", "nao", "nunca", "ainda", "de novo", "por que", "porque", "ninguém", "ninguem", "nada",
           "quebrado", "absurdo", "vergonha"),
    "it": ("non", "mai", "ancora", "di nuovo", "perché", "perche", "nessuno", "niente", "rotto", "vergogna",
           "assurdo"),
    "ar": ("لم", "لا", "ليش", "لماذا", "للحين", "ما زال", "مازال", "ما وصل", "مكسور", "سيء", "سيئ"),
    "fa": ("هنوز", "چرا", "نمی", "نمی‌", "نرسید", "نیومد", "نیامد", "خراب", "افتضاح", "هیچ"),
    "hi": ("नहीं", "नही", "अभी तक", "क्यों", "फिर से", "कभी", "खराब", "ख़राब", "nahi", "nhi", "kyun", "kyu"),
    "ko": ("안 ", "못", "않", "아직", "왜", "또", "없어", "최악", "고장", "파손", "환불 안"),
}
# Latin-script markers are words (matched on word boundaries); the others are substrings
_LATIN = re.compile(r"[A-Za-zÀ-ɏ' ]+")
_ANGRY = re.compile("[\U0001F620\U0001F621\U0001F624\U0001F92C\U0001F612\U0001F644\U0001F92F"
                    "\U0001F611\U0001F926\U0001F643\U0001F62C]")
# waiting for a number of days or weeks ("3 days now", "١٠ أيام", "3주째") is a complaint
_WAITING = re.compile(r"\d+\s*(?:days?|weeks?|tage[n]?|wochen|jours|semaines|días|dias|semanas|giorni|"
                      r"settimane|أيام|ايام|أسابيع|روز|هفته|दिन|हफ्ते|हफ़्ते|일|주)", re.I)
_SENTENCES = re.compile(r"(?<=[.!?？؟。\n])\s*")
_LEAD = re.compile(r"^(?:[@#]\S+[\s,:]*)+")


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").replace("\u2019", "'").replace("\u200c", " ")
    return t.lower()


def _starts_with_opener(sentence: str, openers: tuple[str, ...]) -> bool:
    s = _LEAD.sub("", sentence).strip(" ,.:;!-¡¿\"'")
    for g in _GREETINGS:  # "Hallo! Liefert ihr…" is split at the "!"; "hi do you…" is not
        if s.startswith(g + " ") or s.startswith(g + ","):
            s = s[len(g):].lstrip(" ,.:;!-")
            break
    for o in openers:
        if s.startswith(o) and (len(s) == len(o) or not (s[len(o)].isalnum() and _LATIN.fullmatch(o))):
            return True
    return False


def _langs(lang: str | None) -> list[str]:
    return [lang] if lang in _OPENERS else list(_OPENERS)


def is_question(text: str, lang: str | None = None) -> bool:
    """A question mark, an interrogative opening a sentence, or a Korean question ending. `lang` narrows
    the openers to one language's; without it (or for a language not covered) all ten are tried."""
    t = _norm(text)
    if any(m in t for m in QUESTION_MARKS):
        return True
    openers = tuple(o for lg in _langs(lang) for o in _OPENERS[lg])
    if any(_starts_with_opener(sent, openers) for sent in _SENTENCES.split(t) if sent.strip()):
        return True
    words = re.findall(r"[\uac00-\ud7af]+", t)
    return any(w.endswith(_KO_ENDINGS) for w in words)


def complaint_markers(text: str, lang: str | None = None) -> list[str]:
    """What in a post complains: negations, still/again/why, doubled ?? ?! !!, angry emoji. All ten
    languages' markers are looked for whatever `lang` says (short posts are often misdetected; Spanish
    "no" counts in English too, where "no reply" complains as well)."""
    t = _norm(text)
    found: list[str] = []
    for pat in ("??", "?!", "!?", "!!", "؟؟", "？？"):
        if pat in t:
            found.append(pat)
    found.extend(_ANGRY.findall(text or ""))
    found.extend(m.group(0) for m in _WAITING.finditer(t))
    for lg, words in _COMPLAINT_WORDS.items():
        for w in words:
            if w == "n't" or lg == "ko":  # Korean attaches endings and particles: a substring
                hit = w in t
            elif lg == "fa":  # Persian negation is a verb prefix (نمی‌دونم, نرسیده): a word start
                hit = re.search(rf"(?<!\w){re.escape(w)}", t) is not None
            elif w == "no" and lang == "pt":  # Portuguese "no" is "in the"
                hit = False
            else:
                hit = re.search(rf"(?<![\w']){re.escape(w)}(?![\w'])", t) is not None
            if hit and w not in found:
                found.append(w)
    return found


def plain_question(text: str, lang: str | None = None) -> bool:
    """A question that does not complain as well (and does not report a damaged item): it wants an answer,
    not an apology."""
    if not is_question(text, lang) or complaint_markers(text, lang):
        return False

    call = category_call(text, lang)
    return not (call.confident and call.category == "damaged")
