"""A small end-to-end training run on a synthetic data set written by the test."""

import csv
import random

import numpy as np
import pytest

from social_care.scoring import features as F
from social_care.scoring.data import FEEDBACK_SET, Row, load_feedback
from social_care.scoring.model import DefaultScorer, LinearModel
from social_care.scoring.train import (
    MAX_FALSE_POSITIVE_RATE,
    RECALL_LEVELS,
    TrainConfig,
    main,
    nb_ratios,
    recall_curves,
    train,
    tune_thresholds,
)

NEG_EN = ["terrible", "awful", "never arrived", "worst", "broken", "refund now", "hate", "useless"]
POS_EN = ["great", "love it", "thanks", "awesome", "perfect", "fast delivery", "happy"]
NEU_EN = ["what time", "is the store", "open on sunday", "new model", "the price of", "tomorrow"]
NEG_ES = ["pésimo", "horrible", "nunca llegó", "odio", "roto"]
POS_ES = ["genial", "me encanta", "gracias", "perfecto"]
NEG_KO = ["최악", "별로", "환불", "짜증"]
POS_KO = ["최고", "좋아요", "감사", "재밌"]


def _write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _make(rng, words, filler):
    return " ".join(rng.sample(filler, 2) + [rng.choice(words)] + rng.sample(filler, 2))


def _dataset(root):
    rng = random.Random(0)
    filler_en = "the my order today with your app and again this shop from".split()
    filler_es = "el mi pedido hoy con la tienda y otra vez".split()
    filler_ko = "이 영화 정말 오늘 배우 그냥".split()

    def en_rows(n):
        out = []
        for i in range(n):
            lab = ["negative", "positive", "neutral"][i % 3]
            words = {"negative": NEG_EN, "positive": POS_EN, "neutral": NEU_EN}[lab]
            out.append([_make(rng, words, filler_en), lab])
        return out

    _write(root / "en_tweeteval" / "train.csv", ["text", "label"], en_rows(400))
    _write(root / "en_tweeteval" / "dev.csv", ["text", "label"], en_rows(45))
    xl = []
    for split, n in (("train", 120), ("dev", 40)):
        rows = []
        for i in range(n):
            lab = "negative" if i % 2 else "positive"
            if i % 4 < 2:
                rows.append([_make(rng, NEG_ES if lab == "negative" else POS_ES, filler_es), lab, "es"])
            else:
                rows.append([_make(rng, NEG_EN if lab == "negative" else POS_EN, filler_en), lab, "en"])
        _write(root / "multi_xlmt" / f"{split}.csv", ["text", "label", "lang"], rows)
        xl += rows
    ko = []
    for i in range(500):
        lab = "negative" if i % 2 else "positive"
        ko.append([_make(rng, NEG_KO if lab == "negative" else POS_KO, filler_ko), lab, "x", "x", "", str(i), "1",
                   "", "ko"])
    _write(root / "ko_nsmc" / "train.csv",
           ["text", "label", "rating_raw_1_10", "stars_1_5", "nsmc_binary_label", "source_id", "movie_id", "date",
            "lang"], ko)


def test_train_end_to_end(tmp_path):
    data = tmp_path / "data"
    _dataset(data)
    out = tmp_path / "model" / "scorer.npz"
    cfg = TrainConfig(data_dir=data, out=out, bits=14, write_card=False, evaluate=True, progress=False)
    meta = train(cfg)
    assert out.exists()
    assert set(meta["sets"]) == {"en_tweeteval", "multi_xlmt", "ko_nsmc"}
    assert meta["sets"]["multi_xlmt"]["train_rows"] == 60  # English part left out
    assert {"en", "es", "ko"} <= set(meta["thresholds"])
    assert meta["nb"] is True and meta["tune_folds"] == 5
    # the shipped heads are fitted on the whole train split; the thresholds come from out-of-fold scores
    assert meta["fit_rows"] == sum(s["train_rows"] for s in meta["sets"].values())
    rows = {(r["set"], r["lang"]): r for r in meta["eval"]["rows"]}
    assert rows[("en_tweeteval", "en")]["f1"]["default"] > 0.8
    assert rows[("ko_nsmc", "ko")]["f1"]["default"] > 0.8
    sc = DefaultScorer(LinearModel(out))
    s = sc.score("the order was terrible and never arrived")
    assert s.flagged and s.lang == "en" and s.reasons
    assert not sc.score("thanks, love it, perfect").flagged
    assert sc.score("최악 별로 환불").flagged
    # operating points: a higher recall flags at a lower threshold, so never fewer posts
    assert {"en", "ko"} <= set(meta["recall_curves"])
    model = LinearModel(out)
    texts = [r[0] for r in csv.reader((data / "en_tweeteval" / "dev.csv").open(encoding="utf-8"))][1:]
    flagged = {r: sum(s.flagged for s in DefaultScorer(model, recall=r).score_many(texts)) for r in (0.5, 0.99)}
    best = sum(s.flagged for s in DefaultScorer(model).score_many(texts))
    assert flagged[0.5] <= best <= flagged[0.99] and flagged[0.5] < flagged[0.99]
    with pytest.raises(ValueError, match="between 0.50 and 0.99"):
        DefaultScorer(model, recall=0.3)
    model.recall_curves = {}  # a model file written before the curves existed
    with pytest.raises(ValueError, match="no recall curves"):
        DefaultScorer(model, recall=0.9)
    # training is deterministic
    out2 = tmp_path / "model2.npz"
    train(TrainConfig(data_dir=data, out=out2, bits=14, write_card=False, evaluate=False, progress=False))
    a, b = np.load(out), np.load(out2)
    assert np.array_equal(a["table"], b["table"])


def test_features_consistent_between_batch_and_single():
    texts = ["I am NOT happy!!!!", "", "می‌تونست بهتر باشه", "배송이 늦어요", "x\x00y"]
    b = F.featurize(texts)
    for i, t in enumerate(texts):
        one = F.featurize([t])
        assert one.norm(0) == b.norm(i)
        assert one.counts[0] == b.counts[i]


def test_normalize():
    assert F.normalize("Sooooo BAD!!!!!! @Delta http://t.co/x") == " sooo bad!!! @user http"
    assert F.normalize("zero\u200bwidth") == " zerowidth"


def test_lexicon_features_match_tokens():
    h, v = F.lexicon_hashes(["terrible", "Great", "बढ़िया", "can't stand"], [-3.0, 3.0, 2.5, -2.0])
    assert len(h) == 3  # multi-word entries are left out
    b = F.featurize(["TERRIBLE service", "great, बढ़िया!", "nothing here"])
    d = F.dense_features(b, h, v)
    assert d.shape == (3, F.N_DENSE)
    assert d[0, 0] < 0 and d[0, 1] == 0 and d[0, 2] > 0
    assert d[1, 0] == 0 and d[1, 1] > 0 and d[1, 3] == 2 * F.LEX_SCALE
    assert not d[2].any()


def test_extra_lexicon_parses():
    words = F.extra_lexicon()
    assert len(words) > 200
    assert all(-4 <= v <= 4 for _, v in words)


def test_nb_ratios_sign_smoothing_and_dense_columns():
    from scipy import sparse

    # columns: only in flagged posts, only in unflagged ones, in both equally, nowhere; then 2 dense columns
    X = sparse.csr_matrix(np.array([
        [1, 0, 1, 0, 0.3, 5],
        [2, 0, 0, 0, 0.1, 1],
        [0, 1, 1, 0, 0.2, 2],
        [0, 3, 0, 0, 0.9, 7],
    ], dtype=np.float32))
    y = np.array([True, True, False, False])
    r = nb_ratios(X, y, alpha=1.0, n_dense=2)
    assert r[0] > 0 > r[1]
    assert r[0] == -r[1]  # presence counts, so the value 2 or 3 in a cell counts once
    assert abs(r[2]) < 1e-6 and abs(r[3]) < 1e-6
    assert np.isclose(r[0], np.log(3.0))  # (2+1)/(0+1), both classes having the same total
    assert list(r[4:]) == [1.0, 1.0]


def test_thresholds_never_flag_most_content_posts_of_a_language():
    rng = np.random.default_rng(3)
    rows, scores = [], []
    for i in range(600):
        flag = i % 3 == 0
        # "es": the score separates; "hi": the score is noise, so the best F1 alone would be "flag everything"
        rows.append(Row(f"es {i}", "negative" if flag else "neutral", flag, "es", "multi_xlmt"))
        scores.append((1.0 if flag else -1.0) + rng.normal(0, 0.3))
        rows.append(Row(f"hi {i}", "negative" if flag else "neutral", flag, "hi", "multi_xlmt"))
        scores.append(rng.normal(0, 1.0))
    scores = np.array(scores)
    th, default = tune_thresholds(rows, scores)
    y = np.array([r.flag for r in rows])
    for lg in ("es", "hi"):
        m = np.array([r.lang == lg for r in rows])
        assert np.mean(scores[m & ~y] > th[lg]) <= MAX_FALSE_POSITIVE_RATE
    es = np.array([r.lang == "es" for r in rows])
    assert -0.7 < th["es"] < 0.7
    assert np.mean(scores[es & y] > th["es"]) > 0.95


def test_card_only_rewrites_the_card_of_an_existing_model(tmp_path, capsys):
    data = tmp_path / "data"
    _dataset(data)
    out = tmp_path / "model" / "scorer.npz"
    train(TrainConfig(data_dir=data, out=out, bits=14, write_card=False, evaluate=False, progress=False))
    before = out.read_bytes()
    assert main(["--card-only", "--out", str(out), "--data-dir", str(data)]) == 0
    assert out.read_bytes() == before  # not retrained
    card = (out.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "naive-Bayes log-count ratio" in card and "out-of-fold scores of the train split" in card
    assert f"more than {MAX_FALSE_POSITIVE_RATE:.0%} of a language's posts" in card
    assert "## Against the targets of the issue" in card
    assert "ko_nsmc" in card.split("## Against the targets")[1]
    assert "## Operating points (`SOCIAL_CARE_FLAG_RECALL`, `SOCIAL_CARE_FLAG_RECALL_BY_LANG`)" in card
    assert "| ko |" in card.split("## Operating points")[1]


def test_recall_curves_catch_the_share_asked_for():
    rng = np.random.default_rng(5)
    rows, scores = [], []
    for i in range(900):
        flag = i % 3 == 0
        lang = "de" if i < 600 else "pt"
        rows.append(Row(f"{lang} {i}", "negative" if flag else "neutral", flag, lang, "multi_xlmt"))
        scores.append((0.8 if flag else -0.8) + rng.normal(0, 1.0))
    rows.append(Row("few", "negative", True, "ko", "ko_nsmc"))  # one unhappy Korean post: no curve
    scores.append(1.0)
    scores = np.array(scores)
    curves = recall_curves(rows, scores)
    assert set(curves) == {"de", "pt"}
    y = np.array([r.flag for r in rows])
    de = np.array([r.lang == "de" for r in rows])
    c = curves["de"]
    assert c["recall"] == [float(r) for r in RECALL_LEVELS] and c["unhappy_posts"] == 200
    for r, t, p in zip(c["recall"], c["threshold"], c["precision"]):
        caught = scores[de & y] > t
        assert caught.mean() >= r  # at least the share asked for ...
        assert (caught.sum() - 1) / (de & y).sum() < r  # ... and the highest threshold that does it
        assert p == pytest.approx((scores[de & y] > t).sum() / (scores[de] > t).sum(), abs=1e-4)
    assert all(a >= b for a, b in zip(c["threshold"], c["threshold"][1:]))
    # asking for more recall costs precision
    assert c["precision"][0] > c["precision"][-1]


def test_out_of_fold_scores_come_from_heads_that_never_saw_the_row():
    from social_care.scoring.train import _fit_flag, _matrix, out_of_fold_scores

    rng = random.Random(4)
    # random labels and one unique made-up word per row: a head that saw a row memorises it, others cannot
    rows = [Row(f"zq{rng.getrandbits(40):x}k", "negative" if i % 2 else "neutral", bool(i % 2), "en", "en_tweeteval")
            for i in range(300)]
    cfg = TrainConfig(bits=14, progress=False)
    X = _matrix(rows, cfg.bits, False, "t")
    y = np.array([r.flag for r in rows])
    coef, icpt = _fit_flag(cfg, X, rows)
    seen = np.asarray(X @ coef).ravel() + icpt

    def auc(s):
        return np.mean(s[y][:, None] > s[~y][None, :])

    oof = out_of_fold_scores(cfg, X, rows)
    assert auc(seen) > 0.95
    assert 0.35 < auc(oof) < 0.65


FEEDBACK_HEADER = ["text", "label", "flagged", "category", "lang", "channel", "external_id", "corrected_by"]


def test_load_feedback_reads_the_export(tmp_path):
    fb = tmp_path / "feedback.csv"
    _write(fb, FEEDBACK_HEADER, [
        ["parcel lost again", "negative", "true", "delivery", "en", "x.mention", "1", "jane"],
        ["is the shop open?", "negative", "false", "", "en", "x.mention", "2", "jane"],  # reviewer unflagged it
        ["pedido perfecto", "positive", "", "", "es", "facebook.comment", "3", "bob"],  # no flag: label decides
        ["   ", "negative", "true", "", "en", "x.mention", "4", "bob"],  # no text
        ["who knows", "", "", "", "", "x.dm", "5", "bob"],  # nothing to learn from
        ["odd flag", "negative", "maybe", "", "en", "x.dm", "6", "bob"],
        ["odd label", "angry", "true", "", "", "x.dm", "7", "bob"],
    ])
    rows, problems = load_feedback(fb)
    assert [(r.text, r.flag, r.label, r.lang, r.set) for r in rows] == [
        ("parcel lost again", True, "negative", "en", FEEDBACK_SET),
        ("is the shop open?", False, "negative", "en", FEEDBACK_SET),
        ("pedido perfecto", False, "positive", "es", FEEDBACK_SET),
        ("odd label", True, None, "und", FEEDBACK_SET),
    ]
    assert len(problems) == 4
    assert "row 5: no text" in problems[0] and "row 6: neither" in problems[1]
    assert "row 7: flagged is 'maybe'" in problems[2] and "row 8: unknown label 'angry'" in problems[3]

    bad = tmp_path / "bad.csv"
    _write(bad, ["body", "flagged"], [["x", "true"]])
    with pytest.raises(ValueError, match="no `text` column"):
        load_feedback(bad)
    bad.write_bytes("text,flagged\ncaf\xe9,true\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not valid UTF-8"):
        load_feedback(bad)
    with pytest.raises(ValueError, match="cannot read"):
        load_feedback(tmp_path / "missing.csv")


def test_reviewers_corrections_are_fitted_with_the_sets(tmp_path):
    data = tmp_path / "data"
    _dataset(data)
    rng = random.Random(1)
    filler = "the my order today with your app and again this shop from".split()
    fb = tmp_path / "feedback.csv"
    rows = []
    for i in range(80):  # this team's unhappy customers say "zorblax"; "quinzel" is a product name
        word = "zorblax" if i % 2 else "quinzel"
        rows.append([_make(rng, [word], filler), "negative" if i % 2 else "neutral", "true" if i % 2 else "false",
                     "", "en", "x.mention", str(i), "jane"])
    rows.append(["", "negative", "true", "", "en", "x.mention", "x", "jane"])
    _write(fb, FEEDBACK_HEADER, rows)

    def fit(name, **kw):
        cfg = TrainConfig(data_dir=data, out=tmp_path / name, bits=14, write_card=False, evaluate=False,
                          progress=False, **kw)
        return cfg, train(cfg)

    _, base = fit("base.npz")
    cfg, meta = fit("fb.npz", feedback=[fb])
    assert meta["feedback_rows"] == 80 and meta["sets"][FEEDBACK_SET]["train_rows"] == 80
    assert meta["fit_rows"] == base["fit_rows"] + 80
    assert any("feedback: 80 rows from 1 file(s)" in line and "1 left out" in line for line in cfg.log)
    def flag_score(name, text):
        lm = LinearModel(tmp_path / name)
        return float(lm.raw_scores(F.featurize([text]))[0][0, 0]) - lm.thresholds["en"]

    zorblax, quinzel = "the zorblax again with your app", "the quinzel again with your app"
    assert flag_score("fb.npz", zorblax) > flag_score("base.npz", zorblax) + 1.0
    assert flag_score("fb.npz", quinzel) < flag_score("base.npz", quinzel) - 1.0
    assert flag_score("fb.npz", zorblax) > 0 > flag_score("fb.npz", quinzel)
    assert "zorblax" in DefaultScorer(LinearModel(tmp_path / "fb.npz")).score(zorblax).reasons
    # the model card says the corrections are inside
    assert main(["--data-dir", str(data), "--out", str(tmp_path / "fb.npz"), "--card-only"]) == 0
    card = (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Reviewers' corrections inside:** 80 rows" in card and "| feedback | 80 | 0 |" in card
    # the command line takes the file too, and says what is wrong with a bad one
    assert main(["--data-dir", str(data), "--out", str(tmp_path / "cli.npz"), "--bits", "12", "--no-eval",
                 "--feedback", str(fb), "--feedback-weight", "2"]) == 0
    assert LinearModel(tmp_path / "cli.npz").meta["feedback_weight"] == 2.0
    assert main(["--data-dir", str(data), "--out", str(tmp_path / "x.npz"), "--no-eval",
                 "--feedback", str(tmp_path / "nope.csv")]) == 2


def test_train_command_reports_a_bad_feedback_file(tmp_path):
    from typer.testing import CliRunner

    from social_care.scoring.cli import app

    data = tmp_path / "data"
    _dataset(data)
    bad = tmp_path / "fb.csv"
    _write(bad, ["body", "flagged"], [["x", "true"]])
    r = CliRunner().invoke(app, ["train", "--data-dir", str(data), "--feedback", str(bad), "--no-eval",
                                 "--out", str(tmp_path / "m.npz")])
    assert r.exit_code == 2 and "has no `text` column" in r.output
    assert not (tmp_path / "m.npz").exists()
