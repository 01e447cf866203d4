"""Training of the default scorer (needs the `train` extra: scikit-learn).

    python scripts/train_scorer.py [--data-dir ../shared/data] [--out social_care/scoring/model/scorer.npz]

Fixed seed, deterministic splits (data.py). Steps: featurize every set's train split,
fit the language model (Latin-script and Arabic-script languages), score every train row with a
flag head (logistic regression over NB-scaled features, see nb_ratios) fitted without its fold
(5 folds), tune the flag threshold per language and the recall curves on those out-of-fold scores,
fit the flag and positive heads on the whole train split, write the model file (float16,
compressed) and MODEL_CARD.md next to it. The dev splits are only evaluated.

Reviewers' corrections (`social-care feedback export`, --feedback FILE) join the fit of both heads, each
weighted FEEDBACK_WEIGHT times a labelled post of its language family; they do not move the thresholds.
Posts labelled by the cascade's encoder head (distil.py, --distil FILE) join the fit of the flag head only,
each weighted DISTIL_WEIGHT times a labelled post of its language family; they do not move the thresholds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import features as F
from . import langid
from .base import RECALL_MAX, RECALL_MIN
from .card import card_scorers, write_card
from .data import FEEDBACK_SET, NON_COMMERCIAL, SETS, Row, _frac, available_sets, load_feedback, load_set
from .evaluate import _f1, evaluate, format_report
from .model import MODEL_PATH, DefaultScorer, LinearModel

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
# which dev sets decide each language's threshold (mean F1 over them)
TARGET_SETS = {"en": ("en_airline", "en_tweeteval", "en_complaints")}
# a language's threshold may flag at most this share of its posts that are not unhappy: where the model has
# no signal (romanised Hindi), the best F1 is "flag everything", which would send the apology playbook and a
# Slack ping for nearly every post in that language
MAX_FALSE_POSITIVE_RATE = 0.5
FAMILY_WEIGHTS = {"en": 2.0, "fa": 1.0, "ko": 1.0, "multi": 2.0}
# a reviewer's correction of the team's own traffic counts this many times a labelled post of its language family
FEEDBACK_WEIGHT = 3.0
# a post labelled by the encoder head (distil.py) counts this many times a labelled post of its language family
DISTIL_WEIGHT = 0.5
DISTIL_SET = "distilled"


@dataclass
class TrainConfig:
    data_dir: Path = DEFAULT_DATA_DIR
    out: Path | None = None
    bits: int = 21
    c_flag: float = 10.0
    c_pos: float = 2.0
    # scale each feature by its naive-Bayes log-count ratio before fitting the flag head (NBSVM-style)
    nb: bool = True
    # the thresholds are tuned on out-of-fold scores of train: this many folds
    tune_folds: int = 5
    # sample weights per language family (like a larger C for that family: scripts barely share features)
    family_weights: dict[str, Any] = field(default_factory=lambda: dict(FAMILY_WEIGHTS))
    seed: int = 13
    exclude_non_commercial: bool = False
    sets: Sequence[str] | None = None
    # `social-care feedback export` files: reviewers' corrections, fitted with the sets (not used for thresholds)
    feedback: Sequence[Path] = ()
    feedback_weight: float = FEEDBACK_WEIGHT
    # distil.py files: unlabelled posts labelled by the encoder head, fitted with the flag head only
    distil: Sequence[Path] = ()
    distil_weight: float = DISTIL_WEIGHT
    max_rows_per_set: int | None = None
    write_card: bool = True
    evaluate: bool = True
    progress: bool | None = None
    log: list[str] = field(default_factory=list)


def _bar(total: int, desc: str, progress: bool | None) -> Any:
    from tqdm import tqdm  # lazy: progress bars only in the offline tools

    disable = (not sys.stderr.isatty()) if progress is None else (not progress)
    return tqdm(total=total, desc=desc, disable=disable, leave=False)


def _matrix(rows: Sequence[Row], bits: int, progress: bool | None, desc: str, lang: bool = False,
            dense: tuple[Any, Any] | None = None) -> Any:
    """Hashed features (and, with dense=(lex_hash, lex_val), the N_DENSE lexicon columns after them)."""
    from scipy import sparse  # lazy: scipy only when a batch is vectorised (CLI start-up)

    mats = []
    step = 8192
    with _bar(len(rows), desc, progress) as bar:
        for i in range(0, len(rows), step):
            b = F.featurize([r.text for r in rows[i : i + step]])
            if lang:
                mats.append(langid.lang_csr(b))
            elif dense is not None:
                mats.append(sparse.hstack([F.to_csr(b, bits), sparse.csr_matrix(F.dense_features(b, *dense))]))
            else:
                mats.append(F.to_csr(b, bits))
            bar.update(min(step, len(rows) - i))
    if not mats:
        return sparse.csr_matrix((0, 2**bits + (F.N_DENSE if dense is not None else 0)), dtype=np.float32)
    return sparse.vstack(mats).tocsr()


def _family(r: Row) -> str:
    """Language family of a training row: en, fa, ko, or multi (the XLM-T languages)."""
    return r.lang if r.lang in ("en", "fa", "ko") else "multi"


def language_groups(rows: Sequence[Row]) -> tuple[np.ndarray, list[tuple[str, np.ndarray, list[np.ndarray]]]]:
    """The flags of ``rows`` and, per language: its rows' mask and the masks of its sets that hold an unhappy
    post (its target sets when it has some), the groups its mean F1 is taken over."""
    y = np.array([r.flag for r in rows])
    langs = np.array([r.lang for r in rows])
    sets = np.array([r.set for r in rows])
    out = []
    for lg in sorted(set(langs.tolist())):
        m = langs == lg
        names = TARGET_SETS.get(lg) or sorted(set(sets[m].tolist()))
        groups = [m & (sets == s) for s in names if np.any(m & (sets == s) & y)]
        if groups:
            out.append((lg, m, groups))
    return y, out


def tune_thresholds(dev: Sequence[Row], score: np.ndarray) -> tuple[dict[str, float], float]:
    """Per-language flag threshold on the raw flag score, maximising mean F1 over that language's sets."""
    grid = np.round(np.arange(-3.0, 2.001, 0.05), 3)
    out: dict[str, float] = {}
    y, by_lang = language_groups(dev)
    for lg, _m, groups in by_lang:
        vals = np.array([np.mean([_f1(y[g], score[g] > t) for g in groups]) for t in grid])
        # smooth over neighbours so a lucky spike on a small dev set is not chosen
        sm = np.convolve(vals, np.ones(5) / 5, mode="same")
        pooled = np.logical_or.reduce(groups) & ~y
        if pooled.any():
            fpr = np.array([np.mean(score[pooled] > t) for t in grid])
            sm[fpr > MAX_FALSE_POSITIVE_RATE] = -1.0
        out[lg] = float(grid[int(np.argmax(sm))])
    default = float(np.median(list(out.values()))) if out else 0.0
    return out, default


RECALL_LEVELS = np.round(np.arange(RECALL_MIN, RECALL_MAX + 1e-4, 0.01), 2)


def recall_curves(dev: Sequence[Row], score: np.ndarray) -> dict[str, dict[str, Any]]:
    """Per language, for each recall level 0.50..0.99: the highest threshold that flags at least that share
    of the unhappy posts among `dev` (over the same sets as tune_thresholds), with the precision it gave.

    A team that would rather have more false alarms than miss an unhappy customer picks a level
    (SOCIAL_CARE_FLAG_RECALL, or per language SOCIAL_CARE_FLAG_RECALL_BY_LANG); the model then flags at
    these thresholds."""
    y = np.array([r.flag for r in dev], dtype=bool)
    langs = np.array([r.lang for r in dev])
    sets = np.array([r.set for r in dev])
    out: dict[str, dict[str, Any]] = {}
    for lg in sorted(set(langs.tolist())):
        m = langs == lg
        names = TARGET_SETS.get(lg) or sorted(set(sets[m].tolist()))
        m &= np.isin(sets, names)
        pos = np.sort(score[m & y])[::-1]  # unhappy posts' scores, highest first
        if len(pos) < 20:  # too few to say what share a threshold catches
            continue
        neg = score[m & ~y]
        thr, prec = [], []
        for r in RECALL_LEVELS:
            k = int(np.ceil(r * len(pos) - 1e-9))  # flag the k highest-scoring unhappy posts
            t = round(float(pos[k - 1]) - 1e-3, 4)
            tp = int(np.sum(pos > t))
            fp = int(np.sum(neg > t))
            thr.append(t)
            prec.append(round(tp / max(tp + fp, 1), 4))
        out[lg] = {"recall": [float(r) for r in RECALL_LEVELS], "threshold": thr, "precision": prec,
                   "unhappy_posts": int(len(pos))}
    return out


def _clean_hinglish(rows: Sequence[Row]) -> list[Row]:
    """XLM-T's "Hindi" rows are romanised and many are plain English: keep the ones with a Hinglish word."""
    if not rows:
        return []
    keep: list[Row] = []
    for i in range(0, len(rows), 8192):
        chunk = rows[i : i + 8192]
        nhi, nen, _, _ = langid.word_counts(F.featurize([r.text for r in chunk]))
        keep += [r for r, a, e in zip(chunk, nhi, nen) if a >= 1 and a >= 0.5 * e]
    return keep


def train_langid(lang_rows: Sequence[Row], seed: int, progress: bool | None,
                 cap: int = 6000) -> tuple[np.ndarray, np.ndarray]:
    """The language model: multinomial logistic regression over char 3-grams and words of the
    Latin- and Arabic-script rows (at most `cap` per language, class-balanced). The English prior and
    the Hinglish rule of langid.decide_latin sit on top of it at run time."""
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn is the optional train extra

    rng = np.random.default_rng(seed)
    by_lang: dict[str, list[Row]] = {}
    for r in lang_rows:
        if r.lang in langid.LANG_CLASSES:
            by_lang.setdefault(r.lang, []).append(r)
    if "hi" in by_lang:
        by_lang["hi"] = _clean_hinglish(by_lang["hi"])
    sample: list[Row] = []
    for _lang, rs in sorted(by_lang.items()):
        idx = rng.permutation(len(rs))[:cap]
        sample += [rs[i] for i in idx]
    nl = len(langid.LANG_CLASSES)
    table = np.zeros((2**langid.LANG_BITS, nl), dtype=np.float16)
    bias = np.zeros(nl, dtype=np.float32)
    present = sorted({r.lang for r in sample})
    if len(present) < 2:
        return table, bias
    X = _matrix(sample, 0, progress, "language features", lang=True)
    y = np.array([r.lang for r in sample])
    lm = LogisticRegression(C=5.0, max_iter=300, class_weight="balanced").fit(X, y)
    coef = lm.coef_ if len(lm.classes_) > 2 else np.vstack([-lm.coef_[0], lm.coef_[0]])
    icpt = lm.intercept_ if len(lm.classes_) > 2 else np.array([-lm.intercept_[0], lm.intercept_[0]])
    for j, lg in enumerate(lm.classes_):
        k = langid.LANG_CLASSES.index(lg)
        table[:, k] = coef[j].astype(np.float16)
        bias[k] = icpt[j]
    missing = [k for k, lg in enumerate(langid.LANG_CLASSES) if lg not in lm.classes_]
    bias[missing] = -1e4
    return table, bias


def nb_ratios(X: Any, y: np.ndarray, alpha: float = 1.0, n_dense: int = F.N_DENSE) -> np.ndarray:
    """Naive-Bayes log-count ratio of every column (Wang & Manning 2012, "NBSVM"): log of how much more
    often the feature occurs in flagged than in unflagged posts (presence counts, add-alpha smoothing).
    The flag head is fitted on X·diag(r) and shipped as r·w, so the model file and run time are unchanged;
    the dense lexicon columns (the last n_dense) keep scale 1. Measured on the dev splits: mean F1 of the
    twelve target sets 0.648 -> 0.670 (with C 4 -> 10)."""
    y = np.asarray(y, dtype=bool)
    xb = X.copy()
    xb.data = (xb.data > 0).astype(np.float32)
    p = alpha + np.asarray(xb[y].sum(axis=0), dtype=np.float64).ravel()
    q = alpha + np.asarray(xb[~y].sum(axis=0), dtype=np.float64).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    if n_dense:
        r[-n_dense:] = 1.0
    return r.astype(np.float32)


def _fit_flag(cfg: TrainConfig, X: Any, rows: Sequence[Row]) -> tuple[np.ndarray, float]:
    """The flag head on X: (coef (n_features,), intercept), NB scaling folded into the coef."""
    from scipy import sparse  # lazy: scipy only when a batch is vectorised (CLI start-up)
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn is the optional train extra

    y = np.array([r.flag for r in rows])
    own = {FEEDBACK_SET: cfg.feedback_weight, DISTIL_SET: cfg.distil_weight}
    sw = np.array([cfg.family_weights.get(_family(r), 1.0) * own.get(r.set, 1.0) for r in rows])
    scale = nb_ratios(X, y) if cfg.nb else np.ones(X.shape[1], dtype=np.float32)
    flag = LogisticRegression(C=cfg.c_flag, solver="liblinear", tol=1e-3, max_iter=200, random_state=cfg.seed)
    flag.fit(X @ sparse.diags(scale) if cfg.nb else X, y, sample_weight=sw)
    return scale * flag.coef_[0], float(flag.intercept_[0])


def _fit_heads(cfg: TrainConfig, X: Any, rows: Sequence[Row], stages: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Flag and positive heads on X: (coef (n_features, 2), bias (2,))."""
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn is the optional train extra

    flag_coef, flag_icpt = _fit_flag(cfg, X, rows)
    if stages is not None:
        stages.update(1)
    lab = np.array([r.label is not None for r in rows])
    ypos = np.array([r.label == "positive" for r in rows])
    pos = LogisticRegression(C=cfg.c_pos, solver="liblinear", tol=1e-3, max_iter=200, random_state=cfg.seed)
    if lab.sum() and len(set(ypos[lab].tolist())) == 2:
        pos.fit(X[lab], ypos[lab])
        pos_coef, pos_icpt = pos.coef_[0], float(pos.intercept_[0])
    else:
        pos_coef, pos_icpt = np.zeros(X.shape[1]), -1.0
    if stages is not None:
        stages.update(1)
    coef = np.stack([flag_coef, pos_coef], axis=1)
    return coef, np.array([flag_icpt, pos_icpt], dtype=np.float32)


def _fold_scores(cfg: TrainConfig, X: Any, rows: Sequence[Row], fold: np.ndarray, f: int) -> np.ndarray:
    """Flag scores of fold f's rows by a flag head fitted on the other folds, with the weights as shipped."""
    fit = np.flatnonzero(fold != f)
    coef, icpt = _fit_flag(cfg, X[fit], [rows[int(i)] for i in fit])
    n_buckets = 2**cfg.bits
    w = np.concatenate([coef[:n_buckets].astype(np.float16).astype(np.float32), coef[n_buckets:]])
    return np.asarray(X[np.flatnonzero(fold == f)] @ w).ravel() + icpt


def out_of_fold_scores(cfg: TrainConfig, X: Any, rows: Sequence[Row], progress: bool | None = None) -> np.ndarray:
    """Each train row's flag score by a head fitted without its fold (cfg.tune_folds folds, fixed by md5).

    The thresholds and recall curves are tuned on these: every train row counts, none is scored by a
    head that saw it. Folds are fitted in up to two processes."""
    from joblib import Parallel, delayed  # lazy: parallel fitting only in training

    k = cfg.tune_folds
    fold = np.array([_frac(f"fold:{r.set}:{r.text}") % k for r in rows])
    out = np.zeros(len(rows))
    with _bar(k, "thresholds (out-of-fold)", progress) as bar:
        jobs = Parallel(n_jobs=min(2, k), return_as="generator")(
            delayed(_fold_scores)(cfg, X, rows, fold, f) for f in range(k))
        for f, sc in enumerate(jobs):
            out[fold == f] = sc
            bar.update(1)
    return out


def _feedback_rows(cfg: TrainConfig, used: dict[str, dict[str, Any]]) -> list[Row]:
    """Rows of cfg.feedback files; notes what was left out in cfg.log. ValueError for an unreadable file."""
    rows: list[Row] = []
    problems: list[str] = []
    for path in cfg.feedback:
        r, p = load_feedback(path)
        rows += r
        problems += p
    if cfg.feedback:
        used[FEEDBACK_SET] = {"train_rows": len(rows), "dev_rows": 0,
                              "license": "the team's own reviewers' corrections (`social-care feedback export`)"}
        cfg.log.append(f"feedback: {len(rows)} rows from {len(cfg.feedback)} file(s), weight {cfg.feedback_weight}"
                       + (f"; {len(problems)} left out or changed: " + "; ".join(problems[:5])
                          + (" ..." if len(problems) > 5 else "") if problems else ""))
    return rows


def _distilled_rows(cfg: TrainConfig, used: dict[str, dict[str, Any]]) -> list[Row]:
    """Rows of cfg.distil files (distil.py: posts labelled by the encoder head), as set DISTIL_SET."""
    from dataclasses import replace

    rows: list[Row] = []
    for path in cfg.distil:
        got, _ = load_feedback(path, "distilled file")
        rows += [replace(r, set=DISTIL_SET, label=None) for r in got]
    if cfg.distil:
        used[DISTIL_SET] = {"train_rows": len(rows), "dev_rows": 0,
                            "license": "en_twcs_unlabeled (CC BY-NC-SA 4.0), labelled by the encoder head"}
        cfg.log.append(f"distilled: {len(rows)} rows ({sum(r.flag for r in rows)} flagged by the teacher) from "
                       f"{len(cfg.distil)} file(s), weight {cfg.distil_weight}")
    return rows


def train(cfg: TrainConfig) -> dict[str, Any]:
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    t0 = time.perf_counter()
    names = [n for n in (cfg.sets or available_sets(cfg.data_dir)) if n in SETS]
    if cfg.exclude_non_commercial:
        names = [n for n in names if n not in NON_COMMERCIAL]
    if not names:
        raise SystemExit(f"no labelled sets found in {cfg.data_dir}")
    train_rows: list[Row] = []
    dev_rows: list[Row] = []
    used: dict[str, dict[str, Any]] = {}
    for n in names:
        tr, dv = load_set(cfg.data_dir, n)
        if n == "multi_xlmt":  # its English part overlaps TweetEval
            tr = [r for r in tr if r.lang != "en"]
        if cfg.max_rows_per_set:
            tr, dv = tr[: cfg.max_rows_per_set], dv[: cfg.max_rows_per_set]
        train_rows += tr
        dev_rows += dv
        used[n] = {"train_rows": len(tr), "dev_rows": len(dv), "license": SETS[n][1]}
    labelled = len(train_rows)
    train_rows += _feedback_rows(cfg, used)
    n_feedback = len(train_rows) - labelled
    train_rows += _distilled_rows(cfg, used)

    # language model: Latin- and Arabic-script languages
    lang_rows = [r for r in train_rows[:labelled] if r.lang in langid.LANG_CLASSES]
    # the xlmt English rows may be used for language identification only
    if "multi_xlmt" in names and not cfg.max_rows_per_set:
        lang_rows += [r for r in load_set(cfg.data_dir, "multi_xlmt")[0] if r.lang == "en"]
    lang_table, lang_bias = train_langid(lang_rows, cfg.seed, cfg.progress)
    present = sorted({r.lang for r in lang_rows})
    lang_sample = lang_rows
    cfg.log.append(f"language model: {len(lang_sample)} rows, classes {present}")

    lex_words, lex_vals = F.training_lexicon()
    lex_hash, lex_val = F.lexicon_hashes(lex_words, lex_vals)
    X = _matrix(train_rows, cfg.bits, cfg.progress, "features (train)", dense=(lex_hash, lex_val))
    # thresholds and recall curves from out-of-fold scores of train; dev is for reporting only
    oof = out_of_fold_scores(cfg, X, train_rows, cfg.progress)
    # tuned on the labelled sets only: a handful of corrections would make a language's threshold jump
    thresholds, default_thr = tune_thresholds(train_rows[:labelled], oof[:labelled])
    curves = recall_curves(train_rows[:labelled], oof[:labelled])
    stages = _bar(2, "fitting", cfg.progress)
    coef, bias = _fit_heads(cfg, X, train_rows, stages)
    stages.close()
    n_buckets = 2**cfg.bits
    table = coef[:n_buckets].astype(np.float16)
    dense_w = coef[n_buckets:].astype(np.float32)
    meta = {
        "version": 1,
        "bits": cfg.bits,
        "char_ngrams": list(F.CHAR_NGRAMS),
        "thresholds": thresholds,
        "default_threshold": default_thr,
        "recall_curves": curves,
        "pos_threshold": 0.0,
        "lang_classes": list(langid.LANG_CLASSES),
        "sets": used,
        "seed": cfg.seed,
        "c_flag": cfg.c_flag,
        "c_pos": cfg.c_pos,
        "nb": cfg.nb,
        "family_weights": cfg.family_weights,
        "tune_folds": cfg.tune_folds,
        "max_false_positive_rate": MAX_FALSE_POSITIVE_RATE,
        "fit_rows": len(train_rows),
        "feedback_rows": n_feedback,
        "feedback_weight": cfg.feedback_weight,
        "distil_rows": len(train_rows) - labelled - n_feedback,
        "distil_weight": cfg.distil_weight,
        "trained_seconds": round(time.perf_counter() - t0, 1),
    }
    out = Path(cfg.out) if cfg.out else MODEL_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, table=table, bias=bias, lang_table=lang_table, lang_bias=lang_bias,
                        dense_w=dense_w, lex_hash=lex_hash, lex_val=lex_val.astype(np.float16),
                        meta=np.array(json.dumps(meta)))
    tmp.replace(out)
    meta["path"] = str(out)
    meta["size_bytes"] = out.stat().st_size
    cfg.log.append(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB), thresholds {thresholds}")
    if cfg.evaluate and dev_rows:
        scorer = DefaultScorer(LinearModel(out))
        res = evaluate(cfg.data_dir, scorers={"default": scorer}, sets=names, progress=cfg.progress,
                       max_rows_per_set=cfg.max_rows_per_set)
        meta["eval"] = res
        cfg.log.append(format_report(res))
        if cfg.write_card:
            write_card(out.parent / "MODEL_CARD.md", meta, res)
    return meta


def rewrite_card(model: Path, data_dir: Path, progress: bool | None = None) -> Path:
    """Evaluate an existing model file on the dev splits and write MODEL_CARD.md next to it."""

    lm = LinearModel(model)
    meta = dict(lm.meta)
    meta["path"] = str(model)
    meta["size_bytes"] = Path(model).stat().st_size
    scorers = card_scorers(lm, Path(model))
    res = evaluate(data_dir, scorers=scorers, sets=list(meta["sets"]), progress=progress)
    c = scorers["default"]
    if getattr(c, "cache", None) is not None:
        res["speed_note"] = (f"default: {c.routed} of {c.posts} posts went to the encoder, their embeddings read "
                             "from .cache/encoder/; benchmarks/bench_scorer.py times the encoder")
    card = Path(model).parent / "MODEL_CARD.md"
    write_card(card, meta, res)
    return card


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train the default social-care scorer.")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--bits", type=int, default=21)
    ap.add_argument("--c-flag", type=float, default=10.0)
    ap.add_argument("--c-pos", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--exclude-non-commercial", action="store_true")
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--no-nb", action="store_true", help="fit the flag head on unscaled features")
    ap.add_argument("--tune-folds", type=int, default=5,
                    help="folds of train whose out-of-fold scores tune the thresholds (at least 2)")
    ap.add_argument("--family-weights", default=None,
                    help="sample weight per language family, e.g. en=2,fa=1,ko=1,multi=1")
    ap.add_argument("--feedback", type=Path, action="append", default=[], metavar="CSV",
                    help="reviewers' corrections (`social-care feedback export`) to fit with the sets; repeatable")
    ap.add_argument("--feedback-weight", type=float, default=FEEDBACK_WEIGHT,
                    help="weight of a correction relative to a labelled post of its language family")
    ap.add_argument("--distil", type=Path, action="append", default=[], metavar="CSV",
                    help="unlabelled posts labelled by the encoder head (python -m social_care.scoring.distil)")
    ap.add_argument("--distil-weight", type=float, default=DISTIL_WEIGHT,
                    help="weight of a distilled post relative to a labelled post of its language family")
    ap.add_argument("--card-only", action="store_true",
                    help="do not train: evaluate the model file (--out, else the shipped one) and rewrite its card")
    a = ap.parse_args(argv)
    if a.tune_folds < 2:
        ap.error("--tune-folds must be at least 2")
    if a.card_only:
        model = a.out or MODEL_PATH
        print(f"wrote {rewrite_card(model, a.data_dir)}")
        return 0
    fw = dict(FAMILY_WEIGHTS)
    if a.family_weights:
        for kv in a.family_weights.split(","):
            k, v = kv.split("=")
            fw[k.strip()] = float(v)
    cfg = TrainConfig(data_dir=a.data_dir, out=a.out, bits=a.bits, c_flag=a.c_flag, c_pos=a.c_pos, seed=a.seed,
                      exclude_non_commercial=a.exclude_non_commercial, evaluate=not a.no_eval,
                      family_weights=fw, nb=not a.no_nb, tune_folds=a.tune_folds, feedback=a.feedback,
                      feedback_weight=a.feedback_weight, distil=a.distil, distil_weight=a.distil_weight)
    try:
        train(cfg)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("\n".join(cfg.log))
    return 0
