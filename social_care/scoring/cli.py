"""Command line: `score`, `eval`, `train` (a Typer sub-application).

Mount on another Typer app with `register(main_app)` (adds the three as top-level commands),
or use the plain functions score_cmd / eval_cmd / train_cmd. Standalone:

    python -m social_care.scoring.cli score posts.csv --output scored.csv
    python -m social_care.scoring.cli eval
    python -m social_care.scoring.cli train
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import typer

from . import SCORER_NAMES, get_scorer
from .base import RECALL_MAX, RECALL_MIN
from .data import Row, csv_records, decode_csv, load_feedback, text_delimiter
from .evaluate import evaluate, evaluate_rows, format_report
from .train import DEFAULT_DATA_DIR, TrainConfig, train

OUT_COLUMNS = ("lang", "label", "polarity", "flagged", "category", "reasons")
EXIT_BAD_INPUT = 2

app = typer.Typer(help="Score customer posts, evaluate and train the scorer.", no_args_is_help=True,
                  add_completion=False)


def _recall_option() -> Any:
    return typer.Option(None, "--recall", envvar="SOCIAL_CARE_FLAG_RECALL", min=RECALL_MIN, max=RECALL_MAX,
                        help="Default scorer: flag at the operating point that caught this share of unhappy "
                             f"posts when tuned, {RECALL_MIN:.2f}-{RECALL_MAX:.2f} (default: each language's "
                             "best-F1 threshold).")


def _recall_by_lang_option() -> Any:
    return typer.Option(None, "--recall-by-lang", envvar="SOCIAL_CARE_FLAG_RECALL_BY_LANG",
                        help="Default scorer: the same share for single languages, over --recall, e.g. "
                             "de=0.6,ko=0.95 (fewer German flags, more Korean ones).")


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _read_input(src: str, *, skip_bad_rows: bool = False) -> tuple[list[str], list[list[str]], str]:
    """(header, rows, delimiter) of a CSV in UTF-8 (BOM or not) or UTF-16 with a BOM. Malformed rows are
    named with their line numbers: an error unless ``skip_bad_rows``, then they are left out."""
    if src == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        p = Path(src)
        if not p.is_file():
            _fail(f"input file not found: {src}")
        data = p.read_bytes()
        name = src
    try:
        text = decode_csv(data, name)
    except ValueError as e:
        _fail(str(e))
    delimiter = text_delimiter(text)
    header, records, problems = csv_records(text, delimiter)
    if not header:
        _fail(f"{name} is empty: expected a CSV header with a `text` column")
    names = [h.strip().lower() for h in header]
    if "text" not in names:
        _fail(f"{name} has no `text` column (columns: {', '.join(header) or 'none'})")
    for line, r in records:
        if len(r) > len(header):
            problems.append((line, f"{len(r)} fields but the header has {len(header)}"))
    if problems:
        shown = "\n".join(f"  {name} line {line}: {why}" for line, why in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        if not skip_bad_rows:
            _fail(f"{len(problems)} malformed row(s); fix them, or score the rest with --skip-bad-rows:\n"
                  f"{shown}{more}")
        typer.echo(f"skipped {len(problems)} malformed row(s):\n{shown}{more}", err=True)
    bad_lines = {line for line, _ in problems}
    body = [r for line, r in records if line not in bad_lines]
    return header, body, delimiter


def scorer_name(given: str | None) -> str:
    """The scorer a command uses: ``--scorer``, else ``$SOCIAL_CARE_SCORER``, else "default"."""
    return given if given is not None else (os.environ.get("SOCIAL_CARE_SCORER") or "default")


def score_cmd(
    input: str = typer.Argument(..., help="CSV file with a `text` column, or - for standard input."),
    output: str = typer.Option("-", "--output", "-o", help="Output CSV, or - for standard output."),
    scorer: str | None = typer.Option(None, "--scorer", help="default | fast | textblob | vader "
                                         "(default: $SOCIAL_CARE_SCORER or default)."),
    fast: bool = typer.Option(False, "--fast", help="The hashed model alone (same as --scorer fast): tens of "
                              "thousands of posts a second, for bulk files; the default cascade embeds the "
                              "posts the hashed model is unsure about (tens a second)."),
    batch_size: int = typer.Option(2048, "--batch-size", min=1),
    recall: float | None = _recall_option(),
    recall_by_lang: str | None = _recall_by_lang_option(),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="Leave malformed rows out (each is "
                                       "named with its line number) instead of stopping."),
) -> None:
    """Score every row of a CSV: adds lang, label, polarity, flagged, category, reasons.

    Reads UTF-8 (or UTF-16 with a BOM) separated by commas, semicolons, tabs or pipes, whichever puts
    `text` in the header; writes UTF-8 with the same separator."""
    from tqdm import tqdm  # lazy: progress bars only in the offline tools

    if fast:
        if scorer not in (None, "", "fast"):
            _fail(f"--fast is the hashed model alone; it cannot be combined with --scorer {scorer}")
        scorer = "fast"
    try:
        sc = get_scorer(scorer_name(scorer))
        if (recall is not None or recall_by_lang) and sc.name in ("default", "fast"):
            sc = get_scorer(sc.name, recall=recall, recall_by_lang=recall_by_lang)
    except ValueError as e:
        _fail(str(e))
    header, body, delimiter = _read_input(input, skip_bad_rows=skip_bad_rows)
    col = [h.strip().lower() for h in header].index("text")
    texts = [r[col] if col < len(r) else "" for r in body]
    results = []
    with tqdm(total=len(texts), desc="scoring", unit="post", disable=not sys.stderr.isatty(), leave=False) as bar:
        for i in range(0, len(texts), batch_size):
            chunk = texts[i : i + batch_size]
            results.extend(sc.score_many(chunk))
            bar.update(len(chunk))
    lower = [h.strip().lower() for h in header]
    out_header = list(header) + [c for c in OUT_COLUMNS if c not in lower]
    pos = {c: (lower.index(c) if c in lower else len(header) + [x for x in OUT_COLUMNS if x not in lower].index(c))
           for c in OUT_COLUMNS}

    def write(fh: Any) -> None:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        w.writerow(out_header)
        for r, s in zip(body, results):
            row = list(r) + [""] * (len(out_header) - len(r))
            row[pos["lang"]] = s.lang
            row[pos["label"]] = s.label
            row[pos["polarity"]] = f"{s.polarity:.4f}"
            row[pos["flagged"]] = "true" if s.flagged else "false"
            row[pos["category"]] = s.category or ""
            row[pos["reasons"]] = "; ".join(s.reasons)
            w.writerow(row)

    if output == "-":
        out = io.StringIO()
        write(out)
        sys.stdout.write(out.getvalue())
        sys.stdout.flush()
    else:
        dest = Path(output)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".score-", suffix=".csv", dir=dest.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                write(fh)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        flagged = sum(s.flagged for s in results)
        typer.echo(f"scored {len(results)} posts ({flagged} flagged) -> {dest}", err=True)


def eval_cmd(
    data_dir: Path = typer.Option(DEFAULT_DATA_DIR, "--data-dir", help="Folder of the labelled sets."),
    scorers: str = typer.Option("default,fast,textblob,vader", "--scorers",
                                help="Comma-separated scorer names (default: the cascade, fast: the hashed "
                                     "model alone)."),
    sets: str | None = typer.Option(None, "--sets", help="Comma-separated set names (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    recall: float | None = _recall_option(),
    recall_by_lang: str | None = _recall_by_lang_option(),
    labelled: list[Path] | None = typer.Option(
        None, "--labelled", help="Your own labelled posts instead of the dev splits: a CSV with `text` and "
        "`flagged` (true/false) or `label` (negative/neutral/positive), optionally `lang`; repeatable."),
) -> None:
    """F1 of the flag and macro-F1 per set and language on the dev splits (or on your own labelled posts,
    --labelled), scorers side by side."""

    names = [s.strip() for s in scorers.split(",") if s.strip()]
    bad = [n for n in names if n not in SCORER_NAMES]
    if bad:
        _fail(f"unknown scorer(s) {', '.join(bad)}: choose from {', '.join(SCORER_NAMES)}")
    rows = _labelled_rows(labelled) if labelled else None
    if rows is None and not Path(data_dir).is_dir():
        _fail(f"data folder not found: {data_dir}")
    try:
        ours = ("default", "fast")
        chosen = {n: get_scorer(n, recall=recall if n in ours else None,
                                recall_by_lang=recall_by_lang if n in ours else None) for n in names}
    except ValueError as e:
        _fail(str(e))
    if rows is not None:
        res = evaluate_rows(rows, chosen)
        res["labelled"] = [Path(p).name for p in labelled or []]
    else:
        from .model import CascadeScorer

        cascade = chosen.get("default")
        if isinstance(cascade, CascadeScorer) and cascade.encoder is not None:
            # the dev posts' embeddings are kept under .cache/encoder/ (git-ignored): embedded once per machine
            from .encoder import EmbeddingCache

            chosen["default"] = CascadeScorer(cascade.model, recall=cascade.recall,
                                              recall_by_lang=cascade.recall_by_lang, head=cascade.head,
                                              encoder=cascade.encoder, cache=EmbeddingCache("dev"))
        res = evaluate(Path(data_dir), chosen, sets=[s.strip() for s in sets.split(",")] if sets else None)
        c = chosen.get("default")
        if isinstance(c, CascadeScorer) and c.cache is not None:
            res["speed_note"] = (f"default: {c.routed} of {c.posts} posts went to the encoder, their embeddings "
                                 "read from .cache/encoder/; benchmarks/bench_scorer.py times the encoder")
    own = next((n for n in names if n in ("default", "fast")), None)
    res["flag_recall"] = recall if own else None
    res["flag_recall_by_lang"] = cast(Any, chosen[own]).recall_by_lang if own else {}
    typer.echo(json.dumps(res, indent=1) if as_json else format_report(res))


def _labelled_rows(paths: list[Path]) -> list[Row]:
    """Rows of the team's own labelled CSVs, each file a set of its own name; rows that cannot be used are
    named on stderr and left out; an unreadable file or one without a usable row stops with exit 2."""
    rows = []
    for path in paths:
        try:
            got, problems = load_feedback(path, kind="labelled file")
        except ValueError as e:
            _fail(str(e))
        for p in problems:
            typer.echo(f"warning: {p}", err=True)
        if not got:
            _fail(f"{path} has no row with text and a flag or label to measure")
        rows += [replace(r, set=Path(path).name) for r in got]
    return rows


def train_cmd(
    data_dir: Path = typer.Option(DEFAULT_DATA_DIR, "--data-dir", help="Folder of the labelled sets."),
    out: Path | None = typer.Option(None, "--out", help="Model file (default: the shipped model path)."),
    bits: int = typer.Option(21, "--bits", help="log2 of the number of hashed features."),
    seed: int = typer.Option(13, "--seed"),
    exclude_non_commercial: bool = typer.Option(False, "--exclude-non-commercial",
                                                help="Leave out CC BY-NC-SA sets."),
    no_eval: bool = typer.Option(False, "--no-eval", help="Skip the dev evaluation and the model card."),
    feedback: list[Path] | None = typer.Option(None, "--feedback", help="Reviewers' corrections "
                                                  "(`social-care feedback export` CSV) to fit with the sets; "
                                                  "repeatable."),
    head: bool = typer.Option(True, "--head/--no-head", help="Also train the encoder head of the cascade "
                              "(beside the model file; the first run embeds a sample of the training sets, "
                              "about 16,500 posts, cached under .cache/encoder/)."),
) -> None:
    """Train the default scorer: the hashed model, then the cascade's encoder head (needs the `train` extra:
    scikit-learn)."""
    try:
        # lazy: scikit-learn is the optional train extra
        import sklearn  # noqa: F401
    except ImportError:
        _fail("training needs scikit-learn: pip install 'social-care[train]'")

    cfg = TrainConfig(data_dir=data_dir, out=out, bits=bits, seed=seed,
                      exclude_non_commercial=exclude_non_commercial, evaluate=not no_eval, feedback=feedback or ())
    try:
        meta = train(cfg)
    except ValueError as e:
        _fail(str(e))
    typer.echo("\n".join(cfg.log))
    if head:
        from .encoder import EncoderUnavailable, load_encoder
        from .encoder_train import HeadConfig, train_head

        try:
            load_encoder()
        except EncoderUnavailable as e:
            typer.echo(f"encoder head not trained: {e}", err=True)
            return
        hcfg = HeadConfig(data_dir=data_dir, out=Path(meta["path"]).parent / "encoder_head.npz",
                          feedback=feedback or (), model_path=Path(meta["path"]))
        try:
            train_head(hcfg)
        except ValueError as e:
            _fail(str(e))
        typer.echo("\n".join(hcfg.log))
        if not no_eval:
            from .train import rewrite_card

            typer.echo(f"wrote {rewrite_card(Path(meta['path']), data_dir)} (the cascade and the hashed model)")


def register(target: typer.Typer) -> None:
    """Add score, eval and train as commands of another Typer app."""
    target.command("score")(score_cmd)
    target.command("eval")(eval_cmd)
    target.command("train")(train_cmd)


register(app)

if __name__ == "__main__":
    app()
