"""Evaluation on the dev splits: per set and language, F1 of the flag and macro-F1, all scorers side by side."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import get_scorer
from .base import CATEGORIES, LABELS
from .categories import categorize, category_call
from .data import AIRLINE_REASON_CATEGORY, SETS, Row, available_sets, load_set
from .questions import plain_question

# The F1 of the flag asked of the default scorer (the cascade), per (set, language) of the dev splits.
TARGETS: dict[tuple[str, str], float] = {
    ("en_airline", "en"): 0.90,
    ("en_tweeteval", "en"): 0.70,
    ("en_complaints", "en"): 0.80,
    ("fa_snappfood", "fa"): 0.88,
    ("ko_nsmc", "ko"): 0.80,
    ("multi_xlmt", "hi"): 0.60,
    **{("multi_xlmt", lg): 0.68 for lg in ("ar", "de", "es", "fr", "it", "pt")},
}


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float(np.sum(y & p))
    fp = float(np.sum(~y & p))
    fn = float(np.sum(y & ~p))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _macro_f1(gold: Sequence[str | None], pred: Sequence[str], labels: Sequence[str]) -> float:
    g = np.array(gold)
    p = np.array(pred)
    return float(np.mean([_f1(g == lab, p == lab) for lab in labels]))


def evaluate(data_dir: Path, scorers: Mapping[str, Any] | Sequence[str] = ("default", "textblob", "vader"),
             sets: Sequence[str] | None = None, progress: bool | None = None,
             max_rows_per_set: int | None = None) -> dict[str, Any]:
    """The dev splits of the labelled sets in data_dir (all, or `sets`), scored by every scorer."""
    names = [n for n in (sets or available_sets(data_dir)) if n in SETS]
    dev = []
    for n in names:
        d = load_set(data_dir, n)[1]
        dev += d[:max_rows_per_set] if max_rows_per_set else d
    return evaluate_rows(dev, scorers, progress)


def evaluate_rows(dev: Sequence[Row], scorers: Mapping[str, Any] | Sequence[str] = ("default",),
                  progress: bool | None = None) -> dict[str, Any]:
    """F1, precision, recall and macro-F1 of every scorer per (set, language) of `dev`, in the order the sets
    first appear. A row without a language ("und" or "") counts under the one the first scorer detects."""
    from tqdm import tqdm  # lazy: progress bars only in the offline tools

    if not isinstance(scorers, Mapping):
        scorers = {n: get_scorer(n) for n in scorers}
    names = list(dict.fromkeys(r.set for r in dev))
    texts = [r.text for r in dev]
    preds: dict[str, list[Any]] = {}
    speed: dict[str, float] = {}
    disable = (not sys.stderr.isatty()) if progress is None else (not progress)
    for sname, scorer in scorers.items():
        out = []
        step = 4096
        t0 = time.perf_counter()
        for i in tqdm(range(0, len(texts), step), desc=f"eval {sname}", disable=disable, leave=False):
            out.extend(scorer.score_many(texts[i : i + step]))
        dt = time.perf_counter() - t0
        preds[sname] = out
        speed[sname] = round(len(texts) / dt, 1) if dt > 0 else 0.0
    rows = []
    sets_a = np.array([r.set for r in dev])
    first = next(iter(preds.values()), [])
    langs_a = np.array([r.lang if r.lang not in ("", "und") else first[i].lang for i, r in enumerate(dev)])
    y = np.array([r.flag for r in dev], dtype=bool)
    for n in names:
        for lg in sorted(set(langs_a[sets_a == n].tolist())):
            m = (sets_a == n) & (langs_a == lg)
            idx = np.flatnonzero(m).tolist()
            row = {"set": n, "lang": lg, "n": int(m.sum()), "flag_rows": int(y[m].sum()), "f1": {},
                   "precision": {}, "recall": {}, "macro_f1": {}, "lang_acc": {}}
            for sname, out in preds.items():
                pf = np.array([out[i].flagged for i in idx], dtype=bool)
                row["f1"][sname] = round(_f1(y[m], pf), 4)
                tp = int(np.sum(y[m] & pf))
                row["precision"][sname] = round(tp / max(int(pf.sum()), 1), 4)
                row["recall"][sname] = round(tp / max(int(y[m].sum()), 1), 4)
                if n == "en_complaints" or any(dev[i].label is None for i in idx):  # flag, not sentiment
                    row["macro_f1"][sname] = round(
                        (_f1(y[m], pf) + _f1(~y[m], ~pf)) / 2, 4)
                else:
                    row["macro_f1"][sname] = round(
                        _macro_f1([dev[i].label for i in idx], [out[i].label for i in idx], LABELS), 4)
                row["lang_acc"][sname] = round(float(np.mean([out[i].lang == lg for i in idx])), 4)
            rows.append(row)
    return {"rows": rows, "posts_per_second": speed, "n_posts": len(texts), "scorers": list(preds),
            "categories": category_eval(dev)}


def category_eval(dev: Sequence[Row]) -> dict[str, Any] | None:
    """Accuracy and per-category F1 of `categorize` on the en_airline dev posts that have a negativereason
    (mapped by data.AIRLINE_REASON_CATEGORY); None without such posts. The same for every scorer: the
    category does not depend on how the flag was scored."""
    rows = [r for r in dev if r.set == "en_airline" and r.extra in AIRLINE_REASON_CATEGORY]
    if not rows:
        return None
    gold = np.array([AIRLINE_REASON_CATEGORY[r.extra] for r in rows])
    pred = np.array([categorize(r.text, r.lang) for r in rows])
    per = {c: {"n": int(np.sum(gold == c)), "f1": round(_f1(gold == c, pred == c), 4)} for c in CATEGORIES}
    present = [c for c in CATEGORIES if per[c]["n"]]
    return {"set": "en_airline", "n": len(rows), "accuracy": round(float(np.mean(gold == pred)), 4),
            "macro_f1": round(float(np.mean([per[c]["f1"] for c in present])), 4), "per_category": per}


def format_report(res: dict[str, Any]) -> str:
    sc = res["scorers"]
    head = f"{'set':<18} {'lang':<4} {'n':>6} {'flag+':>6}  " + "  ".join(f"{'F1 ' + s:>12}" for s in sc)
    head += "  " + "  ".join(f"{'mF1 ' + s:>13}" for s in sc)
    head += f"  {'P ' + sc[0]:>10} {'R ' + sc[0]:>10}  {'lang ok':>7}  target ({sc[0]})"
    title = "F1 of the flag (negative; en_complaints: complaint) and macro-F1 on the dev splits"
    if res.get("labelled"):
        title = f"F1 of the flag and macro-F1 on your labelled posts ({', '.join(res['labelled'])})"
    lines = [title, head]
    by_lang = res.get("flag_recall_by_lang") or {}
    if res.get("flag_recall") is not None or by_lang:
        levels = [f"{res['flag_recall']:.2f}"] if res.get("flag_recall") is not None else []
        levels += [f"{lang} {r:.2f}" for lang, r in sorted(by_lang.items())]
        rest = "" if res.get("flag_recall") is not None else "; other languages at their best-F1 thresholds"
        lines.insert(1, f"default scorer at flag recall {', '.join(levels)} (SOCIAL_CARE_FLAG_RECALL, "
                        f"SOCIAL_CARE_FLAG_RECALL_BY_LANG), not its best-F1 thresholds{rest}")
    for r in res["rows"]:
        line = f"{r['set']:<18} {r['lang']:<4} {r['n']:>6} {r['flag_rows']:>6}  "
        line += "  ".join(f"{r['f1'][s]:>12.3f}" for s in sc)
        line += "  " + "  ".join(f"{r['macro_f1'][s]:>13.3f}" for s in sc)
        line += f"  {r['precision'][sc[0]]:>10.3f} {r['recall'][sc[0]]:>10.3f}"
        line += f"  {r['lang_acc'][sc[0]]:>7.3f}"
        target = TARGETS.get((r["set"], r["lang"]))
        if target is not None:
            line += f"  {target:.2f} {'met' if r['f1'][sc[0]] >= target else 'missed'}"
        lines.append(line)
    lines.append(f"posts/second over {res['n_posts']} dev posts (batch, one process): "
                 + ", ".join(f"{s} {v:,.0f}" for s, v in res["posts_per_second"].items())
                 + (f" ({res['speed_note']})" if res.get("speed_note") else ""))
    cat = res.get("categories")
    if cat:
        lines.append(f"issue category of the {cat['n']} {cat['set']} dev complaints with a stated reason "
                     f"(negativereason as a category): accuracy {cat['accuracy']:.3f}, "
                     f"macro-F1 {cat['macro_f1']:.3f}; "
                     "F1 " + ", ".join(f"{c} {v['f1']:.2f} (n={v['n']})"
                                      for c, v in cat["per_category"].items() if v["n"]))
    return "\n".join(lines)


LABELLED_SHOP_POSTS = Path(__file__).resolve().parents[2] / "tests" / "scoring" / "data" / "shop_categories.jsonl"


def labelled_category_eval(path: Path | str = LABELLED_SHOP_POSTS) -> dict[str, dict[str, Any]]:
    """Per language on the labelled shop posts (JSON lines: lang, kind, category, text): `accuracy` of
    categorize on the complaints; `confident` share of complaints whose category_call is confident and not
    "other" (they get their category's own apology) and `precision` of those; `questions` plain questions
    found of the questions and `complaints_as_questions` complaints taken for plain questions."""

    out: dict[str, dict[str, Any]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        c = out.setdefault(r["lang"], {"n": 0, "right": 0, "conf": 0, "conf_right": 0, "q": 0, "q_found": 0,
                                       "c_as_q": 0})
        plain = plain_question(r["text"], r["lang"])
        if r["kind"] == "question":
            c["q"] += 1
            c["q_found"] += plain
            continue
        call = category_call(r["text"], r["lang"])
        c["n"] += 1
        c["right"] += call.category == r["category"]
        c["c_as_q"] += plain
        if call.confident and call.category != "other":
            c["conf"] += 1
            c["conf_right"] += call.category == r["category"]
    return {lg: {"n": c["n"], "accuracy": round(c["right"] / c["n"], 4), "confident": round(c["conf"] / c["n"], 4),
                 "precision": round(c["conf_right"] / c["conf"], 4) if c["conf"] else 1.0,
                 "questions": f"{c['q_found']}/{c['q']}", "complaints_as_questions": c["c_as_q"]}
            for lg, c in sorted(out.items())}
