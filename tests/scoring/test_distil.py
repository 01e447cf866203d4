"""Distillation: the encoder head labels unlabelled posts (distil.py), and train.py fits the hashed flag head on
them beside the labelled sets (--distil), never the thresholds' tuning nor the positive head."""

import csv
import json
import random

import numpy as np
import pytest

from social_care.scoring import features as F
from social_care.scoring.distil import teacher_margins, unlabelled_texts, write_teacher_file
from social_care.scoring.encoder import DIM
from social_care.scoring.model import LinearModel, default_model
from social_care.scoring.train import DISTIL_SET, TrainConfig, main, train

from .test_train import _dataset, _make, _write


def test_unlabelled_texts_skip_empty_and_repeated_posts(tmp_path):
    _write(tmp_path / "en_twcs_unlabeled" / "all.csv", ["text", "label", "brand"],
           [["@shop where is my parcel", "unlabeled", "shop"], ["", "unlabeled", "shop"],
            ["@shop where is my parcel", "unlabeled", "shop"], ["thanks!", "unlabeled", "shop"]])
    assert unlabelled_texts(tmp_path) == ["@shop where is my parcel", "thanks!"]
    assert unlabelled_texts(tmp_path, limit=1) == ["@shop where is my parcel"]
    with pytest.raises(ValueError, match="unlabelled posts not found"):
        unlabelled_texts(tmp_path / "nothing")


def test_the_teacher_is_the_encoder_head_on_every_post(tmp_path):
    # a head that copies the hashed margin (weight 1, no bias, threshold 0): its decision is the hashed one
    w2 = np.zeros(DIM + 1, dtype=np.float16)
    w2[-1] = 1.0
    meta = {"thresholds": {}, "default_threshold": 0.0, "bands": {}, "default_band": 0.0, "recall_curves": {},
            "margin_scale": 1.0}
    np.savez_compressed(tmp_path / "head.npz", w2=w2, b2=np.float32(0.0), meta=np.array(json.dumps(meta)))
    texts = ["@shop my parcel never arrived, I want a refund", "thanks a lot, the delivery was quick!"]
    margin, langs = teacher_margins(texts, head_path=tmp_path / "head.npz", cache_dir=tmp_path / "cache",
                                    progress=False)
    hashed = [s.flagged for s in default_model().score_batch(texts, with_reasons=False)]
    assert langs == ["en", "en"] and [m > 0 for m in margin] == hashed == [True, False]
    assert (tmp_path / "cache" / "twcs.npz").exists()  # embedded once, cached
    out = tmp_path / "teacher.csv"
    assert write_teacher_file(out, texts, np.array([2.5, -0.4]), langs, min_margin=1.0) == (1, 1)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows == [{"text": texts[0], "flagged": "true", "lang": "en", "teacher_margin": "2.500"}]


def test_distilled_rows_join_the_flag_head_only(tmp_path):
    data = tmp_path / "data"
    _dataset(data)
    rng = random.Random(2)
    filler = "the my order today with your app and again this shop from".split()
    dist = tmp_path / "distilled.csv"
    _write(dist, ["text", "flagged", "lang", "teacher_margin"],
           [[_make(rng, ["zorblax" if i % 2 else "quinzel"], filler), "true" if i % 2 else "false", "en",
             "2.0" if i % 2 else "-2.0"] for i in range(80)])

    def fit(name, **kw):
        cfg = TrainConfig(data_dir=data, out=tmp_path / name, bits=14, write_card=False, evaluate=False,
                          progress=False, **kw)
        return cfg, train(cfg)

    _, base = fit("base.npz")
    cfg, meta = fit("dist.npz", distil=[dist], distil_weight=1.0)
    assert meta["distil_rows"] == 80 and meta["feedback_rows"] == 0
    assert meta["sets"][DISTIL_SET]["train_rows"] == 80 and meta["fit_rows"] == base["fit_rows"] + 80
    assert any("distilled: 80 rows (40 flagged by the teacher)" in line for line in cfg.log)

    def scores(name, text):
        lm = LinearModel(tmp_path / name)
        s = lm.raw_scores(F.featurize([text]))[0][0]
        return float(s[0]) - lm.thresholds["en"], float(s[1])

    zorblax, quinzel = "the zorblax again with your app", "the quinzel again with your app"
    assert scores("dist.npz", zorblax)[0] > scores("base.npz", zorblax)[0] + 1.0
    assert scores("dist.npz", quinzel)[0] < scores("base.npz", quinzel)[0] - 1.0
    # the teacher gives no sentiment label: the positive head does not see these rows
    assert scores("dist.npz", zorblax)[1] == pytest.approx(scores("base.npz", zorblax)[1], abs=1e-3)
    assert main(["--data-dir", str(data), "--out", str(tmp_path / "cli.npz"), "--bits", "12", "--no-eval",
                 "--distil", str(dist), "--distil-weight", "0.25"]) == 0
    assert LinearModel(tmp_path / "cli.npz").meta["distil_weight"] == 0.25
