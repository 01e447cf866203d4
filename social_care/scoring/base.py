"""Shared types and constants of the scoring package."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from social_care.models import CATEGORIES as CATEGORIES  # listed once, re-exported
from social_care.models import LABELS as LABELS

#: Human readable names of the categories (for reports and templates).
CATEGORY_NAMES: dict[str, str] = {
    "delivery": "delivery / late",
    "refund": "refund / billing",
    "damaged": "damaged / defective",
    "customer_service": "customer service",
    "account": "account / login",
    "other": "other",
}


@dataclass(frozen=True, slots=True)
class Score:
    polarity: float  # -1.0 .. 1.0
    label: str  # one of LABELS
    flagged: bool  # this customer is unhappy -> playbook + Slack
    lang: str  # ISO 639-1, or "und"
    category: str | None  # one of CATEGORIES when flagged (may be filled when not flagged), else None
    reasons: tuple[str, ...]  # up to ~5 short human-readable cues


@runtime_checkable
class Scorer(Protocol):
    name: str

    def score(self, text: str) -> Score: ...

    def score_many(self, texts: Sequence[str]) -> list[Score]: ...


def neutral_score(lang: str = "und") -> Score:
    """The score given to an empty post."""
    return Score(polarity=0.0, label="neutral", flagged=False, lang=lang, category=None, reasons=())


RECALL_MIN, RECALL_MAX = 0.5, 0.99


def parse_recall_by_lang(value: str | Mapping[str, float] | None) -> dict[str, float]:
    """Per-language flag recall (SOCIAL_CARE_FLAG_RECALL_BY_LANG): "de=0.6, ko=0.95" or a mapping ->
    {"de": 0.6, "ko": 0.95}; None or "" -> {}. ValueError naming the item that is wrong."""
    what = "per-language flag recall"
    items: list[tuple[str, float | str]]
    if value is None:
        items = []
    elif isinstance(value, Mapping):
        items = [(lang, level) for lang, level in value.items()]
    else:
        items = []
        for part in filter(str.strip, str(value).replace(";", ",").split(",")):
            lang, sep, text = part.partition("=")
            if not sep:
                raise ValueError(f"{what} must look like de=0.6,ko=0.95; got {part.strip()!r}")
            items.append((lang, text))
    out: dict[str, float] = {}
    for lang, level in items:
        code = str(lang).strip().lower()
        if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3):
            raise ValueError(f"{what}: {str(lang).strip()!r} is not a language code such as de")
        try:
            r = float(level)
        except (TypeError, ValueError):
            raise ValueError(f"{what} for {code}: {str(level).strip()!r} is not a number") from None
        if not RECALL_MIN <= r <= RECALL_MAX:
            raise ValueError(f"{what} for {code} must be between {RECALL_MIN:.2f} and {RECALL_MAX:.2f}, "
                             f"got {r}")
        out[code] = r
    return out
