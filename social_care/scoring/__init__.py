"""Scoring of customer posts: sentiment, the "unhappy customer" flag, language, category, reasons.

    from social_care.scoring import Score, Scorer, get_scorer, CATEGORIES, LABELS
    get_scorer().score("my parcel never arrived 😡")

Scorers: "default" (the project's cascade: its hashed n-gram model on every post, the multilingual encoder
and its head on the posts the hashed model is unsure about and on languages where the encoder is better),
"fast" (the hashed model alone, for bulk files), "textblob", "vader".
get_scorer(None) is "default" (SOCIAL_CARE_SCORER reaches it through Settings, or the CLI).
Recall levels and model files apply to "default" and "fast" alike. get_scorer("default", recall=0.9) flags at the
operating point that caught 90 % of the unhappy posts when the model was tuned (SOCIAL_CARE_FLAG_RECALL);
get_scorer("default", recall_by_lang="de=0.6") sets it for single languages (SOCIAL_CARE_FLAG_RECALL_BY_LANG);
get_scorer("default", model_path="ours.npz") uses a model file of the team's own (SOCIAL_CARE_MODEL_PATH).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from .base import CATEGORIES, CATEGORY_NAMES, LABELS, Score, Scorer, parse_recall_by_lang
from .categories import categorize
from .lexicon import TextBlobScorer, VaderScorer, _langs
from .model import CascadeScorer, DefaultScorer

SCORER_NAMES = ("default", "fast", "textblob", "vader")
_OURS = ("default", "fast")
_SCORERS: dict[tuple[object, ...], Scorer] = {}
_LOCK = threading.Lock()


def get_scorer(name: str | None = "default", recall: float | None = None,
               model_path: str | os.PathLike[str] | None = None,
               recall_by_lang: str | Mapping[str, float] | None = None) -> Scorer:
    """The scorer called `name`, cached per name, recall and model file. None -> "default".

    recall (default scorer only): flag at the per-language threshold that caught at least this share
    of the unhappy posts when the model was tuned, instead of the best-F1 threshold. recall_by_lang
    ("de=0.6,ko=0.95" or a mapping; SOCIAL_CARE_FLAG_RECALL_BY_LANG) sets that share for single languages,
    over `recall`. model_path (default scorer only): a model file of the team's own (SOCIAL_CARE_MODEL_PATH)
    instead of the shipped one. ValueError when the name is unknown, a recall is malformed or outside what
    the model file offers, or the model file is missing or unusable."""
    if name is None:
        name = "default"
    key = str(name).strip().lower()
    if key not in SCORER_NAMES:
        raise ValueError(f"unknown scorer {name!r}: choose one of {', '.join(SCORER_NAMES)}")
    by_lang = parse_recall_by_lang(recall_by_lang)
    for given, what in ((recall, "a flag recall"), (model_path, "a model file"),
                        (by_lang or None, "a per-language flag recall")):
        if given not in (None, "") and key not in _OURS:
            raise ValueError(f"{what} applies to the default scorer only (default or fast), not to {key}")
    path = os.fspath(model_path) if model_path not in (None, "") else None
    cache_key = (key, recall, path, tuple(sorted(by_lang.items())))
    with _LOCK:
        if cache_key not in _SCORERS:
            if key in _OURS:
                try:
                    if key == "default":
                        _SCORERS[cache_key] = CascadeScorer(path=path, recall=recall, recall_by_lang=by_lang)
                    else:
                        fast = DefaultScorer(path=path, recall=recall, recall_by_lang=by_lang)
                        fast.name = "fast"
                        _SCORERS[cache_key] = fast
                except FileNotFoundError as e:
                    raise ValueError(str(e)) from None
            elif key == "textblob":
                _SCORERS[cache_key] = TextBlobScorer()
            else:
                _SCORERS[cache_key] = VaderScorer()
        return _SCORERS[cache_key]


def detect_language(text: str) -> str:
    """ISO 639-1 code of a post's language, or "und" (offline)."""

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
