# size: the hashed model and the cascade that routes its unsure posts to the encoder share one batch loop
"""The default scorer: a hashed n-gram linear model trained by scripts/train_scorer.py.

The model file (model/scorer.npz, float16 weights) holds two linear heads over the same
hashed features (see features.py) and the language model (see langid.py):

* flag: "this customer is unhappy" (negative sentiment or a complaint), thresholded per language,
* pos: "this post is positive", used for the label and the polarity.

Both heads also weigh four dense lexicon features (features.dense_features: VADER's English lexicon
plus a few hand-written words per language, stored in the model file as word hashes and valences).

It is loaded lazily, once per process.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import features as F
from . import langid
from .base import Score, neutral_score
from .categories import categorize

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_PATH = MODEL_DIR / "scorer.npz"
BATCH_SIZE = 4096
# a cascade's second stage: (texts, languages, hashed margins) -> (new margins, reasons by row)
SecondStage = Callable[[Sequence[str], Sequence[str], np.ndarray], tuple[np.ndarray, dict[Any, Any]]]

# tokens never shown as reasons: punctuation, placeholders, function words (not/nicht/não/nahi stay: cues)
_NOT_REASONS = frozenset(
    """user http @ # . , ; : - _ ' " ( ) [ ] / \\ & * + = < > | ~ ` ^ … · — – « » “ ” ‘ ’ ، ؛
    i me my we our you your the a an to of in on at for and or is it this that be are was were am
    have has had do does with just so as by from but if been its im i'm rt amp
    de la el en y que los las un una es por con para se ya soy tengo estoy qué han nos eso esto está uno
    así estaba están hasta puede todos mi lo te yo sé estar cuando ese esa
    le les et des du une est pour sont dans ont même quand après faut je tu elle nous vous ce ça cette
    der die das und ist zu den mit ich er sie wir mich mir dich sich dem wenn dass mal doch schon etwas
    muss würde wollte sind bin hat für vom dann
    il di che e per non o da più cosa poi ma chi nel fa sono perché perchè già quello ci tutti ha tanto
    fare mentre quanto io gli dei ho sei nella delle della degli
    em um uma os no na esse essa isso pra pelo ter dela dele mais aí pq meu minha hj eu você vc ela eh mesmo
    hai hain aap ka ke ki ko bhi ne raha rahi diya hi gaya gayi ye yeh wo main mai tha thi koi jo kya
    و در به از که این را با است بود شده های آن وقتی ما هم
    عن عليه علي هذا هذه أنا انا في من على
    것 더 이 그 저 좀""".split()
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class LinearModel:
    def __init__(self, path: Path | str = MODEL_PATH) -> None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(
                f"scorer model file not found: {path}. Train it with `python scripts/train_scorer.py` "
                "or choose SOCIAL_CARE_SCORER=textblob|vader."
            )
        with np.load(path, allow_pickle=False) as z:
            self.meta = json.loads(str(z["meta"]))
            table = np.ascontiguousarray(z["table"], dtype=np.float16)
            self.lang_table = np.ascontiguousarray(z["lang_table"], dtype=np.float16)
            self.lang_bias = z["lang_bias"].astype(np.float64)
            self.bias = z["bias"].astype(np.float32)
            # optional: dense lexicon features (files written before they existed have none)
            if "dense_w" in z.files:
                self.dense_w = z["dense_w"].astype(np.float32)
                self.lex_hash = z["lex_hash"].astype(np.uint32)
                self.lex_val = z["lex_val"].astype(np.float32)
            else:
                self.dense_w = self.lex_hash = self.lex_val = None
        self.bits = int(self.meta["bits"])
        if tuple(self.meta["char_ngrams"]) != F.CHAR_NGRAMS:
            raise ValueError(f"model file {path} was trained with other features; retrain it")
        self.ncols = table.shape[1]
        table = np.vstack([table, np.zeros((1, self.ncols), dtype=np.float16)])
        self.packed = table.view(np.uint32 if self.ncols == 2 else np.uint64).ravel()
        self.thresholds: dict[str, float] = {k: float(v) for k, v in self.meta["thresholds"].items()}
        self.default_threshold = float(self.meta.get("default_threshold", 0.0))
        self.pos_threshold = float(self.meta.get("pos_threshold", 0.0))
        # per language: the flag threshold that catches a given share of unhappy posts (out-of-fold scores of train)
        self.recall_curves: dict[str, dict[str, Any]] = self.meta.get("recall_curves") or {}
        self.path = path

    def thresholds_for_recall(self, recall: float | None,
                              by_lang: Mapping[str, float] | None = None) -> dict[str, float]:
        """Per-language flag thresholds that caught at least `recall` of the unhappy posts when tuned;
        `by_lang` ({"de": 0.6}) sets the level of single languages, over `recall`.

        Languages without a level, or without a curve, keep their best-F1 threshold. Raises ValueError for
        a recall outside the curves' range, a language the model has no curve for, or a model file written
        before the curves existed."""
        if not self.recall_curves:
            raise ValueError(f"the model file {self.path} has no recall curves (trained before they existed): "
                             "retrain it, or leave SOCIAL_CARE_FLAG_RECALL and "
                             "SOCIAL_CARE_FLAG_RECALL_BY_LANG empty")
        by_lang = dict(by_lang or {})
        unknown = sorted(set(by_lang) - set(self.recall_curves))
        if unknown:
            raise ValueError(f"no flag recall curve for {', '.join(unknown)}: the model has one for "
                             f"{', '.join(sorted(self.recall_curves))}")
        out = dict(self.thresholds)
        for lg, curve in self.recall_curves.items():
            level = by_lang.get(lg, recall)
            if level is None:
                continue
            levels = curve["recall"]
            if not levels[0] <= level <= levels[-1]:
                raise ValueError(f"flag recall must be between {levels[0]:.2f} and {levels[-1]:.2f}, "
                                 f"got {level}")
            # the first level at or above the one asked for (levels ascend in steps of 0.01)
            i = min(int(np.searchsorted(np.round(levels, 4), round(level - 1e-9, 4))), len(levels) - 1)
            out[lg] = float(curve["threshold"][i])
        return out

    # -- languages -----------------------------------------------------------------
    def _langs(self, batch: F.Batch) -> list[str]:
        return langid.detect_batch(batch, self.lang_table, self.lang_bias)

    def detect_languages(self, texts: Sequence[str]) -> list[str]:
        out: list[str] = []
        for i in range(0, len(texts), BATCH_SIZE):
            out.extend(self._langs(F.featurize(texts[i : i + BATCH_SIZE])))
        return out

    # -- scoring -------------------------------------------------------------------
    def raw_scores(
        self, batch: F.Batch, keep_positions: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        s, pos_c, word_c = F.linear_scores(batch, self.packed, self.ncols, self.bits, keep_positions)
        s += self.bias[None, :]
        if self.dense_w is not None:
            s += F.dense_features(batch, self.lex_hash, self.lex_val) @ self.dense_w
        return s, pos_c, word_c

    def score_batch(self, texts: Sequence[str], with_reasons: bool = True,
                    thresholds: dict[str, float] | None = None,
                    second_stage: SecondStage | None = None) -> list[Score]:
        """Score a batch; `thresholds` (per language) replaces the model's best-F1 flag thresholds.

        second_stage(texts, langs, margins) -> (margins, cues): a later stage may replace the flag margin
        (score minus threshold) of some posts; cues {post index: reason} name what it decided."""
        n = len(texts)
        if n == 0:
            return []
        batch = F.featurize(texts)
        langs = self._langs(batch)
        s, pos_c, word_c = self.raw_scores(batch, keep_positions=with_reasons)
        thresholds = self.thresholds if thresholds is None else thresholds
        thr = np.array([thresholds.get(lg, self.default_threshold) for lg in langs], dtype=np.float32)
        if "hi" in langs:
            # the "hi" threshold is tuned on romanised Hindi (the only Hindi in the training data);
            # Devanagari posts get the threshold of languages without one
            codes = batch.codes[: len(batch.doc_of_pos)]
            deva = np.bincount(batch.doc_of_pos, weights=(codes >= 0x0900) & (codes <= 0x097F),
                               minlength=n) > 0
            thr[deva & (np.array(langs, dtype=object) == "hi")] = self.default_threshold
        margin = s[:, 0] - thr
        cues: dict[int, str] = {}
        if second_stage is not None:
            margin, cues = second_stage(texts, langs, margin)
        p_flag = _sigmoid(margin)
        p_pos = _sigmoid(s[:, 1] - self.pos_threshold)
        flagged = p_flag > 0.5
        polarity = np.clip(p_pos * (1.0 - p_flag) - p_flag, -1.0, 1.0)
        positive = (~flagged) & (p_pos > 0.5) & (polarity > 0.0)
        reasons = self._reasons(batch, np.flatnonzero(flagged), pos_c, word_c) if with_reasons else {}
        out: list[Score] = []
        empty = batch.counts <= 1
        for i in range(n):
            if empty[i] or not (texts[i] or "").strip():
                out.append(neutral_score(langs[i]))
                continue
            f = bool(flagged[i])
            out.append(
                Score(
                    polarity=round(float(polarity[i]), 4),
                    label="negative" if f else ("positive" if positive[i] else "neutral"),
                    flagged=f,
                    lang=langs[i],
                    category=categorize(texts[i], langs[i]) if f else None,
                    reasons=_with_cue(reasons.get(i, ()), cues.get(i)) if f else reasons.get(i, ()),
                )
            )
        return out

    def _reasons(self, batch: F.Batch, docs: np.ndarray, pos_c: np.ndarray | None, word_c: np.ndarray | None,
                 top: int = 4) -> dict[int, tuple[str, ...]]:
        """The tokens (merged into phrases when adjacent) that pushed the flag score up most."""
        if len(docs) == 0 or pos_c is None or word_c is None:
            return {}
        ntok = len(batch.tok_a)
        cs = np.zeros(len(pos_c) + 1, dtype=np.float64)
        np.cumsum(pos_c, out=cs[1:])
        a = np.maximum(batch.tok_a - 1, 0)  # n-grams starting at the space before the token
        contrib = cs[batch.tok_b - 1] - cs[a] + word_c[:ntok]
        out: dict[int, tuple[str, ...]] = {}
        bounds = np.searchsorted(batch.tok_doc, np.stack([docs, docs + 1]))
        tok_a = batch.tok_a.tolist()
        tok_b = batch.tok_b.tolist()
        for d, lo, hi in zip(docs.tolist(), bounds[0].tolist(), bounds[1].tolist()):
            if hi <= lo:
                continue
            base = int(batch.starts[d])
            doc_text = batch.norm(d)
            c = contrib[lo:hi]
            order = np.argsort(-c, kind="stable")
            chosen = []
            toks: dict[int, str] = {}
            for j in order[: 3 * top].tolist():
                if c[j] <= 0:
                    break
                tok = doc_text[tok_a[lo + j] - base : tok_b[lo + j] - base]
                if tok in _NOT_REASONS or (len(tok) == 1 and tok.isascii() and tok not in "!?"):
                    continue
                chosen.append(j)
                toks[j] = tok
                if len(chosen) >= top:
                    break
            chosen.sort()
            phrases: list[str] = []
            prev = -2
            for j in chosen:
                tok = toks[j]
                if j == prev + 1 and phrases:
                    phrases[-1] = phrases[-1] + " " + tok
                else:
                    phrases.append(tok)
                prev = j
            seen: list[str] = []
            for p in phrases:
                if p not in seen:
                    seen.append(p)
            out[d] = tuple(seen[:5])
        return out


def _with_cue(reasons: tuple[str, ...], cue: str | None) -> tuple[str, ...]:
    return reasons if cue is None else (cue, *reasons[:4])


_MODEL: LinearModel | None = None
_LOCK = threading.Lock()


def default_model() -> LinearModel:
    """The shipped model, loaded once per process (SOCIAL_CARE_MODEL_PATH overrides the file)."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = LinearModel(os.environ.get("SOCIAL_CARE_MODEL_PATH") or MODEL_PATH)
    return _MODEL


class DefaultScorer:
    """Hashed n-gram linear model; see MODEL_CARD.md next to the model file."""

    name = "default"

    def __init__(self, model: LinearModel | None = None, path: Path | str | None = None,
                 recall: float | None = None, recall_by_lang: Mapping[str, float] | None = None) -> None:
        """recall: flag at the operating point that caught this share of unhappy posts when tuned
        (SOCIAL_CARE_FLAG_RECALL); None flags at each language's best-F1 threshold. recall_by_lang
        ({"de": 0.6, "ko": 0.95}, SOCIAL_CARE_FLAG_RECALL_BY_LANG) sets single languages' levels."""
        self._model = model if model is not None else (LinearModel(path) if path else None)
        self.recall = recall
        self.recall_by_lang = dict(recall_by_lang or {})
        if recall is not None or self.recall_by_lang:  # load now: a level the model cannot offer fails here
            _ = self._thresholds

    @property
    def model(self) -> LinearModel:
        if self._model is None:
            self._model = default_model()
        return self._model

    @functools.cached_property
    def _thresholds(self) -> dict[str, float] | None:
        if self.recall is None and not self.recall_by_lang:
            return None
        return self.model.thresholds_for_recall(self.recall, self.recall_by_lang)

    def score(self, text: str) -> Score:
        return self.model.score_batch([text or ""], thresholds=self._thresholds)[0]

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        texts = ["" if t is None else str(t) for t in texts]
        out: list[Score] = []
        for i in range(0, len(texts), BATCH_SIZE):
            out.extend(self.model.score_batch(texts[i : i + BATCH_SIZE], thresholds=self._thresholds))
        return out


def logit(p: float) -> float:
    return math.log(p / (1 - p))


class CascadeScorer(DefaultScorer):
    """The default scorer: the hashed model scores every post; the posts it is unsure about (its flag margin
    within the head's band for the post's language; every post of languages where the encoder measured
    better) are embedded by the multilingual encoder and flagged by the encoder head (encoder.py), which also
    sees the hashed margin. Without the encoder package it is the hashed model alone, with one warning."""

    name = "default"

    def __init__(self, model: LinearModel | None = None, path: Path | str | None = None,
                 recall: float | None = None, recall_by_lang: Mapping[str, float] | None = None,
                 head: Any = None, head_path: Path | str | None = None, encoder: Any = None,
                 cache: Any = None) -> None:
        from .encoder import HEAD_PATH, EncoderHead, EncoderUnavailable, load_encoder

        super().__init__(model, path, recall, recall_by_lang)
        if head is None and head_path is None:
            # a model file of the team's own (`social-care train --out DIR/scorer.npz`) has its head beside it
            own = path or os.environ.get("SOCIAL_CARE_MODEL_PATH")
            beside = Path(own).parent / HEAD_PATH.name if own else None
            head_path = beside if beside is not None and beside.exists() else HEAD_PATH
        self.head = head if head is not None else EncoderHead(head_path or HEAD_PATH)
        self.encoder = encoder
        self.unavailable: str | None = None
        if encoder is None:
            try:
                self.encoder = load_encoder()
            except EncoderUnavailable as e:
                self.unavailable = str(e)
                _warn_once(self.unavailable)
        self.cache = cache  # an encoder.EmbeddingCache (evaluation), else every routed post is embedded
        self.posts = 0  # posts scored, and of those sent to the encoder (for benchmarks and the card)
        self.routed = 0

    @functools.cached_property
    def _head_thresholds(self) -> dict[str, float]:
        if self.recall is None and not self.recall_by_lang:
            return self.head.thresholds
        return self.head.thresholds_for_recall(self.recall, self.recall_by_lang)

    def routing(self, texts: Sequence[str]) -> list[bool]:
        """Whether each post would go to the encoder (whatever the encoder's availability)."""
        flags: list[bool] = []

        def probe(tx: Sequence[str], langs: Sequence[str], margin: np.ndarray) -> tuple[np.ndarray, dict[Any, Any]]:
            flags.extend(self._route_mask(tx, langs, margin).tolist())
            return margin, {}

        self.model.score_batch(list(texts), with_reasons=False, thresholds=self._thresholds, second_stage=probe)
        return flags

    def _route_mask(self, texts: Sequence[str], langs: Sequence[str], margin: np.ndarray) -> np.ndarray:
        band = np.array([self.head.band(lg) for lg in langs], dtype=np.float64)
        nonempty = np.array([bool((t or "").strip()) for t in texts])
        return (np.abs(margin) < band) & nonempty

    def _second(self, texts: Sequence[str], langs: Sequence[str],
                margin: np.ndarray) -> tuple[np.ndarray, dict[Any, Any]]:
        from .encoder import embed_cached

        self.posts += len(texts)
        if self.encoder is None:
            return margin, {}
        idx = np.flatnonzero(self._route_mask(texts, langs, margin))
        if len(idx) == 0:
            return margin, {}
        self.routed += len(idx)
        routed_texts = [texts[int(i)] for i in idx]
        emb = embed_cached(routed_texts, self.cache, self.encoder, progress=False) if self.cache is not None \
            else self.encoder.embed(routed_texts)
        rl = [langs[int(i)] for i in idx]
        # the head was trained on margins from the best-F1 thresholds; a recall level only moves the routing
        used = self._thresholds or self.model.thresholds
        shift = np.array([used.get(lg, self.model.default_threshold)
                          - self.model.thresholds.get(lg, self.model.default_threshold) for lg in rl])
        logit = self.head.logits(emb, margin[idx] + shift)
        thr = np.array([self._head_thresholds.get(lg, self.head.default_threshold) for lg in rl])
        out = margin.copy()
        out[idx] = logit - thr
        p, pt = _sigmoid(logit), _sigmoid(thr)
        cues = {int(i): f"encoder: unhappy ({a:.2f}; flags from {b:.2f})"
                for i, a, b in zip(idx.tolist(), p.tolist(), pt.tolist())}
        return out, cues

    def score(self, text: str) -> Score:
        return self.model.score_batch([text or ""], thresholds=self._thresholds, second_stage=self._second)[0]

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        texts = ["" if t is None else str(t) for t in texts]
        out: list[Score] = []
        for i in range(0, len(texts), BATCH_SIZE):
            out.extend(self.model.score_batch(texts[i : i + BATCH_SIZE], thresholds=self._thresholds,
                                              second_stage=self._second))
        return out

    def score_many_hashed(self, texts: Sequence[str]) -> list[Score]:
        """The hashed stage alone, at the same flag levels: for a burst that must be stored within a
        platform's deadline (the encoder embeds tens of posts a second)."""
        return DefaultScorer.score_many(self, texts)


_WARNED: set[str] = set()


def _warn_once(msg: str) -> None:
    """Once per process (on stderr when logging is not configured, as on the command line)."""
    if msg in _WARNED:
        return
    _WARNED.add(msg)
    logging.getLogger(__name__).warning(msg)
