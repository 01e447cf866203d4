"""Offline language detection: Unicode-script rules plus a small hashed n-gram model.

* Hangul -> ko, Devanagari -> hi, kana -> ja, Han -> zh, Cyrillic -> ru, Greek -> el,
  Hebrew -> he, Thai -> th, other rarer scripts by their main language.
* Arabic script -> fa or ar by the letters only one of them uses (پ چ ژ گ ی ک vs ي ك ة ى).
* Latin script -> one of LATIN_LANGS by a linear model over character 3-grams and words,
  trained by scripts/train_scorer.py from the `lang` column of the data and stored in the
  scorer's model file, with two rules on top (see decide_latin):
  - English prior: another language must beat English by a margin, larger for short posts
    and for posts with English function words ("my order is late", "hello" stay English);
  - romanised Hindi needs at least one common Hinglish word (hai, nahi, kya, bhai, ...).
* No letters at all (only emoji, numbers, links, @mentions) -> "und".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import features as F

LATIN_LANGS = ("en", "es", "fr", "de", "it", "pt", "hi")  # hi: romanised Hindi (Hinglish)
LANG_CLASSES = LATIN_LANGS + ("ar", "fa")  # columns of the language model
LANG_BITS = 18

# script ids
S_NONE, S_LATIN, S_ARABIC, S_DEVA, S_HANGUL, S_KANA, S_HAN, S_CYR, S_GREEK, S_HEBREW, S_THAI, S_OTHER = range(12)
N_SCRIPTS = 12
SCRIPT_LANG = {S_DEVA: "hi", S_HANGUL: "ko", S_KANA: "ja", S_HAN: "zh", S_CYR: "ru", S_GREEK: "el",
               S_HEBREW: "he", S_THAI: "th", S_OTHER: "und"}
_FA_ONLY = (0x067E, 0x0686, 0x0698, 0x06AF, 0x06CC, 0x06A9)  # پ چ ژ گ ی ک
_AR_ONLY = (0x064A, 0x0643, 0x0629, 0x0649)  # ي ك ة ى

# English prior (raw language-model score units): margin + per English word + extra for short posts
EN_MARGIN, EN_PER_WORD, EN_SHORT, SHORT_WORDS = 1.0, 0.5, 3.0, 4
HINGLISH = frozenset(
    """
    hai hain ki ka ke ko se bhai bhi kya ye yeh nahi nhi nahin aap aur tha thi kar koi ek jo ab ji kuch
    toh mein aaj liye sab mai gaya yaar yr baat hu hoon tu mere mera meri tum hum kr ni bahut bohot
    kiya wo woh raha rahe rahi karo karna kaise kyun kyu kab kaha kahan sirf abhi lekin accha acha
    achha hota hoga hogi diya dekho dekh apna apni apka apki aapka aapki unka uska iska kisi sabse bas
    matlab pyar dil jaan bhaiya sahab bolo wala wale wali hua hui kaun kitna zyada jyada ho hy mujhe
    mujhko tujhe usne bola bole han haan karti karta karte kahi rahega rahegi bada badi chahiye jata
    jati jaata hamesha khuda apne tera teri uski unki yahan wahan phir fir kyonki kyunki isliye hame
    humein ham mat kal log logo logon din raat saath sath bhagwan dekha dekhne suna pata chalo gaye
    gayi aaya aayi aaye jaa ja jaana bhaijaan yahi aisa aise waisa jaisa kaisa sahi galat paisa paise
    """.split()
)
ENGLISH = frozenset(
    """
    the a an is are was were be been am i i'm you he she it it's we they my your our their me him her
    us them this that these those to of in on at for with from by about and or but not no so if then
    than what when where why how who which there here do does did don't doesn't didn't can can't could
    would should will won't have has had get got just still any some all please thanks thank hello hey
    hi ok okay yes yeah order account help service customer waiting wait late refund money back update
    call fix cancel slow bad good great love hate
    """.split()
)
# distinctive everyday words of the other Latin-script languages: each one found adds LANG_WORD_BONUS to
# its language's score (the language model is trained on only ~1,800 tweets per language)
LANG_WORDS = {
    "es": "el los las que muy pero está estoy gracias pedido nunca nadie también porque qué cuando tengo",
    "fr": "le les est et très je c'est pas merci commande jamais personne avec pour mais suis aussi",
    "de": "der die das und ist nicht ich sehr danke bestellung nie niemand auch aber mit für bin",
    "it": "il che è molto sono della grazie ordine mai nessuno anche perché ho gli questo",
    "pt": "não muito você obrigado obrigada pedido nunca ninguém também porque está estou com uma são",
}
LANG_WORD_BONUS = 1.0
PLACEHOLDERS = ("user", "http")  # what features.py puts for @mentions and links

_SCRIPT_CODES = np.array([SCRIPT_LANG.get(k, "und") for k in range(N_SCRIPTS)], dtype=object)
_SCRIPT: np.ndarray | None = None
_WORD_SETS: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
_LANG_WORD_SETS: dict[int, np.ndarray] | None = None


def _lang_word_sets() -> dict[int, np.ndarray]:
    global _LANG_WORD_SETS
    if _LANG_WORD_SETS is None:
        _LANG_WORD_SETS = {LATIN_LANGS.index(lg): np.unique(F._word_hashes(ws.split(), F.T_WORD))
                           for lg, ws in LANG_WORDS.items()}
    return _LANG_WORD_SETS


def lang_word_bonus(batch: F.Batch, counts: np.ndarray | None = None) -> np.ndarray:
    """(n_docs, len(LATIN_LANGS)): LANG_WORD_BONUS per distinctive word of each language."""
    c = token_counts(batch) if counts is None else counts
    return c[:, 3 : 3 + len(LATIN_LANGS)] * LANG_WORD_BONUS


_TOKEN_SETS: tuple[np.ndarray, np.ndarray] | None = None
N_TOKEN_BITS = 3 + len(LATIN_LANGS)  # Hinglish, English, placeholder, then one per Latin language


def _token_sets() -> tuple[np.ndarray, np.ndarray]:
    """Sorted hashes of every special word and a bit mask of the lists each is on."""
    global _TOKEN_SETS
    if _TOKEN_SETS is None:
        hi, en, ph = _word_sets()
        groups = [hi, en, ph] + [np.zeros(0, np.uint32)] * len(LATIN_LANGS)
        for k, ws in _lang_word_sets().items():
            groups[3 + k] = ws
        masks: dict[int, int] = {}
        for bit, g in enumerate(groups):
            for h in g.tolist():
                masks[h] = masks.get(h, 0) | (1 << bit)
        keys = np.array(sorted(masks), dtype=np.uint32)
        _TOKEN_SETS = (keys, np.array([masks[k] for k in keys.tolist()], dtype=np.uint16))
    return _TOKEN_SETS


def token_counts(batch: F.Batch) -> np.ndarray:
    """(n_docs, N_TOKEN_BITS + 1): per post, tokens on each word list (see N_TOKEN_BITS), then word tokens."""
    n = batch.n_docs
    nb = N_TOKEN_BITS + 1
    ntok = len(batch.tok_a)
    if ntok == 0:
        return np.zeros((n, nb))
    th = batch.whash[:ntok]
    keys, masks = _token_sets()
    k = np.minimum(np.searchsorted(keys, th), len(keys) - 1)
    m = np.where(keys[k] == th, masks[k], 0).astype(np.uint16)
    cols = np.empty((ntok, nb), dtype=np.float64)
    cols[:, :-1] = (m[:, None] >> np.arange(N_TOKEN_BITS, dtype=np.uint16)) & 1
    cols[:, -1] = F._class_table()[np.minimum(batch.codes[batch.tok_a], 0xFFFF)] == F.C_WORD
    if n == 1:
        return cols.sum(axis=0)[None, :]
    td = batch.wdoc[:ntok]
    out = np.zeros((n, nb))
    hit = np.flatnonzero(m)
    for j in range(N_TOKEN_BITS):  # only tokens on some list
        out[:, j] = np.bincount(td[hit], weights=cols[hit, j], minlength=n)
    out[:, -1] = np.bincount(td, weights=cols[:, -1], minlength=n)
    return out


def _word_sets() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    global _WORD_SETS
    if _WORD_SETS is None:
        _WORD_SETS = tuple(np.unique(F._word_hashes(sorted(ws), F.T_WORD))  # type: ignore[assignment]
                           for ws in (HINGLISH, ENGLISH, PLACEHOLDERS))
    return _WORD_SETS  # type: ignore[return-value]


def _member(h: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """h in sorted_set, elementwise (np.isin is slow on the small arrays of a single post)."""
    return sorted_set[np.minimum(np.searchsorted(sorted_set, h), len(sorted_set) - 1)] == h


def word_counts(batch: F.Batch, counts: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per post: Hinglish words, English words, word tokens (no placeholders), placeholder letters."""
    c = token_counts(batch) if counts is None else counts
    return c[:, 0], c[:, 1], c[:, -1] - c[:, 2], c[:, 2] * 4


def decide_latin(tot: np.ndarray, nhi: np.ndarray, nen: np.ndarray, nw: np.ndarray) -> np.ndarray:
    """Index into LATIN_LANGS for Latin-script posts, from the model scores tot (n, len(LATIN_LANGS))."""
    t = np.array(tot, dtype=np.float64, copy=True)
    k_hi, k_en = LATIN_LANGS.index("hi"), LATIN_LANGS.index("en")
    t[:, k_hi] = np.where((nhi >= 1) & (nhi >= 0.5 * nen), t[:, k_hi], -np.inf)
    best = t.argmax(axis=1)
    need = EN_MARGIN + EN_PER_WORD * nen + EN_SHORT * (nw <= SHORT_WORDS)
    gap = t[np.arange(len(t)), best] - t[:, k_en]
    return np.where(gap < need, k_en, best)


def _script_table() -> np.ndarray:
    global _SCRIPT
    if _SCRIPT is None:
        t = np.zeros(0x10000, dtype=np.uint8)
        cls = F._class_table()
        letters = cls == F.C_WORD
        t[letters] = S_OTHER
        digits = [cp for cp in range(0x10000) if chr(cp).isdigit()]
        t[digits] = S_NONE
        t[ord("_")] = S_NONE

        def put(a: int, b: int, s: int) -> None:
            r = np.arange(a, b + 1)
            t[r[letters[r]]] = s

        put(0x41, 0x24F, S_LATIN)
        put(0x1E00, 0x1EFF, S_LATIN)
        put(0x0600, 0x06FF, S_ARABIC)
        put(0x0750, 0x077F, S_ARABIC)
        put(0xFB50, 0xFDFF, S_ARABIC)
        put(0xFE70, 0xFEFF, S_ARABIC)
        put(0x0900, 0x097F, S_DEVA)
        put(0xAC00, 0xD7AF, S_HANGUL)
        put(0x1100, 0x11FF, S_HANGUL)
        put(0x3130, 0x318F, S_HANGUL)
        put(0x3040, 0x30FF, S_KANA)
        put(0x4E00, 0x9FFF, S_HAN)
        put(0x3400, 0x4DBF, S_HAN)
        put(0x0400, 0x04FF, S_CYR)
        put(0x0370, 0x03FF, S_GREEK)
        put(0x0590, 0x05FF, S_HEBREW)
        put(0x0E00, 0x0E7F, S_THAI)
        _SCRIPT = t
    return _SCRIPT


def _lang_features(batch: F.Batch, lbits: int = LANG_BITS) -> tuple[np.ndarray, np.ndarray]:
    """(post, bucket) of the features the language model uses: char 3-grams and word tokens."""
    k = F.CHAR_NGRAMS.index(3)
    h = batch.char_hashes[k]
    valid = np.ones(len(h), dtype=bool)
    valid[batch.char_invalid[k]] = False
    ntok = len(batch.tok_a)
    docs = np.concatenate([batch.doc_of_pos[valid], batch.wdoc[:ntok]])
    bk = np.concatenate([F.buckets(h[valid], lbits), F.buckets(batch.whash[:ntok], lbits)])
    return docs, bk


def lang_csr(batch: F.Batch, lbits: int = LANG_BITS) -> Any:  # pragma: no cover - training only
    from scipy import sparse  # lazy: scipy only when a batch is vectorised (CLI start-up)

    docs, bk = _lang_features(batch, lbits)
    m = sparse.csr_matrix((np.ones(len(docs), dtype=np.float32), (docs, bk)), shape=(batch.n_docs, 2**lbits))
    m.sum_duplicates()
    m.data = np.log1p(m.data)
    return m


def script_counts(batch: F.Batch) -> np.ndarray:
    """Letters of each script per post: (n_docs, N_SCRIPTS)."""
    codes = batch.codes[: batch.starts[-1]]
    st = _script_table()[np.minimum(codes, 0xFFFF)]
    st = np.where(codes > 0xFFFF, S_NONE, st)
    return np.bincount(batch.doc_of_pos * N_SCRIPTS + st, minlength=batch.n_docs * N_SCRIPTS).reshape(
        batch.n_docs, N_SCRIPTS
    )


def detect_batch(batch: F.Batch, table: np.ndarray | None, bias: np.ndarray | None) -> list[str]:
    """Language of every post of a featurized batch. table: (2**LANG_BITS, 8) float16 or None."""
    n = batch.n_docs
    if n == 0:
        return []
    sc = script_counts(batch)
    tc = token_counts(batch)
    nhi, nen, nw, nph = word_counts(batch, tc)
    sc[:, S_LATIN] = np.maximum(sc[:, S_LATIN] - nph.astype(sc.dtype), 0)  # "@user", "http" are no text
    letters = sc[:, 1:].sum(axis=1)
    dom = sc[:, 1:].argmax(axis=1) + 1
    out = _SCRIPT_CODES[np.where(letters > 0, dom, S_NONE)]
    arab = np.flatnonzero((dom == S_ARABIC) & (letters > 0))
    latin = np.flatnonzero((dom == S_LATIN) & (letters > 0))
    if table is None:
        # no model: letters only one of Persian / Arabic uses, English for Latin script
        if len(arab):
            codes = batch.codes[: len(batch.doc_of_pos)]
            nfa = np.bincount(batch.doc_of_pos, weights=np.isin(codes, _FA_ONLY), minlength=n)
            nar = np.bincount(batch.doc_of_pos, weights=np.isin(codes, _AR_ONLY), minlength=n)
            out[arab] = np.where(nfa[arab] > nar[arab], "fa", "ar")
        out[latin] = "en"
        return out.tolist()
    if len(arab) or len(latin):
        docs, bk = _lang_features(batch)
        sel = np.zeros(n, dtype=bool)
        sel[arab] = True
        sel[latin] = True
        m = sel[docs]
        docs, bk = docs[m], bk[m]
        nc = table.shape[1]
        rows = table.view(f"V{nc * 2}").ravel()[bk].view(np.float16).reshape(-1, nc)
        if n == 1:
            tot = rows.sum(axis=0, dtype=np.float64)[None, :]
        else:
            tot = np.zeros((n, nc), dtype=np.float64)
            for j in range(nc):
                tot[:, j] = np.bincount(docs, weights=rows[:, j], minlength=n)
        if bias is not None:
            tot += bias[None, :nc]
        classes = np.array(LANG_CLASSES, dtype=object)
        nl = len(LATIN_LANGS)
        if len(latin):
            tl = tot[latin, :nl] + lang_word_bonus(batch, tc)[latin]
            out[latin] = classes[decide_latin(tl, nhi[latin], nen[latin], nw[latin])]
        if len(arab):
            out[arab] = classes[nl + tot[arab, nl:].argmax(axis=1)]
    return out.tolist()
