"""Distillation: the cascade's encoder head labels unlabelled customer posts, and the hashed model (the fast
path) is fitted on those labels beside the labelled sets (needs the encoder; the `train` extra to train).

    python -m social_care.scoring.distil [--data-dir ../shared/data] [--out distilled.csv] [--min-margin 1]
    python scripts/train_scorer.py --distil distilled.csv      # the hashed model with the distilled posts

The teacher is the encoder head on every post (its decision: head logit above its language's threshold),
with the hashed margin of the model in use as its second input, as at run time. Posts whose head logit is
within `min_margin` of the threshold are left out (the teacher is unsure there). The embeddings are computed
once and cached under .cache/encoder/ (git-ignored), with a progress bar.

The file written has the columns of a reviewers' feedback file (text, flagged, lang, teacher_margin), so
train.py reads it with data.load_feedback; its rows join the fit of the flag head only (they carry no
sentiment label), each weighted `distil_weight` times a labelled post of its language family, and never the
thresholds. The unlabelled customer tweets (en_twcs_unlabeled) are CC BY-NC-SA 4.0: a model fitted on them
is non-commercial like one fitted on en_airline.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

UNLABELLED_SET = "en_twcs_unlabeled"
UNLABELLED_LICENSE = "CC BY-NC-SA 4.0"
# the head's logit must be this far from its language's threshold for a post to be used
MIN_MARGIN = 1.0


def unlabelled_texts(data_dir: Path, limit: int | None = None) -> list[str]:
    """The customer tweets of en_twcs_unlabeled/all.csv, in file order, without repeats and empty rows."""
    path = Path(data_dir) / UNLABELLED_SET / "all.csv"
    if not path.exists():
        raise ValueError(f"unlabelled posts not found: {path}")
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        texts = [r.get("text") or "" for r in csv.DictReader(fh)]
    out = list(dict.fromkeys(t for t in texts if t.strip()))
    return out[:limit] if limit else out


def teacher_margins(texts: Sequence[str], model_path: Path | None = None, head_path: Path | None = None,
                    progress: bool | None = None, cache_name: str = "twcs",
                    cache_dir: Path | None = None) -> tuple[np.ndarray, list[str]]:
    """(head logit minus its language's threshold, language) of every post: the encoder head's decision on
    every post, as if every post were routed to it. Embeddings from/into the cache `cache_name`."""
    from .encoder import CACHE_DIR, HEAD_PATH, EmbeddingCache, EncoderHead, embed_cached
    from .model import LinearModel, default_model

    lm = LinearModel(model_path) if model_path else default_model()
    head = EncoderHead(head_path or HEAD_PATH)
    emb = embed_cached(list(texts), EmbeddingCache(cache_name, cache_dir or CACHE_DIR), None, progress,
                       "embedding unlabelled posts")
    margins: list[float] = []
    langs: list[str] = []

    def probe(tx: Sequence[str], lg: Sequence[str], m: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
        langs.extend(lg)
        margins.extend(m.tolist())
        return m, {}

    for i in range(0, len(texts), 4096):
        lm.score_batch(list(texts[i : i + 4096]), with_reasons=False, second_stage=probe)
    logit = head.logits(emb, np.array(margins))
    thr = np.array([head.thresholds.get(lg, head.default_threshold) for lg in langs])
    return logit - thr, langs


def write_teacher_file(out: Path, texts: Sequence[str], margin: np.ndarray, langs: Sequence[str],
                       min_margin: float = MIN_MARGIN) -> tuple[int, int]:
    """The posts the teacher is sure about as a feedback-style CSV; (rows written, of them flagged)."""
    keep = np.abs(margin) >= min_margin
    out.parent.mkdir(parents=True, exist_ok=True)
    n = flagged = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "flagged", "lang", "teacher_margin"])
        for t, m, lg, k in zip(texts, margin.tolist(), langs, keep.tolist()):
            if k:
                w.writerow([t, "true" if m > 0 else "false", lg, f"{m:.3f}"])
                n += 1
                flagged += m > 0
    return n, flagged


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from .train import DEFAULT_DATA_DIR

    ap = argparse.ArgumentParser(description="Label unlabelled customer posts with the cascade's encoder head.")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", type=Path, default=Path(".cache/encoder/distilled.csv"))
    ap.add_argument("--min-margin", type=float, default=MIN_MARGIN,
                    help="leave out posts whose head logit is this close to the threshold")
    ap.add_argument("--limit", type=int, default=None, help="only the first N unlabelled posts")
    a = ap.parse_args(argv)
    from .encoder import EncoderUnavailable

    try:
        texts = unlabelled_texts(a.data_dir, a.limit)
        margin, langs = teacher_margins(texts)
    except (ValueError, EncoderUnavailable) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    n, flagged = write_teacher_file(a.out, texts, margin, langs, a.min_margin)
    print(f"wrote {a.out}: {n} of {len(texts)} posts ({flagged} flagged by the teacher)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
