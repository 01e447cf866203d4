"""TextBlob and VADER scorers, kept selectable (SOCIAL_CARE_SCORER=textblob|vader).

They fill lang (same detector as the default scorer), category and reasons (their lexicon
hits) so the three scorers are interchangeable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import features as F
from . import langid
from .base import Score, neutral_score
from .categories import categorize
from .model import default_model

_WORD = re.compile(r"[\w']+|[^\w\s]", re.U)


def _langs(texts: Sequence[str]) -> list[str]:
    try:
        return default_model().detect_languages(texts)
    except FileNotFoundError:  # no trained model: script rules only

        return langid.detect_batch(F.featurize(texts), None, None)


class _LexiconScorer:
    """Shared batch shape: detect languages once for the batch, then score each text with ``_one``."""

    name = ""

    def _one(self, text: str, lang: str) -> Score:
        raise NotImplementedError

    def score(self, text: str) -> Score:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        texts = ["" if t is None else str(t) for t in texts]
        langs = _langs(texts)
        return [self._one(t, lg) for t, lg in zip(texts, langs)]


class TextBlobScorer(_LexiconScorer):
    """TextBlob pattern-analyzer polarity; flagged when polarity < 0."""

    name = "textblob"

    def __init__(self) -> None:
        # lazy: the lexicon loads on first use (CLI start-up)
        from textblob import TextBlob  # noqa: F401  (fail early if missing)

    def _one(self, text: str, lang: str) -> Score:
        from textblob import TextBlob  # lazy: the lexicon loads on first use (CLI start-up)

        if not text.strip():
            return neutral_score(lang)
        blob = TextBlob(text)
        sent = blob.sentiment_assessments
        pol = float(sent.polarity)
        flagged = pol < 0
        label = "negative" if pol < 0 else ("positive" if pol > 0 else "neutral")
        hits = sorted(sent.assessments, key=lambda a: a[1])
        if flagged:
            reasons = tuple(" ".join(a[0]) for a in hits if a[1] < 0)[:5]
        else:
            reasons = tuple(" ".join(a[0]) for a in reversed(hits) if a[1] != 0)[:5]
        return Score(round(pol, 4), label, flagged, lang, categorize(text, lang) if flagged else None, reasons)


class VaderScorer(_LexiconScorer):
    """VADER compound score; flagged when compound <= -0.05."""

    name = "vader"

    def __init__(self) -> None:
        # lazy: the lexicon loads on first use (CLI start-up)
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._sia = SentimentIntensityAnalyzer()
        self._lex = self._sia.lexicon

    def _one(self, text: str, lang: str) -> Score:
        if not text.strip():
            return neutral_score(lang)
        comp = float(self._sia.polarity_scores(text)["compound"])
        flagged = comp <= -0.05
        label = "negative" if flagged else ("positive" if comp >= 0.05 else "neutral")
        hits: list[tuple[str, float]] = []
        for w in _WORD.findall(text):
            v = self._lex.get(w.lower())
            if v is not None and ((v < 0) if flagged else (v > 0)) and w not in [h[0] for h in hits]:
                hits.append((w, v))
        hits.sort(key=lambda h: abs(h[1]), reverse=True)
        reasons = tuple(h[0] for h in hits[:5])
        return Score(round(comp, 4), label, flagged, lang, categorize(text, lang) if flagged else None, reasons)
