"""Text normalisation and hashed n-gram features, vectorised with numpy.

The same code builds the training matrix (scripts/train_scorer.py) and scores posts at run
time, so the shipped model needs neither scikit-learn nor any download.

A batch of posts is joined into one string (NFKC, lower case, URLs and @mentions folded,
a few HTML entities undone), turned into one array of code points, and cleaned with numpy:
diacritics/zero-width/bidi characters removed, runs of a character cut to three, runs of
white space cut to one space. Each post starts with one space (its separator) and ends
where the next post's separator starts. Features, all hashed to 32 bits with a polynomial
hash (deterministic across processes) and a multiplicative mix:

* character n-grams (n in CHAR_NGRAMS) at every offset of the post, spaces included,
* word tokens (runs of letters/digits; every other visible character is a token),
* bigrams of consecutive tokens,
* negated tokens (a token within three tokens after a negator such as "not", "nunca", "نه").

Every post's feature vector is scaled by 1/sqrt(number of feature occurrences).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHAR_NGRAMS = (2, 3, 4)
T_WORD, T_BIGRAM, T_NEG = 11, 12, 13

NEGATORS = frozenset(
    """
    not no never nothing nobody none nor cannot can't cant don't dont doesn't doesnt didn't didnt
    isn't isnt wasn't wasnt aren't arent won't wont wouldn't wouldnt couldn't couldnt shouldn't
    haven't havent hasn't hasnt without
    nunca nada nadie ni sin jamás jamais rien personne pas ne non nein nicht kein keine keinen
    nie niemals ohne mai niente nessuno nem não nao ninguém sem
    نه نمی نیست نبود نشد ندارد نداره نمیشه هیچ
    لا لم لن ليس ما مش مو
    नहीं नही मत ना न
    안 못 않 없
    """.split()
)

_URL = re.compile(r"(?:https?://|www\.)[^\s\x00]+", re.I)
_MENTION = re.compile(r"@\w+")
_ENTITIES = (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"))

# character classes
C_SPACE, C_WORD, C_OTHER, C_DROP, C_SEP, C_APOS = 0, 1, 2, 3, 4, 5
_TABLE: np.ndarray | None = None
_LOWER: np.ndarray | None = None


def _lower_table() -> np.ndarray:
    global _LOWER
    if _LOWER is None:
        t = np.arange(0x10000, dtype=np.uint32)
        for cp in range(0x10000):
            c = chr(cp)
            lo = c.lower()
            if lo != c and len(lo) == 1:
                t[cp] = ord(lo)
        _LOWER = t
    return _LOWER


def _class_table() -> np.ndarray:
    global _TABLE
    if _TABLE is None:
        t = np.empty(0x10000, dtype=np.uint8)
        cat = unicodedata.category
        for cp in range(0x10000):
            c = cat(chr(cp))[0]
            t[cp] = C_WORD if c in "LNM" else C_SPACE if c == "Z" else C_OTHER
        for cp in range(0, 32):
            t[cp] = C_DROP
        for cp in (9, 10, 11, 12, 13, 0x85):
            t[cp] = C_SPACE
        t[0] = C_SEP
        t[ord("_")] = C_WORD
        t[ord("'")] = C_APOS
        t[0x2019] = C_APOS
        drop = [*range(0x064B, 0x0660), 0x0670, 0x0640, 0x00AD, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
                *range(0x2060, 0x2070), 0xFEFF, *range(0xFE00, 0xFE10), *range(0x0300, 0x0370),
                *range(0xD800, 0xE000)]
        t[drop] = C_DROP
        _TABLE = t
    return _TABLE


_B = np.uint32(0x01000193)  # odd, so it has an inverse mod 2**32
_BINV = np.uint32(pow(0x01000193, -1, 2**32))
_K = np.uint32(0x9E3779B1)
_U32 = np.uint32


class _Powers:
    """Cached powers of the hash base and of its inverse, mod 2**32."""

    def __init__(self) -> None:
        self.pw = np.ones(1, dtype=np.uint32)
        self.pwinv = np.ones(1, dtype=np.uint32)

    def ensure(self, n: int) -> None:
        if len(self.pw) >= n:
            return
        size = max(n, 2 * len(self.pw), 1 << 16)
        with np.errstate(over="ignore"):
            b = np.full(size, _B, dtype=np.uint32)
            b[0] = 1
            pw = np.cumprod(b, dtype=np.uint32)
            bi = np.full(size, _BINV, dtype=np.uint32)
            bi[0] = 1
            pwinv = np.cumprod(bi, dtype=np.uint32)
        self.pw, self.pwinv = pw, pwinv


_POWERS = _Powers()


def _mix(h: np.ndarray, salt: int) -> np.ndarray:
    """Mixed 32-bit hash of an array; its top bits are used as buckets.

    Integer arrays wrap around mod 2**32 without a warning, so no np.errstate is needed (it costs a
    few microseconds per call, much of a single post's time)."""
    h = (h + _U32((salt * 0x85EBCA6B) & 0xFFFFFFFF)) * _K
    h ^= h >> _U32(15)
    h *= _U32(0x2C1B3C6D)
    return h


def _word_hashes(words: Sequence[str], salt: int) -> np.ndarray:
    """Hashes of single words, the same as featurize gives their tokens."""
    s = "".join(words)
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    n = len(codes)
    _POWERS.ensure(n + 1)
    pref = np.zeros(n + 1, dtype=np.uint32)
    with np.errstate(over="ignore"):
        np.cumsum(codes * _POWERS.pw[:n], dtype=np.uint32, out=pref[1:])
        lens = np.array([len(w) for w in words], dtype=np.int64)
        ends = np.cumsum(lens)
        a = ends - lens
        return _mix((pref[ends] - pref[a]) * _POWERS.pwinv[a], salt)


_NEG_HASHES: np.ndarray | None = None


def _negator_hashes() -> np.ndarray:
    global _NEG_HASHES
    if _NEG_HASHES is None:
        _NEG_HASHES = np.unique(_word_hashes(sorted(NEGATORS), T_WORD))
    return _NEG_HASHES


def _replace_runs(s: str, needle: str, pattern: re.Pattern[str], repl: str) -> str:
    """pattern.sub(repl, s) for matches that start with needle (much faster than re.sub on long strings)."""
    out, i = [], 0
    while True:
        k = s.find(needle, i)
        if k < 0:
            break
        m = pattern.match(s, k)
        if m and m.end() > k:
            out.append(s[i:k])
            out.append(repl)
            i = m.end()
        else:
            out.append(s[i : k + len(needle)])
            i = k + len(needle)
    if not out:
        return s
    out.append(s[i:])
    return "".join(out)


def _prepare(texts: Sequence[str]) -> np.ndarray:
    """Code points of "\\0post\\0post...\\0", normalised (NFKC, lower case, URLs, mentions)."""
    texts = [t if isinstance(t, str) else ("" if t is None else str(t)) for t in texts]
    joined = "\x00" + "\x00".join(texts) + "\x00"
    if joined.count("\x00") != len(texts) + 1:
        joined = "\x00" + "\x00".join(t.replace("\x00", " ") for t in texts) + "\x00"
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)
    if "&" in joined:
        for a, b in _ENTITIES:
            if a in joined:
                joined = joined.replace(a, b)
    for needle in ("http", "HTTP", "Http"):
        if needle in joined:
            joined = _replace_runs(joined, needle, _URL, " http ")
    if "www." in joined:
        joined = _replace_runs(joined, "www.", _URL, " http ")
    if "@" in joined:
        joined = _replace_runs(joined, "@", _MENTION, " @user ")
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@dataclass
class Batch:
    """Hashed features of a batch of posts."""

    n_docs: int
    codes: np.ndarray  # cleaned code points; each post starts with a space (its separator)
    starts: np.ndarray  # offset of each post in codes (n_docs + 1; the last is the final separator)
    char_hashes: list[np.ndarray]  # per n in CHAR_NGRAMS: hash of the n-gram at offsets 0..starts[-1]-1
    char_invalid: list[np.ndarray]  # per n: offsets whose n-gram runs past the post's end
    doc_of_pos: np.ndarray  # post of each offset (len starts[-1])
    tok_a: np.ndarray  # tokens: start offset
    tok_b: np.ndarray  # tokens: end offset
    tok_doc: np.ndarray  # tokens: post
    wdoc: np.ndarray  # word features (tokens, bigrams, negated tokens): post
    whash: np.ndarray  # word features: hash
    counts: np.ndarray  # feature occurrences per post

    def norm(self, i: int) -> str:
        return self.text(int(self.starts[i]), int(self.starts[i + 1]))

    def text(self, a: int, b: int) -> str:
        return self.codes[a:b].tobytes().decode("utf-32-le", "replace")

    def scale(self) -> np.ndarray:
        """Per-post scale so that each post's feature vector has (about) unit length."""
        return 1.0 / np.sqrt(np.maximum(self.counts, 1))


def featurize(texts: Sequence[str]) -> Batch:
    n_docs = len(texts)
    raw = _prepare(texts)
    tab = _class_table()
    bmp = np.minimum(raw, 0xFFFF)
    cls = tab[bmp]
    astral = raw > 0xFFFF
    lowered = _lower_table()[bmp]
    if astral.any():
        lowered[astral] = raw[astral]
    raw = lowered
    if astral.any():
        cls[astral] = C_OTHER
        cls[astral & ((raw < 0x1F000) | (raw >= 0x1FB00))] = C_WORD  # rare scripts
        cls[(raw >= 0x1F3FB) & (raw <= 0x1F3FF)] = C_DROP  # skin tones
        cls[raw >= 0xE0000] = C_DROP  # tags, private use
    # 1) drop characters, repeats beyond three
    drop = cls == C_DROP
    if len(raw) > 3:
        drop[3:] |= (raw[3:] == raw[2:-1]) & (raw[3:] == raw[1:-2]) & (raw[3:] == raw[:-3])
    if drop.any():
        keep = ~drop
        raw, cls = raw[keep], cls[keep]
    # 2) collapse white space: keep a space only if the previous char is not space/separator
    spacey = (cls == C_SPACE) | (cls == C_SEP)
    dup = np.zeros(len(cls), dtype=bool)
    dup[1:] = (cls[1:] == C_SPACE) & spacey[:-1]
    # and a space right before a separator
    dup[:-1] |= (cls[:-1] == C_SPACE) & (cls[1:] == C_SEP)
    if dup.any():
        keep = ~dup
        raw, cls = raw[keep], cls[keep]
    # apostrophes inside words belong to the word, other apostrophes are tokens
    apos = np.flatnonzero(cls == C_APOS)
    if len(apos):
        cls = cls.copy() if not cls.flags.writeable else cls
        inner = apos[(apos > 0) & (apos < len(cls) - 1)]
        mid = inner[(cls[inner - 1] == C_WORD) & (cls[inner + 1] == C_WORD)]
        cls[apos] = C_OTHER
        cls[mid] = C_WORD
    sep = np.flatnonzero(cls == C_SEP)  # n_docs + 1 separators
    codes = raw.copy()
    codes[sep] = 32
    codes[cls == C_SPACE] = 32
    total = int(sep[-1])  # offsets 0..total-1 belong to posts
    starts = sep
    lens = np.diff(starts)
    doc_of_pos = np.repeat(np.arange(n_docs, dtype=np.int64), lens)

    # character n-grams, built up from the (n-1)-grams: h_n[p] = h_{n-1}[p] * B + c[p+n-1]
    c32 = codes
    hs, invalid = [], []
    h = c32
    ends = starts[1:]
    for n in range(2, max(CHAR_NGRAMS) + 1):
        h = h[:-1] * _B + c32[n - 1 :]
        if n in CHAR_NGRAMS:
            hn = np.zeros(total, dtype=np.uint32)
            m = min(total, len(h))
            hn[:m] = _mix(h[:m], n)
            bad = np.concatenate([ends - k for k in range(1, n - 1)]) if n > 2 else np.zeros(0, np.int64)
            bad = np.concatenate([bad, np.arange(m, total)])
            bad = bad[(bad >= 0) & (bad < total)]
            hs.append(hn)
            invalid.append(bad)
    counts = np.zeros(n_docs, dtype=np.int64)
    for n in CHAR_NGRAMS:
        counts += np.maximum(lens - max(n - 2, 0), 0)

    # tokens
    isword = cls[:total] == C_WORD
    isother = cls[:total] == C_OTHER
    prevword = np.zeros(total, dtype=bool)
    prevword[1:] = isword[:-1]
    nextword = np.zeros(total, dtype=bool)
    nextword[:-1] = isword[1:]
    tok_a = np.flatnonzero((isword & ~prevword) | isother)
    tok_b = np.flatnonzero((isword & ~nextword) | isother) + 1
    tok_doc = doc_of_pos[tok_a]
    n_tok = len(tok_a)
    _POWERS.ensure(total + 2)
    pref = np.zeros(total + 1, dtype=np.uint32)
    np.cumsum(c32[:total] * _POWERS.pw[:total], dtype=np.uint32, out=pref[1:])
    wh = (pref[tok_b] - pref[tok_a]) * _POWERS.pwinv[tok_a]
    th = _mix(wh, T_WORD)
    wdocs, whs = [tok_doc], [th]
    if n_tok > 1:
        same = tok_doc[1:] == tok_doc[:-1]
        # bigram hash: hash(tok1) * B' + hash(tok2), independent of the space between them
        bh = _mix(wh[:-1][same] * _U32(0x5BD1E995) + wh[1:][same], T_BIGRAM)
        wdocs.append(tok_doc[:-1][same])
        whs.append(bh)
        negs = _negator_hashes()
        isneg = negs[np.minimum(np.searchsorted(negs, th), len(negs) - 1)] == th
        if isneg.any():
            scope = np.zeros(n_tok, dtype=bool)
            src0 = np.flatnonzero(isneg)
            for k in (1, 2, 3):
                src = src0[src0 + k < n_tok]
                dst = src + k
                scope[dst[tok_doc[dst] == tok_doc[src]]] = True
            scope &= ~isneg
            idx = np.flatnonzero(scope)
            wdocs.append(tok_doc[idx])
            whs.append(_mix(wh[idx], T_NEG))
    wdoc = np.concatenate(wdocs)
    whash = np.concatenate(whs)
    counts += np.bincount(wdoc, minlength=n_docs)
    return Batch(n_docs, codes, starts, hs, invalid, doc_of_pos, tok_a, tok_b, tok_doc, wdoc, whash, counts)


def normalize(text: str) -> str:
    """The normalised form of one post, as the model sees it (for debugging)."""
    return featurize([text]).norm(0)


def buckets(h: np.ndarray, bits: int) -> np.ndarray:
    return (h >> _U32(32 - bits)).astype(np.intp)


def unpack(packed: np.ndarray, idx: np.ndarray, ncols: int) -> np.ndarray:
    """Rows idx of a float16 table stored packed (one uint32/uint64 per row), as float32 (len(idx), ncols)."""
    return packed[idx].view(np.float16).reshape(-1, ncols).astype(np.float32)


def linear_scores(batch: Batch, packed: np.ndarray, ncols: int, bits: int,
                  keep_positions: bool = False) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Scaled sums of table rows over each post's features: (n_docs, ncols).

    `packed` has 2**bits + 1 rows (the last one zero, for n-grams that run past a post).
    With keep_positions, also return the per-offset char n-gram sums and per-token word
    weights (first column), used to explain a score.
    """
    null = 1 << bits
    outp = np.zeros((batch.n_docs, ncols), dtype=np.float32)
    if batch.n_docs == 0:
        return outp, None, None
    acc = None
    for h, bad in zip(batch.char_hashes, batch.char_invalid):
        b = buckets(h, bits)
        b[bad] = null
        g = unpack(packed, b, ncols)
        acc = g if acc is None else acc + g
    pos_contrib = None
    if acc is not None and len(acc):
        outp += np.add.reduceat(acc, batch.starts[:-1], axis=0)
        if keep_positions:
            pos_contrib = acc[:, 0].copy()
    word_contrib = None
    if len(batch.whash):
        g = unpack(packed, buckets(batch.whash, bits), ncols)
        for k in range(ncols):
            outp[:, k] += np.bincount(batch.wdoc, weights=g[:, k], minlength=batch.n_docs)
        if keep_positions:
            word_contrib = g[:, 0].copy()
    return outp * batch.scale()[:, None].astype(np.float32), pos_contrib, word_contrib


# Dense lexicon features (English sentiment lexicon, VADER's; stored in the model file as word hashes
# and valences): sum of negative valences, sum of positive valences, number of negative words, number
# of positive words, times LEX_SCALE. Not length-normalised.
N_DENSE = 4
LEX_SCALE = 0.1


def lexicon_hashes(words: Sequence[str], valences: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted token hashes of lexicon words (as featurize hashes them) and their valences."""
    b = featurize(list(words))
    ntok = len(b.tok_a)
    per_doc = np.bincount(b.tok_doc, minlength=b.n_docs)
    first = np.searchsorted(b.tok_doc, np.arange(b.n_docs))
    ok = np.flatnonzero(per_doc == 1)
    h = b.whash[:ntok][first[ok]]
    v = np.asarray(valences, dtype=np.float32)[ok]
    h, idx = np.unique(h, return_index=True)
    return h, v[idx]


def dense_features(batch: Batch, lex_hash: np.ndarray | None, lex_val: np.ndarray | None) -> np.ndarray:
    """(n_docs, N_DENSE) float32 lexicon features of a featurized batch."""
    n = batch.n_docs
    out = np.zeros((n, N_DENSE), dtype=np.float32)
    if lex_hash is None or not len(lex_hash) or n == 0:
        return out
    ntok = len(batch.tok_a)
    if ntok == 0:
        return out
    assert lex_val is not None, "the lexicon's hashes come with their valences"
    th = batch.whash[:ntok]
    td = batch.wdoc[:ntok]
    k = np.minimum(np.searchsorted(lex_hash, th), len(lex_hash) - 1)
    v = np.where(lex_hash[k] == th, lex_val[k], 0.0).astype(np.float64)
    out[:, 0] = np.bincount(td, weights=np.minimum(v, 0.0), minlength=n)
    out[:, 1] = np.bincount(td, weights=np.maximum(v, 0.0), minlength=n)
    out[:, 2] = np.bincount(td, weights=v < 0, minlength=n)
    out[:, 3] = np.bincount(td, weights=v > 0, minlength=n)
    out *= LEX_SCALE
    return out


# Hand-written sentiment words per language on VADER's valence scale (-4..4): a small cross-lingual prior
# for the dense lexicon features (their weights are learned mostly from English), and the only sentiment
# knowledge the model has for Devanagari Hindi (the training data has no Devanagari rows). The last line
# of each language holds shop-complaint words (broken, defective, refund, crashes, ...) that the general
# tweets and movie reviews we train on almost never contain; words that are frequent there gain little
# from a valence here, since their n-gram weights are fitted together with it.
EXTRA_LEXICON_TEXT = """
en: late -1.5, delayed -1.5, delay -1.5, cancelled -1.5, canceled -1.5, refund -1, waiting -1, overbooked -2,
    stranded -2, unacceptable -3, rude -2, useless -2.5, broken -1.5, lost -1.5, nobody -1, worst -3.1
hi: नहीं -1.2, नही -1.2, nahi -1.2, nhi -1.2, nahin -1.2, शिकायत -1.5, देरी -1.5, बर्बाद -2.5, नाराज़ -2.5,
    नाराज -2.5, ठगी -3, घटिया -2.5, बेकार -2.5, खराब -2, ख़राब -2, बकवास -2.5, धोखा -3, धोखाधड़ी -3, गुस्सा -2.5, शर्म -2,
    शर्मनाक -2.5, बुरा -2.5, बुरी -2.5, परेशान -2, निराश -2, लूट -2.5, ghatiya -2.5, bekar -2.5, bekaar -2.5,
    kharab -2, bakwas -2.5, dhokha -3, bura -2.5, buri -2.5, gussa -2, pareshan -2, nirash -2, faltu -2,
    धन्यवाद 2, शुक्रिया 2, बढ़िया 2.5, अच्छा 2, अच्छी 2, खुश 2.5, शानदार 3, बेहतरीन 3, प्यार 2.5,
    badhiya 2.5, accha 2, achha 2, acha 2, khush 2.5, shandar 3, shukriya 2, dhanyavad 2, zabardast 3, kamaal 2.5,
    टूटा -2, टूटी -2, नकली -2.5, रिफंड -1.5, toota -2, tuta -2, nakli -2.5
fa: افتضاح -3, افتضاحه -3, بد -2.5, بدترین -3.5, داغون -2.5, مزخرف -3, ضعیف -2, کثیف -2.5, ناراضی -2.5,
    آشغال -3, اشغال -3, بیکیفیت -2.5, دیر -1.5, عالی 3, عالیه 3, خوب 2, خوبه 2, خوشمزه 2.5, ممنون 2, مرسی 2,
    سپاس 2, راضی 2, بهترین 3, فوقالعاده 3, تشکر 2,
    خراب -2.5, خرابه -2.5, شکسته -2, معیوب -2.5, تاخیر -1.5, تأخیر -1.5
ar: سيء -2.5, سيئة -2.5, أسوأ -3, اسوأ -3, فاشل -2.5, فاشلة -2.5, زفت -3, مقرف -3, حرامي -3, نصب -2.5,
    غاضب -2.5, زبالة -3, للأسف -1.5, شكرا 2, رائع 3, رائعة 3, ممتاز 3, ممتازة 3, جميل 2.5, جميلة 2.5,
    أحب 2.5, أحبكم 2.5, سعيد 2.5, روعة 3, حلو 2,
    مكسور -2.5, مكسورة -2.5, تالف -2.5, تالفة -2.5, معطل -2, معطلة -2, خربان -2.5, تأخير -1.5
ko: 최악 -3.5, 최악이에요 -3.5, 최악입니다 -3.5, 최악의 -3.5, 별로 -2, 별로에요 -2, 별로예요 -2, 짜증 -2.5,
    짜증나요 -2.5, 짜증나 -2.5, 실망 -2.5, 실망했어요 -2.5, 쓰레기 -3, 화나요 -2.5, 불친절 -2.5, 엉망 -2.5,
    최고 3, 최고예요 3, 최고에요 3, 좋아요 2, 좋네요 2, 감사합니다 2, 감사해요 2, 고마워요 2, 만족 2,
    만족합니다 2, 만족해요 2, 추천 1.5, 추천합니다 2, 사랑해요 2.5,
    환불 -2, 환불해 -2, 환불해주세요 -2, 불량 -2.5, 불량품 -2.5, 파손 -2.5, 파손됐어요 -2.5, 파손되어 -2.5,
    깨져 -2.5, 깨졌어요 -2.5, 깨져서 -2.5, 깨진 -2, 찢어져서 -2, 찢어져 -2, 찢어진 -2, 고장 -2.5, 고장났어요 -2.5,
    늦어요 -2, 지연 -2, 지연되고 -2, 오배송 -2.5, 누락 -2, 분실 -2, 먹통 -2.5, 튕겨요 -2.5, 튕김 -2.5, 멈춤 -2,
    오류 -2, 에러 -2, 답답해요 -2.5, 황당하네요 -2.5, 어이없어요 -2.5, 불편해요 -2, 불만 -2, 화납니다 -2.5,
    속상해요 -2, 이중결제 -3, 중복결제 -3, 결제오류 -2.5, 안와요 -2, 안오네요 -2
es: pésimo -3, pesimo -3, pésima -3, horrible -3, malo -2.5, mala -2.5, peor -3, asco -3, vergüenza -2.5,
    odio -3, basura -3, terrible -3, estafa -3, decepción -2.5, harto -2.5, harta -2.5, lamentable -2.5,
    nunca -1, gracias 2, genial 3, excelente 3, perfecto 3, encanta 3, bueno 2, buena 2, maravilloso 3,
    feliz 2.5, increíble 2.5, mejor 2,
    roto -2, rota -2, dañado -2.5, dañada -2.5, defectuoso -2.5, defectuosa -2.5, estropeado -2, averiado -2
fr: nul -2.5, nulle -2.5, honte -2.5, honteux -3, pire -3, déçu -2.5, déçue -2.5, arnaque -3,
    catastrophe -3, inadmissible -3, scandaleux -3, merde -3, énervé -2.5, colère -2.5, jamais -1,
    merci 2, génial 3, super 2.5, parfait 3, excellent 3, adore 3, top 2, content 2.5, contente 2.5,
    bravo 2.5, magnifique 3,
    cassé -2, cassée -2, abîmé -2, abîmée -2, endommagé -2.5, endommagée -2.5, défectueux -2.5, défectueuse -2.5
de: schlecht -2.5, schlechter -2.5, schlimm -2.5, katastrophe -3, katastrophal -3, katastrophaler -3,
    frechheit -3, enttäuscht -2.5, enttäuschend -2.5, ärgerlich -2.5, unverschämt -3, niemals -1, nie -1,
    scheiße -3, scheisse -3, schlimmste -3, schlechteste -3, betrug -3, wütend -2.5, danke 2, toll 3,
    toller 3, tolle 3, klasse 2.5, perfekt 3, begeistert 3, zufrieden 2.5, gut 2, großartig 3, wunderbar 3,
    kaputt -2.5, beschädigt -2.5, defekt -2.5, fehlerhaft -2.5, zerbrochen -2
it: pessimo -3, pessima -3, schifo -3, vergogna -2.5, peggiore -3, peggio -2.5, orribile -3, terribile -3,
    delusione -2.5, deluso -2.5, delusa -2.5, truffa -3, arrabbiato -2.5, vergognoso -3, inaccettabile -3,
    grazie 2, fantastico 3, fantastica 3, ottimo 3, ottima 3, perfetto 3, bellissimo 3, adoro 3, contento 2.5,
    felice 2.5, bravi 2.5, stupendo 3,
    rotto -2, rotta -2, danneggiato -2.5, danneggiata -2.5, difettoso -2.5, difettosa -2.5, guasto -2
pt: péssimo -3, péssima -3, horrível -3, ruim -2.5, pior -3, vergonha -2.5, lixo -3, decepção -2.5,
    decepcionado -2.5, raiva -2.5, golpe -2.5, absurdo -2.5, obrigado 2, obrigada 2, ótimo 3, ótima 3,
    maravilhoso 3, perfeito 3, adorei 3, amei 3, lindo 2.5, excelente 3, parabéns 2.5,
    quebrado -2, quebrada -2, danificado -2.5, danificada -2.5, defeituoso -2.5, estragado -2, estragada -2
"""


def extra_lexicon() -> list[tuple[str, float]]:
    out = []
    for line in EXTRA_LEXICON_TEXT.replace("\n    ", " ").strip().splitlines():
        _, items = line.split(":", 1)
        for item in items.split(","):
            if item.strip():
                w, v = item.split()
                out.append((w, float(v)))
    return out


def training_lexicon() -> tuple[list[str], list[float]]:  # pragma: no cover - training only
    """Words and valences: VADER's English lexicon (installed vaderSentiment package), then EXTRA_LEXICON_TEXT
    (VADER wins where both have a word)."""
    # lazy: the lexicon loads on first use (CLI start-up)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lex = SentimentIntensityAnalyzer().lexicon
    words = sorted(lex)
    vals = [float(lex[w]) for w in words]
    for w, v in extra_lexicon():
        if w not in lex:
            words.append(w)
            vals.append(v)
    return words, vals


def to_csr(batch: Batch, bits: int) -> Any:  # pragma: no cover - training only (needs scipy)
    """Sparse matrix of the batch for training (scipy), consistent with linear_scores."""
    from scipy import sparse  # lazy: scipy only when a batch is vectorised (CLI start-up)

    rows, cols = [], []
    for h, bad in zip(batch.char_hashes, batch.char_invalid):
        v = np.ones(len(h), dtype=bool)
        v[bad] = False
        idx = np.flatnonzero(v)
        rows.append(batch.doc_of_pos[idx])
        cols.append(buckets(h[idx], bits))
    rows.append(batch.wdoc)
    cols.append(buckets(batch.whash, bits))
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    vals = batch.scale()[r].astype(np.float32)
    m = sparse.csr_matrix((vals, (r, c)), shape=(batch.n_docs, 2**bits), dtype=np.float32)
    m.sum_duplicates()
    return m
