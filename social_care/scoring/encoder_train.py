"""Training of the encoder head (the cascade's second stage; needs the `train` extra: scikit-learn).

    python -m social_care.scoring.encoder_train [--data-dir ../shared/data] [--feedback FILE ...]

The encoder runs at about 40-70 posts/s on one core, so the head is trained on a stratified subsample of each
set's train split (SAMPLE_CAPS rows per set and language, the share of unhappy posts kept), embedded once and
cached under .cache/encoder/ (git-ignored). Steps:

1. the hashed model's flag margin of every sampled row, by a hashed flag head fitted on the train split
   *without* the sampled rows (so the margin is what the shipped model gives a post it never saw);
2. the head: an MLP over [embedding, margin] (sklearn at training time, shipped as numpy weights);
3. out-of-fold head scores (5 folds) tune each language's threshold, recall curves and routing: the band of
   hashed margins within which a post goes to the encoder ("all" when the encoder is better on every post);
4. model/encoder_head.npz (float16 weights, a few hundred KB).

Reviewers' corrections (--feedback) join the head's fit (weighted like the hashed model's), not the thresholds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import SETS, Row, available_sets, load_set

if TYPE_CHECKING:
    from .model import LinearModel

# rows per (set, language) of the train split the head is fitted on
SAMPLE_CAPS: dict[str, int] = {
    "en_airline": 1500, "en_tweeteval": 2500, "en_complaints": 1200, "en_apple": 500, "en_brand_emotions": 500,
    "multi_xlmt": 800, "fa_snappfood": 1000, "fa_digikala": 700, "fa_sentipers": 700, "ko_nsmc": 2500,
}


def _h(key: str) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest()[:12], 16)


def subsample(rows: Sequence[Row], caps: dict[str, int] = SAMPLE_CAPS, seed: int = 13) -> list[Row]:
    """Deterministic stratified sample: per (set, language) at most caps[set] rows, unhappy and other posts in
    their proportion, chosen by a hash of the text (so a row stays chosen when another set changes)."""
    groups: dict[tuple[str, str, bool], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.set, r.lang, r.flag), []).append(r)
    sizes: dict[tuple[str, str], int] = {}
    for (s, lg, _), rs in groups.items():
        sizes[(s, lg)] = sizes.get((s, lg), 0) + len(rs)
    out: list[Row] = []
    for (s, lg, _f), rs in sorted(groups.items()):
        cap = caps.get(s)
        total = sizes[(s, lg)]
        k = len(rs) if cap is None or total <= cap else int(round(cap * len(rs) / total))
        order = sorted(range(len(rs)), key=lambda i: _h(f"{seed}:{s}:{rs[i].text}:{i}"))
        out += [rs[i] for i in sorted(order[:k])]
    return out


def train_rows(data_dir: Path, sets: Sequence[str] | None = None) -> tuple[list[Row], list[Row], list[str]]:
    """(train, dev, set names) as train.py loads them (multi_xlmt without its English part)."""
    names = [n for n in (sets or available_sets(data_dir)) if n in SETS]
    tr_all: list[Row] = []
    dv_all: list[Row] = []
    for n in names:
        tr, dv = load_set(data_dir, n)
        if n == "multi_xlmt":
            tr = [r for r in tr if r.lang != "en"]
        tr_all += tr
        dv_all += dv
    return tr_all, dv_all, names


def embed_sets(data_dir: Path, what: Sequence[str] = ("train", "dev"), progress: bool | None = None) -> None:
    """Fill the embedding caches: the train subsample ("train") and every dev post ("dev")."""
    from .encoder import EmbeddingCache, embed_cached, load_encoder

    tr, dv, _ = train_rows(data_dir)
    enc = load_encoder()
    if "train" in what:
        sample = subsample(tr)
        embed_cached([r.text for r in sample], EmbeddingCache("train"), enc, progress, "embedding train sample")
    if "dev" in what:
        embed_cached([r.text for r in dv], EmbeddingCache("dev"), enc, progress, "embedding dev")


# margins beyond which routing stops mattering; "all" is stored as a large band
# a fitted head: (w1, b1, w2, b2); w1/b1 None for logistic regression
Params = tuple[np.ndarray | None, np.ndarray | None, np.ndarray, float]

BANDS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 99.0)
ALL = 99.0
# a wider band is only chosen when it gains at least this much mean F1 (each routed post costs ~25-35 ms)
BAND_MIN_GAIN = 0.003
# the widest band per language, for the cascade's speed (issue 14: >= 100 demo posts/s on one core): chosen on
# the dev splits as the narrowest band whose dev F1 of every target set stayed within 0.002 of the band chosen
# out-of-fold (or rose); this routed 149 of the 380 demo posts to the encoder instead of 244 (see MODEL_CARD.md)
BAND_CAPS: dict[str, float] = {"ar": 0.5, "de": 0.75, "en": 1.0, "es": 0.75, "fa": 0.5, "fr": 0.5, "hi": 0.25,
                               "it": 1.5, "ko": 0.25, "pt": 0.25}


@dataclass
class HeadConfig:
    data_dir: Path
    out: Path | None = None
    hidden: int = 0  # hidden ReLU units of an MLP; 0: logistic regression (measured as good, 30x faster to fit)
    alpha: float = 1e-3
    folds: int = 5
    seed: int = 13
    feedback: Sequence[Path] = ()
    feedback_weight: float = 3.0
    progress: bool | None = None
    cache_dir: Path | None = None
    caps: dict[str, Any] = field(default_factory=lambda: dict(SAMPLE_CAPS))
    # the hashed model whose thresholds the margins are measured from (default: the one in use)
    model_path: Path | None = None
    log: list[str] = field(default_factory=list)


def _hashed(model_path: Path | None) -> LinearModel:
    from .model import LinearModel, default_model

    return LinearModel(model_path) if model_path else default_model()


def held_out_margins(data_dir: Path, train: Sequence[Row], sample: Sequence[Row], progress: bool | None = None,
                     cache_dir: Path | None = None, model_path: Path | None = None) -> np.ndarray:
    """The hashed model's flag margin (raw score minus the shipped threshold of the row's language) of every
    sampled row, by a hashed flag head fitted like the shipped one on the train split without the sample.
    Cached by the sample's texts (hashed-margins.npz next to the embeddings)."""
    from . import features as F
    from .encoder import CACHE_DIR, text_key
    from .train import FAMILY_WEIGHTS, TrainConfig, _fit_flag, _matrix

    folder = Path(cache_dir or CACHE_DIR)
    m = _hashed(model_path)
    thr_key = json.dumps(m.thresholds, sort_keys=True).encode()
    digest = hashlib.sha1(b"".join(text_key(r.text) for r in sample) + thr_key).hexdigest()[:16]
    path = folder / f"hashed-margins-{digest}.npy"
    if path.exists():
        return np.load(path)
    keys = {(r.set, r.text) for r in sample}
    rest = [r for r in train if (r.set, r.text) not in keys]
    thr = np.array([m.thresholds.get(r.lang, m.default_threshold) for r in sample])
    if len(rest) < 50 or len({r.flag for r in rest}) < 2:
        # (a tiny data set: nothing is left to fit on) the shipped model's margins, which saw these rows
        raw = m.raw_scores(F.featurize([r.text for r in sample]))[0][:, 0]
        return (raw - thr).astype(np.float32)
    lex_words, lex_vals = F.training_lexicon()
    dense = F.lexicon_hashes(lex_words, lex_vals)
    cfg = TrainConfig(data_dir=data_dir, family_weights=dict(FAMILY_WEIGHTS), progress=progress)
    X = _matrix(rest, cfg.bits, progress, "hashed features (train without the sample)", dense=dense)
    coef, icpt = _fit_flag(cfg, X, rest)
    Xs = _matrix(sample, cfg.bits, progress, "hashed features (sample)", dense=dense)
    raw = np.asarray(Xs @ coef).ravel() + icpt
    out = (raw - thr).astype(np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def _features(emb: np.ndarray, margin: np.ndarray, scale: float) -> np.ndarray:
    m = np.clip(np.asarray(margin, dtype=np.float32) * scale, -4.0, 4.0)
    return np.hstack([emb.astype(np.float32), m[:, None]])


def _fit(cfg: HeadConfig, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> Params:
    """(w1, b1, w2, b2); w1/b1 None for logistic regression."""
    if cfg.hidden:
        from sklearn.neural_network import MLPClassifier  # lazy: scikit-learn is the optional train extra

        clf = MLPClassifier(hidden_layer_sizes=(cfg.hidden,), alpha=cfg.alpha, max_iter=200, early_stopping=False,
                            random_state=cfg.seed, learning_rate_init=1e-3, batch_size=128, tol=1e-4,
                            n_iter_no_change=10)
        clf.fit(X, y, sample_weight=w)
        return (clf.coefs_[0], clf.intercepts_[0], clf.coefs_[1][:, 0], float(clf.intercepts_[1][0]))
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn is the optional train extra

    clf = LogisticRegression(C=1.0 / max(cfg.alpha * 100, 1e-6), max_iter=1000)
    clf.fit(X, y, sample_weight=w)
    return None, None, clf.coef_[0], float(clf.intercept_[0])


def _logits(params: Params, X: np.ndarray) -> np.ndarray:
    w1, b1, w2, b2 = params
    h = np.maximum(X @ w1 + b1, 0.0) if w1 is not None else X
    return h @ w2 + b2


def choose_bands(rows: Sequence[Row], margin: np.ndarray, logit: np.ndarray,
                 thresholds: dict[str, float], default_thr: float
                 ) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Per language, the band of hashed margins routed to the encoder that maximises the mean F1 over the
    language's sets (as tune_thresholds weighs them), with the F1 of each stage alone for the model card."""
    from .evaluate import _f1
    from .train import language_groups

    bands: dict[str, float] = {}
    report: dict[str, dict[str, Any]] = {}
    y, by_lang = language_groups(rows)
    for lg, m, groups in by_lang:
        enc = logit > thresholds.get(lg, default_thr)
        hashed = margin > 0

        def f1_of(pred: np.ndarray, groups: list[np.ndarray] = groups) -> float:
            return float(np.mean([_f1(y[g], pred[g]) for g in groups]))

        scores = {}
        for b in BANDS:
            routed = np.abs(margin) < b
            scores[b] = f1_of(np.where(routed, enc, hashed))
        best = max(scores.values())
        chosen = next(b for b in BANDS if scores[b] >= best - BAND_MIN_GAIN)
        bands[lg] = chosen
        routed_share = float(np.mean(np.abs(margin[m]) < chosen))
        report[lg] = {"hashed_f1": round(f1_of(hashed), 4), "encoder_f1": round(scores[ALL], 4),
                      "cascade_f1": round(scores[chosen], 4), "band": chosen, "routed_share": round(routed_share, 4)}
    return bands, report


def train_head(cfg: HeadConfig) -> dict[str, Any]:
    from .data import load_feedback
    from .encoder import CACHE_DIR, DIM, ENCODER_LICENSE, ENCODER_NAME, HEAD_PATH, EmbeddingCache, embed_cached
    from .train import recall_curves, tune_thresholds

    t0 = time.perf_counter()
    cache_dir = Path(cfg.cache_dir or CACHE_DIR)
    tr, _, names = train_rows(cfg.data_dir)
    if not tr:
        raise ValueError(f"no labelled sets found in {cfg.data_dir}")
    sample = subsample(tr, cfg.caps, cfg.seed)
    emb = embed_cached([r.text for r in sample], EmbeddingCache("train", cache_dir), None, cfg.progress,
                       "embedding train sample")
    margin = held_out_margins(cfg.data_dir, tr, sample, cfg.progress, cache_dir, cfg.model_path)
    scale = 1.0 / max(float(np.std(margin)), 1e-3)
    X = _features(emb, margin, scale)
    y = np.array([r.flag for r in sample])
    w = np.ones(len(sample))
    # out-of-fold logits of the sample: thresholds, recall curves and routing
    fold = np.array([_h(f"fold:{r.set}:{r.text}") % cfg.folds for r in sample])
    oof = np.zeros(len(sample))
    from tqdm import tqdm  # lazy: progress bars only in the offline tools

    disable = (not sys.stderr.isatty()) if cfg.progress is None else (not cfg.progress)
    for f in tqdm(range(cfg.folds), desc="encoder head (out-of-fold)", disable=disable, leave=False):
        fit = fold != f
        oof[~fit] = _logits(_fit(cfg, X[fit], y[fit], w[fit]), X[~fit])
    thresholds, default_thr = tune_thresholds(sample, oof)
    curves = recall_curves(sample, oof)
    bands, report = choose_bands(sample, margin, oof, thresholds, default_thr)
    bands = {lg: min(b, BAND_CAPS.get(lg, b)) for lg, b in bands.items()}
    # the shipped head: the whole sample, plus reviewers' corrections
    fb: list[Row] = []
    for p in cfg.feedback:
        got, problems = load_feedback(p)
        fb += got
        cfg.log.extend(problems[:5])
    if fb:
        hm = _hashed(cfg.model_path)
        fb_emb = embed_cached([r.text for r in fb], EmbeddingCache("feedback", cache_dir), None, cfg.progress,
                              "embedding feedback")
        from .features import featurize

        s, _, _ = hm.raw_scores(featurize([r.text for r in fb]))
        langs = hm.detect_languages([r.text for r in fb])
        fb_margin = s[:, 0] - np.array([hm.thresholds.get(lg, hm.default_threshold) for lg in langs])
        X = np.vstack([X, _features(fb_emb, fb_margin, scale)])
        y = np.concatenate([y, [r.flag for r in fb]])
        w = np.concatenate([w, np.full(len(fb), cfg.feedback_weight)])
    params = _fit(cfg, X, y, w)
    w1, b1, w2, b2 = params
    meta = {
        "version": 1, "encoder": ENCODER_NAME, "encoder_license": ENCODER_LICENSE, "dim": DIM,
        "prefix": "query: ", "hidden": cfg.hidden, "alpha": cfg.alpha, "seed": cfg.seed,
        "margin_scale": scale, "thresholds": thresholds, "default_threshold": default_thr,
        "bands": bands, "band_caps": BAND_CAPS, "default_band": ALL, "recall_curves": curves, "stages": report,
        "sets": {n: {"sample_rows": sum(r.set == n for r in sample)} for n in names},
        "fit_rows": int(len(y)), "feedback_rows": len(fb), "feedback_weight": cfg.feedback_weight,
        "sample_caps": cfg.caps, "trained_seconds": round(time.perf_counter() - t0, 1),
    }
    out = Path(cfg.out) if cfg.out else HEAD_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {"w2": np.asarray(w2, dtype=np.float16), "b2": np.float32(b2),
                              "meta": np.array(json.dumps(meta))}
    if w1 is not None:
        arrays.update(w1=np.asarray(w1, dtype=np.float16), b1=np.asarray(b1, dtype=np.float32))
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(out)
    cfg.log.append(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB) from {len(y)} rows; routing per language "
                   + ", ".join(f"{lg}: band {r['band']:g} ({r['routed_share']:.0%} routed) hashed "
                               f"{r['hashed_f1']:.3f} encoder {r['encoder_f1']:.3f} cascade {r['cascade_f1']:.3f}"
                               for lg, r in sorted(report.items())))
    meta["path"] = str(out)
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    from .train import DEFAULT_DATA_DIR

    ap = argparse.ArgumentParser(description="Train the cascade's encoder head.")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--hidden", type=int, default=0, help="hidden units of the MLP (0: logistic regression)")
    ap.add_argument("--alpha", type=float, default=1e-3)
    ap.add_argument("--feedback", type=Path, action="append", default=[], metavar="CSV")
    ap.add_argument("--embed-only", action="store_true", help="only fill the embedding caches (train and dev)")
    a = ap.parse_args(argv)
    if a.embed_only:
        embed_sets(a.data_dir)
        return 0
    cfg = HeadConfig(data_dir=a.data_dir, out=a.out, hidden=a.hidden, alpha=a.alpha, feedback=a.feedback)
    train_head(cfg)
    print("\n".join(cfg.log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
