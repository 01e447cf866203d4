"""The eval report marks each dev set against the F1 the project asks of the default scorer."""

import pytest

from social_care.scoring.data import AIRLINE_REASON_CATEGORY, Row
from social_care.scoring.evaluate import TARGETS, category_eval, format_report


def _row(name, lang, f1):
    return {"set": name, "lang": lang, "n": 100, "flag_rows": 30, "f1": {"default": f1, "vader": 0.5},
            "precision": {"default": 0.81, "vader": 0.4}, "recall": {"default": 0.72, "vader": 0.6},
            "macro_f1": {"default": 0.6, "vader": 0.4}, "lang_acc": {"default": 1.0, "vader": 1.0}}


def test_targets_marked_met_or_missed_for_the_first_scorer():
    res = {"rows": [_row("en_airline", "en", 0.90), _row("ko_nsmc", "ko", 0.60), _row("en_apple", "en", 0.7)],
           "posts_per_second": {"default": 20000.0, "vader": 15000.0}, "n_posts": 300,
           "scorers": ["default", "vader"]}
    lines = format_report(res).splitlines()
    assert "target (default)" in lines[1]
    airline, korean, apple = lines[2], lines[3], lines[4]
    assert airline.endswith("0.90 met")
    assert korean.endswith("0.80 missed")
    assert "met" not in apple and "missed" not in apple  # no target for this set
    assert lines[-1].endswith("default 20,000, vader 15,000")
    assert "P default" in lines[1] and "R default" in lines[1]
    assert "0.810      0.720" in airline
    assert "flag recall" not in format_report(res)


def test_report_says_when_the_default_scorer_runs_at_a_chosen_recall():
    res = {"rows": [_row("en_airline", "en", 0.85)], "posts_per_second": {"default": 1.0}, "n_posts": 100,
           "scorers": ["default"], "flag_recall": 0.9}
    lines = format_report(res).splitlines()
    assert lines[1].startswith("default scorer at flag recall 0.90")


def test_every_language_the_issue_names_has_a_target():
    langs = {lg for _, lg in TARGETS}
    assert langs == {"en", "fa", "ko", "ar", "de", "es", "fr", "hi", "it", "pt"}


def _airline(text, reason, set_name="en_airline"):
    return Row(text, "negative", True, "en", set_name, reason)


def test_category_eval_scores_categorize_against_the_airline_reasons():
    dev = [
        _airline("@united my flight is delayed 4 hours", "Late Flight"),  # delivery: right
        _airline("@united on hold for an hour, nobody answers", "Customer Service Issue"),  # right
        _airline("@united my suitcase arrived smashed", "Damaged Luggage"),  # damaged: right
        _airline("@united the seat was dirty", "Bad Flight"),  # other: right
        _airline("@united rude agent at the gate", "Late Flight"),  # customer_service: wrong
        _airline("@united delayed again", ""),  # no reason stated: not counted
        _airline("@united delayed again", "Late Flight", set_name="en_apple"),  # another set: not counted
    ]
    res = category_eval(dev)
    assert res["n"] == 5
    assert res["accuracy"] == pytest.approx(4 / 5)
    per = res["per_category"]
    assert per["delivery"] == {"n": 2, "f1": pytest.approx(2 / 3, abs=1e-4)}  # 1 of 2 found, nothing wrongly
    assert per["customer_service"] == {"n": 1, "f1": pytest.approx(2 / 3, abs=1e-4)}  # found, plus 1 wrong
    assert per["refund"]["n"] == 0 and per["account"]["n"] == 0
    # macro-F1 over the categories that occur (delivery, damaged, customer_service, other)
    assert res["macro_f1"] == pytest.approx((2 / 3 + 1 + 2 / 3 + 1) / 4, abs=1e-3)
    assert category_eval([_airline("x", "")]) is None


def test_every_airline_reason_maps_to_a_category():
    from social_care.scoring.base import CATEGORIES

    assert set(AIRLINE_REASON_CATEGORY.values()) <= set(CATEGORIES)


def test_report_shows_the_category_line():
    res = {"rows": [_row("en_airline", "en", 0.85)], "posts_per_second": {"default": 1.0}, "n_posts": 100,
           "scorers": ["default"],
           "categories": {"set": "en_airline", "n": 10, "accuracy": 0.6, "macro_f1": 0.5,
                          "per_category": {"delivery": {"n": 6, "f1": 0.7}, "refund": {"n": 0, "f1": 0.0},
                                           "other": {"n": 4, "f1": 0.3}}}}
    last = format_report(res).splitlines()[-1]
    assert "issue category of the 10 en_airline dev complaints" in last
    assert "accuracy 0.600, macro-F1 0.500" in last
    assert "delivery 0.70 (n=6)" in last and "other 0.30 (n=4)" in last and "refund" not in last


def test_report_names_per_language_levels():
    res = {"rows": [_row("en_airline", "en", 0.85)], "posts_per_second": {"default": 1.0}, "n_posts": 100,
           "scorers": ["default"], "flag_recall": 0.9, "flag_recall_by_lang": {"ko": 0.95, "de": 0.6}}
    line = format_report(res).splitlines()[1]
    assert line.startswith("default scorer at flag recall 0.90, de 0.60, ko 0.95 (")
