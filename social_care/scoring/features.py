"""Text normalisation and hashed n-gram features, vectorised with numpy.

The same code builds the training matrix (scripts/train_scorer.py) and scores posts at run
time, so the shipped model needs neither scikit-learn nor any download.

A batch of posts is normalised in Python (NFKC, lower case, URLs/mentions folded, tokens
separated by single spaces), concatenated and turned into one array of code points. Every
n-gram is hashed with a polynomial rolling hash computed from prefix sums (mod 2**64, so it
is position independent and deterministic across processes), then mixed. Features:

* word unigrams and bigrams,
* negated words (a word within three tokens after a negator, e.g. "not" ... "good"),
* character n-grams, n = 1..4, over the space-padded token stream.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}", re.S)
# Arabic diacritics and tatweel, zero-width and bidi controls, variation selectors, skin tones.
_STRIP = re.compile(
    "[\u064b-\u065f\u0670\u0640\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
    "\ufe00-\ufe0f\U0001f3fb-\U0001f3ff]"
)
_TOKEN = re.compile(r"[\w\u0900-\u097f\u0980-\u09ff]+(?:['’][\w]+)*|[^\w\s]")

CHAR_NGRAMS = (1, 2, 3, 4)
T_WORD, T_BIGRAM, T_NEG = 101, 102, 103

NEGATORS = frozenset(
    """
    not no never nothing nobody none nor cannot can't cant don't dont doesn't doesnt didn't didnt
    isn't isnt wasn't wasnt aren't arent won't wont wouldn't wouldnt couldn't couldnt shouldn't
    haven't havent hasn't hasnt without
    nunca nada nadie ni sin jamás jamais rien personne pas ne non nein nicht kein keine keinen
    nie niemals ohne mai niente nessuno nem não nao ninguém sem
    نه نمی نیست نبود نشد ندارد نداره نمیشه نمی‌شه هیچ
    لا لم لن ليس ما مش مو
    नहीं नही मत ना न
    안 못 않 없
    """.split()
)

_B = 0x100000001B3  # odd, so it has an inverse mod 2**64
_BINV = pow(_B, -1, 2**64)
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xBF58476D1CE4E5B9)
_K3 = np.uint64(0x94D049BB133111EB)
_U64 = np.uint64


def normalize(text: str) -> str:
    """Fold a raw post to a stream of tokens separated by single spaces, padded with spaces."""
    if not text:
        return "  "
    t = unicodedata.normalize("NFKC", text).lower()
    if "&" in t:
        t = html.unescape(t)
    if "http" in t or "www." in t:
        t = _URL.sub(" http ", t)
    if "@" in t:
        t = _MENTION.sub(" @user ", t)
    t = _STRIP.sub("", t)
    t = _REPEAT.sub(r"\1\1\1", t)
    return " " + " ".join(_TOKEN.findall(t)) + " "


class _Powers:
    """Cached powers of the hash base and of its inverse, mod 2**64."""

    def __init__(self) -> None:
        self.pw = np.ones(1, dtype=np.uint64)
        self.pwinv = np.ones(1, dtype=np.uint64)

    def ensure(self, n: int) -> None:
        if len(self.pw) >= n:
            return
        size = max(n, 2 * len(self.pw), 4096)
        with np.errstate(over="ignore"):
            b = np.full(size, _B, dtype=np.uint64)
            b[0] = 1
            self.pw = np.cumprod(b, dtype=np.uint64)
            bi = np.full(size, _BINV, dtype=np.uint64)
            bi[0] = 1
            self.pwinv = np.cumprod(bi, dtype=np.uint64)


_POWERS = _Powers()


def _mix(h: np.ndarray, salt: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = (h + _U64(salt) * _K1) * _K2
        h ^= h >> _U64(31)
        h *= _K3
        h ^= h >> _U64(29)
    return h


@dataclass
class Batch:
    """Hashed features of a batch of normalised posts."""

    n_docs: int
    norm: list[str]
    codes: np.ndarray  # code points of the concatenated posts
    starts: np.ndarray  # start offset of each post in codes (len n_docs + 1)
    doc: np.ndarray  # post index of each feature occurrence
    hashes: np.ndarray  # mixed 64-bit hash of each feature occurrence
    kind: np.ndarray  # 0 for char n-gram, T_* for word features
    pos: np.ndarray  # start offset (in codes) of each feature occurrence
    end: np.ndarray  # end offset (in codes) of each feature occurrence
    counts: np.ndarray  # features per post

    def buckets(self, bits: int) -> np.ndarray:
        return (self.hashes >> _U64(64 - bits)).astype(np.int64)


def span_hash(codes_prefix: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (codes_prefix[b] - codes_prefix[a]) * _POWERS.pwinv[a]


_NEG_HASHES: np.ndarray | None = None


def _negator_hashes() -> np.ndarray:
    global _NEG_HASHES
    if _NEG_HASHES is None:
        words = sorted(NEGATORS)
        s = "".join(words)
        codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        _POWERS.ensure(len(codes) + 1)
        with np.errstate(over="ignore"):
            pref = np.concatenate([[np.uint64(0)], np.cumsum(codes * _POWERS.pw[: len(codes)], dtype=np.uint64)])
        lens = np.array([len(w) for w in words])
        ends = np.cumsum(lens)
        a = ends - lens
        _NEG_HASHES = np.unique(_mix(span_hash(pref, a, ends), T_WORD))
    return _NEG_HASHES


def featurize(texts: Sequence[str], normalized: bool = False) -> Batch:
    norm = list(texts) if normalized else [normalize(t or "") for t in texts]
    n_docs = len(norm)
    joined = "".join(norm)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lens = np.fromiter((len(s) for s in norm), dtype=np.int64, count=n_docs)
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lens, out=starts[1:])
    total = len(codes)
    _POWERS.ensure(total + 1)
    c64 = codes.astype(np.uint64)
    with np.errstate(over="ignore"):
        pref = np.empty(total + 1, dtype=np.uint64)
        pref[0] = 0
        np.cumsum(c64 * _POWERS.pw[:total], dtype=np.uint64, out=pref[1:])
    doc_of_pos = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
    end_of_pos = starts[1:][doc_of_pos]

    docs, hs, kinds, poss, ends = [], [], [], [], []
    # character n-grams (skip the single space 1-gram)
    for n in CHAR_NGRAMS:
        if total < n:
            continue
        a = np.arange(total - n + 1, dtype=np.int64)
        ok = a + n <= end_of_pos[: total - n + 1]
        if n == 1:
            ok &= codes != 32
        a = a[ok]
        docs.append(doc_of_pos[a])
        hs.append(_mix(span_hash(pref, a, a + n), n))
        kinds.append(np.zeros(len(a), dtype=np.int16))
        poss.append(a)
        ends.append(a + n)
    # word tokens: spans between consecutive spaces
    sp = np.flatnonzero(codes == 32)
    if len(sp) > 1:
        ta, tb = sp[:-1] + 1, sp[1:]
        keep = tb > ta
        ta, tb = ta[keep], tb[keep]
        tdoc = doc_of_pos[ta]
        wh = _mix(span_hash(pref, ta, tb), T_WORD)
        docs.append(tdoc)
        hs.append(wh)
        kinds.append(np.full(len(ta), T_WORD, dtype=np.int16))
        poss.append(ta)
        ends.append(tb)
        if len(ta) > 1:
            same = tdoc[1:] == tdoc[:-1]
            ba, bb = ta[:-1][same], tb[1:][same]
            docs.append(tdoc[:-1][same])
            hs.append(_mix(span_hash(pref, ba, bb), T_BIGRAM))
            kinds.append(np.full(len(ba), T_BIGRAM, dtype=np.int16))
            poss.append(ba)
            ends.append(bb)
            # negation scope: the three tokens after a negator, within the same post
            isneg = np.isin(wh, _negator_hashes())
            if isneg.any():
                scope = np.zeros(len(ta), dtype=bool)
                for k in (1, 2, 3):
                    src = np.flatnonzero(isneg[:-k]) if len(ta) > k else np.empty(0, dtype=np.int64)
                    dst = src + k
                    dst = dst[tdoc[dst] == tdoc[src]]
                    scope[dst] = True
                scope &= ~isneg
                idx = np.flatnonzero(scope)
                docs.append(tdoc[idx])
                with np.errstate(over="ignore"):
                    hs.append(_mix(wh[idx], T_NEG))
                kinds.append(np.full(len(idx), T_NEG, dtype=np.int16))
                poss.append(ta[idx])
                ends.append(tb[idx])
    if docs:
        doc = np.concatenate(docs)
        hashes = np.concatenate(hs)
        kind = np.concatenate(kinds)
        pos = np.concatenate(poss)
        end = np.concatenate(ends)
    else:
        doc = np.zeros(0, dtype=np.int64)
        hashes = np.zeros(0, dtype=np.uint64)
        kind = np.zeros(0, dtype=np.int16)
        pos = end = np.zeros(0, dtype=np.int64)
    counts = np.bincount(doc, minlength=n_docs)
    return Batch(n_docs, norm, codes, starts, doc, hashes, kind, pos, end, counts)


def doc_scale(batch: Batch) -> np.ndarray:
    """Per-post scale so that each post's feature vector has (about) unit length."""
    return 1.0 / np.sqrt(np.maximum(batch.counts, 1))


def to_csr(batch: Batch, bits: int):  # pragma: no cover - training only (needs scipy)
    """Sparse matrix of the batch for training (scipy)."""
    from scipy import sparse

    vals = doc_scale(batch)[batch.doc].astype(np.float32)
    m = sparse.csr_matrix((vals, (batch.doc, batch.buckets(bits))), shape=(batch.n_docs, 2**bits))
    m.sum_duplicates()
    return m
