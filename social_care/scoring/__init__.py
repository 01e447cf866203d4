"""Scoring of customer posts: sentiment, the "unhappy customer" flag, language, category, reasons.

    from social_care.scoring import Score, Scorer, get_scorer, CATEGORIES, LABELS
    get_scorer().score("my parcel never arrived 😡")

Scorers: "default" (the project's own model, shipped in the package), "textblob", "vader".
get_scorer(None) reads SOCIAL_CARE_SCORER (default "default").
"""

from __future__ import annotations

import os
import threading

from .base import CATEGORIES, CATEGORY_NAMES, LABELS, Score, Scorer
from .categories import categorize

SCORER_NAMES = ("default", "textblob", "vader")
_SCORERS: dict[str, Scorer] = {}
_LOCK = threading.Lock()


def get_scorer(name: str | None = "default") -> Scorer:
    """The scorer called `name` (cached per name). None -> $SOCIAL_CARE_SCORER or "default"."""
    if name is None:
        name = os.environ.get("SOCIAL_CARE_SCORER") or "default"
    key = str(name).strip().lower()
    if key not in SCORER_NAMES:
        raise ValueError(f"unknown scorer {name!r}: choose one of {', '.join(SCORER_NAMES)}")
    with _LOCK:
        if key not in _SCORERS:
            if key == "default":
                from .model import DefaultScorer

                _SCORERS[key] = DefaultScorer()
            elif key == "textblob":
                from .lexicon import TextBlobScorer

                _SCORERS[key] = TextBlobScorer()
            else:
                from .lexicon import VaderScorer

                _SCORERS[key] = VaderScorer()
        return _SCORERS[key]


def detect_language(text: str) -> str:
    """ISO 639-1 code of a post's language, or "und" (offline)."""
    from .lexicon import _langs

    return _langs([text or ""])[0]


__all__ = [
    "CATEGORIES",
    "CATEGORY_NAMES",
    "LABELS",
    "SCORER_NAMES",
    "Score",
    "Scorer",
    "categorize",
    "detect_language",
    "get_scorer",
]
