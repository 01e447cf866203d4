"""The eval report marks each dev set against the F1 the project asks of the default scorer."""

from social_care.scoring.evaluate import TARGETS, format_report


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
    assert airline.endswith("0.88 met")
    assert korean.endswith("0.75 missed")
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
