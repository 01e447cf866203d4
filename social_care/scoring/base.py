"""Shared types and constants of the scoring package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
CATEGORIES: tuple[str, ...] = ("delivery", "refund", "damaged", "customer_service", "account", "other")

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
