"""The urgency formula and the wait colours: pure functions."""

from __future__ import annotations

import pytest

from social_care.queue import urgency, wait_state


def u(**kw: object) -> float:
    base: dict[str, object] = {"polarity": -0.5, "flagged": True, "followers": 100, "waited_minutes": 30,
                               "target_minutes": 60}
    base.update(kw)
    return urgency(**base)  # type: ignore[arg-type]


def test_bounds() -> None:
    assert u(polarity=0.9, flagged=False, followers=0, waited_minutes=0) == 0
    assert u(polarity=-1, flagged=True, followers=10**9, waited_minutes=10**6) == 100
    assert u(polarity=None, flagged=False, followers=None, waited_minutes=-5) == 0  # unknowns and clock skew


@pytest.mark.parametrize(
    ("calmer", "angrier"),
    [
        ({"polarity": -0.1}, {"polarity": -0.9}),
        ({"flagged": False}, {"flagged": True}),
        ({"followers": 10}, {"followers": 50_000}),
        ({"followers": None}, {"followers": 1}),
        ({"waited_minutes": 5}, {"waited_minutes": 50}),
        ({"target_minutes": 240}, {"target_minutes": 30}),  # same wait, tighter channel target
    ],
)
def test_each_factor_raises_urgency(calmer: dict[str, object], angrier: dict[str, object]) -> None:
    assert u(**angrier) > u(**calmer)


def test_positive_polarity_counts_as_no_anger() -> None:
    assert u(polarity=0.8, flagged=False) == u(polarity=0.0, flagged=False)


def test_waiting_is_capped_at_twice_the_target() -> None:
    assert u(waited_minutes=120) == u(waited_minutes=10_000)
    assert u(waited_minutes=119) < u(waited_minutes=120)


def test_overdue_outranks_equally_angry_fresh_post_even_with_more_reach() -> None:
    overdue = u(waited_minutes=90, followers=100)
    fresh_famous = u(waited_minutes=1, followers=20_000)
    assert overdue > fresh_famous


def test_reach_saturates_at_a_million() -> None:
    assert u(followers=1_000_000) == u(followers=50_000_000)


@pytest.mark.parametrize(
    ("waited", "state"), [(0, "ok"), (44.9, "ok"), (45, "near"), (59.9, "near"), (60, "over"), (600, "over")]
)
def test_wait_state(waited: float, state: str) -> None:
    assert wait_state(waited, 60) == state
