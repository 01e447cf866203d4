"""A team picks how many unhappy customers the flag should catch (SOCIAL_CARE_FLAG_RECALL)."""

import csv
import io

import pytest
from typer.testing import CliRunner

from social_care.errors import ConfigError
from social_care.scoring import get_scorer
from social_care.scoring.cli import app

runner = CliRunner()

POSTS = [
    "my parcel never arrived, worst service ever",
    "where is my order? it was due on monday",
    "the app logged me out again",
    "is the blue one back in stock?",
    "still waiting for the refund you promised",
    "thanks, great job!",
    "the box was a bit dented but the shoes are fine",
    "ich warte seit zwei wochen auf meine bestellung",
    "el paquete llegó tarde otra vez",
    "배송이 너무 늦어요",
] * 3


def _flags(out: str) -> list[str]:
    return [r["flagged"] for r in csv.DictReader(io.StringIO(out))]


def _csv(posts=None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["text"])
    w.writerows([p] for p in (POSTS if posts is None else posts))
    return buf.getvalue()


def test_higher_recall_flags_more_posts_and_only_adds_flags():
    best = get_scorer("default").score_many(POSTS)
    low = get_scorer("default", recall=0.5).score_many(POSTS)
    high = get_scorer("default", recall=0.99).score_many(POSTS)
    n = [sum(s.flagged for s in x) for x in (low, best, high)]
    assert n[0] <= n[1] <= n[2] and n[0] < n[2]
    # the same post flagged at a lower recall stays flagged at a higher one
    assert all(h.flagged for b, h in zip(best, high) if b.flagged)
    assert get_scorer("default", recall=0.9) is get_scorer("default", recall=0.9)
    assert get_scorer("default", recall=0.9) is not get_scorer("default")


def test_recall_outside_the_curves_or_for_another_scorer_is_refused():
    with pytest.raises(ValueError, match="between 0.50 and 0.99"):
        get_scorer("default", recall=0.2)
    with pytest.raises(ValueError, match="default scorer only"):
        get_scorer("vader", recall=0.9)


def test_setting_reaches_the_app_and_bad_values_are_config_errors(make_settings, monkeypatch):
    from social_care.app import build_app

    app_ = build_app(make_settings(SOCIAL_CARE_FLAG_RECALL="0.95"), migrate=False)
    try:
        assert app_.scorer.recall == 0.95
    finally:
        app_.engine.dispose()
    with pytest.raises(ConfigError, match="SOCIAL_CARE_FLAG_RECALL"):
        make_settings(SOCIAL_CARE_FLAG_RECALL="1.5")
    with pytest.raises(ConfigError, match="invalid scoring settings"):
        build_app(make_settings(SOCIAL_CARE_SCORER="vader", SOCIAL_CARE_FLAG_RECALL="0.9"), migrate=False)
    # empty (as in .env.example) means the model's best-F1 thresholds
    monkeypatch.setenv("SOCIAL_CARE_FLAG_RECALL", "")
    assert make_settings().flag_recall is None


def test_a_model_file_of_the_teams_own(make_settings, monkeypatch, tmp_path):
    import shutil

    from social_care.app import build_app
    from social_care.scoring.model import MODEL_PATH

    ours = tmp_path / "ours.npz"
    shutil.copy(MODEL_PATH, ours)
    app_ = build_app(make_settings(SOCIAL_CARE_MODEL_PATH=str(ours)), migrate=False)
    try:
        assert app_.scorer.model.path == ours
        assert app_.scorer.score("my parcel never arrived, terrible service").flagged
    finally:
        app_.engine.dispose()
    with pytest.raises(ConfigError, match="invalid scoring settings: scorer model file not found"):
        build_app(make_settings(SOCIAL_CARE_MODEL_PATH=str(tmp_path / "missing.npz")), migrate=False)
    with pytest.raises(ConfigError, match="a model file applies to the default scorer only"):
        build_app(make_settings(SOCIAL_CARE_SCORER="vader", SOCIAL_CARE_MODEL_PATH=str(ours)), migrate=False)
    monkeypatch.setenv("SOCIAL_CARE_MODEL_PATH", "")  # empty, as in .env.example: the shipped model
    assert make_settings().model_path is None
    assert get_scorer("default", model_path="") is get_scorer("default")


def test_score_command_takes_the_recall_from_option_or_environment():
    base = runner.invoke(app, ["score", "-"], input=_csv())
    high = runner.invoke(app, ["score", "-", "--recall", "0.99"], input=_csv())
    env = runner.invoke(app, ["score", "-"], input=_csv(), env={"SOCIAL_CARE_FLAG_RECALL": "0.99"})
    assert base.exit_code == high.exit_code == env.exit_code == 0, (base.output, high.output, env.output)
    assert _flags(high.stdout).count("true") > _flags(base.stdout).count("true")
    assert _flags(env.stdout) == _flags(high.stdout)
    bad = runner.invoke(app, ["score", "-", "--recall", "1.5"], input=_csv())
    assert bad.exit_code == 2 and "recall" in bad.output.lower()


def test_eval_command_reports_precision_and_recall_at_the_chosen_level(tmp_path):
    from tests.scoring.test_train import _dataset

    _dataset(tmp_path)
    base = runner.invoke(app, ["eval", "--data-dir", str(tmp_path), "--scorers", "default", "--json"])
    high = runner.invoke(app, ["eval", "--data-dir", str(tmp_path), "--scorers", "default", "--json",
                               "--recall", "0.99"])
    assert base.exit_code == high.exit_code == 0, (base.output, high.output)
    import json

    b, h = json.loads(base.stdout), json.loads(high.stdout)
    assert b["flag_recall"] is None and h["flag_recall"] == 0.99
    for rb, rh in zip(b["rows"], h["rows"]):
        assert rh["recall"]["default"] >= rb["recall"]["default"]
    table = runner.invoke(app, ["eval", "--data-dir", str(tmp_path), "--scorers", "default,vader",
                                "--recall", "0.9"])
    assert table.exit_code == 0, table.output
    assert "default scorer at flag recall 0.90" in table.stdout and "R default" in table.stdout


GERMAN = ["ich warte seit zwei wochen auf meine bestellung", "Sind die Handtücher aus Bio-Baumwolle?",
          "Hat geklappt. Vielen Dank!", "Das Paket ist angekommen, aber die Lampe ist kaputt",
          "Liefert ihr auch in die Schweiz?", "Der Kundenservice antwortet nicht."]


def test_per_language_recall_moves_only_that_language():
    best = get_scorer("default")
    few = get_scorer("default", recall_by_lang="de=0.5")
    many = get_scorer("default", recall_by_lang={"DE": 0.99})
    assert few is get_scorer("default", recall_by_lang=" de = 0.5 ")  # cached on the parsed levels
    changed = {lg for lg, t in few._thresholds.items() if t != best.model.thresholds[lg]}
    assert changed == {"de"}
    assert few._thresholds["de"] > best.model.thresholds["de"] > many._thresholds["de"]
    n = [sum(s.flagged for s in sc.score_many(GERMAN)) for sc in (few, best, many)]
    assert n[0] <= n[1] <= n[2] and n[0] < n[2]
    others = [p for p in POSTS if "ich warte" not in p]
    assert [s.flagged for s in few.score_many(others)] == [s.flagged for s in best.score_many(others)]
    # over a global level: the other languages take the global one
    both = get_scorer("default", recall=0.9, recall_by_lang="ko=0.5")
    glob = get_scorer("default", recall=0.9)
    assert both._thresholds["en"] == glob._thresholds["en"]
    assert both._thresholds["ko"] == get_scorer("default", recall_by_lang="ko=0.5")._thresholds["ko"]
    assert both._thresholds["ko"] > glob._thresholds["ko"]


@pytest.mark.parametrize("value,message", [
    ("de", "must look like de=0.6"),
    ("de=lots", "'lots' is not a number"),
    ("german=0.6", "'german' is not a language code"),
    ("de=0.3", "between 0.50 and 0.99"),
    ("sw=0.6", "no flag recall curve for sw"),
])
def test_bad_per_language_recall_is_refused_with_the_reason(value, message):
    with pytest.raises(ValueError, match=message):
        get_scorer("default", recall_by_lang=value)


def test_per_language_setting_reaches_the_app_commands_and_report(make_settings, monkeypatch, tmp_path):
    from social_care.app import build_app

    settings = make_settings(SOCIAL_CARE_FLAG_RECALL_BY_LANG="DE=0.6; ko=0.95")
    assert settings.flag_recall_by_lang == "de=0.6,ko=0.95"
    app_ = build_app(settings, migrate=False)
    try:
        assert app_.scorer.recall_by_lang == {"de": 0.6, "ko": 0.95} and app_.scorer.recall is None
    finally:
        app_.engine.dispose()
    with pytest.raises(ConfigError, match="SOCIAL_CARE_FLAG_RECALL_BY_LANG"):
        make_settings(SOCIAL_CARE_FLAG_RECALL_BY_LANG="de=2")
    with pytest.raises(ConfigError, match="invalid scoring settings: no flag recall curve for sw"):
        build_app(make_settings(SOCIAL_CARE_FLAG_RECALL_BY_LANG="sw=0.6"), migrate=False)
    with pytest.raises(ConfigError, match="per-language flag recall applies to the default scorer only"):
        build_app(make_settings(SOCIAL_CARE_SCORER="vader", SOCIAL_CARE_FLAG_RECALL_BY_LANG="de=0.6"),
                  migrate=False)
    monkeypatch.setenv("SOCIAL_CARE_FLAG_RECALL_BY_LANG", "")
    assert make_settings().flag_recall_by_lang is None

    body = _csv(GERMAN * 2)
    base = runner.invoke(app, ["score", "-"], input=body)
    many = runner.invoke(app, ["score", "-", "--recall-by-lang", "de=0.99"], input=body)
    env = runner.invoke(app, ["score", "-"], input=body, env={"SOCIAL_CARE_FLAG_RECALL_BY_LANG": "de=0.99"})
    assert base.exit_code == many.exit_code == env.exit_code == 0, (base.output, many.output, env.output)
    assert _flags(many.stdout).count("true") > _flags(base.stdout).count("true")
    assert _flags(env.stdout) == _flags(many.stdout)
    bad = runner.invoke(app, ["score", "-", "--recall-by-lang", "de=1.5"], input=body)
    assert bad.exit_code == 2 and "between 0.50 and 0.99" in bad.output

    from tests.scoring.test_train import _dataset

    _dataset(tmp_path)
    table = runner.invoke(app, ["eval", "--data-dir", str(tmp_path), "--scorers", "default",
                                "--recall-by-lang", "de=0.6"])
    assert table.exit_code == 0, table.output
    assert "default scorer at flag recall de 0.60" in table.stdout
    assert "other languages at their best-F1 thresholds" in table.stdout
