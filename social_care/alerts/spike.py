"""Spike detection: negative posts in the last hour against the hourly baseline before it. Pure.

Rule (explainable in one sentence in the Slack message): with ``mean`` and ``sd`` of the baseline's
hourly counts, and a noise floor ``spread = max(sd, sqrt(mean), 1)`` (counts are Poisson-like, so a
quiet baseline with sd 0 must not make 2 posts a "spike"), the last hour is a spike when

    current >= min_count  and  current >= mean + sensitivity * spread
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Spike", "detect_spike"]


@dataclass(frozen=True, slots=True)
class Spike:
    current: int
    baseline_mean: float
    threshold: float

    @property
    def ratio(self) -> float | None:
        return self.current / self.baseline_mean if self.baseline_mean else None


def detect_spike(
    current: int, baseline: Sequence[int], *, sensitivity: float, min_count: int
) -> Spike | None:
    """A :class:`Spike` when ``current`` is well above ``baseline`` (hourly counts), else None."""
    if sensitivity < 0 or min_count < 1:
        raise ValueError("sensitivity must be >= 0 and min_count >= 1")
    mean = sum(baseline) / len(baseline) if baseline else 0.0
    variance = sum((x - mean) ** 2 for x in baseline) / len(baseline) if baseline else 0.0
    spread = max(math.sqrt(variance), math.sqrt(mean), 1.0)
    threshold = max(float(min_count), mean + sensitivity * spread)
    if current >= threshold:
        return Spike(current=current, baseline_mean=round(mean, 2), threshold=round(threshold, 2))
    return None
