"""The labelled sets in shared/data: loading, the flag of each row, and fixed train/dev splits.

Splits are deterministic (md5 of a key per set), so training and `eval` always agree:
* en_tweeteval, multi_xlmt: their official dev.csv;
* fa_digikala: by product_id, fa_sentipers: by product (a review's sentences stay together);
* en_airline: rows with duplicate_of_earlier_row=1 dropped first;
* every other set: by row key, DEV_PERCENT % to dev.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

DEV_PERCENT = 15

# name: (language, license as stated, permissive?, non-commercial?)
SETS: dict[str, tuple[str, str, bool]] = {
    "en_airline": ("en", "CC BY-NC-SA 4.0", False),
    "en_tweeteval": ("en", "released without restrictions; X terms apply", True),
    "en_complaints": ("en", "not stated", False),
    "en_apple": ("en", "not stated", False),
    "en_brand_emotions": ("en", "not stated", False),
    "multi_xlmt": ("multi", "repo Apache-2.0; underlying sets may restrict", True),
    "fa_snappfood": ("fa", "not stated", False),
    "fa_digikala": ("fa", "not stated", False),
    "fa_sentipers": ("fa", "free use, no license named", False),
    "ko_nsmc": ("ko", "CC0 1.0", True),
}
NON_COMMERCIAL = {"en_airline"}

# en_airline's `negativereason` (why a negative tweet was negative) as the product's issue categories, to measure
# the categorizer: a late or cancelled flight and lost luggage are what a late or lost parcel is to a shop.
AIRLINE_REASON_CATEGORY: dict[str, str] = {
    "Late Flight": "delivery",
    "Cancelled Flight": "delivery",
    "Lost Luggage": "delivery",
    "Damaged Luggage": "damaged",
    "Customer Service Issue": "customer_service",
    "Flight Attendant Complaints": "customer_service",
    "longlines": "customer_service",
    "Flight Booking Problems": "account",
    "Bad Flight": "other",
    "Can't Tell": "other",
}


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: str | None  # negative/neutral/positive, None where the set has no sentiment label
    flag: bool  # the customer is unhappy (negative, or complaint)
    lang: str
    set: str
    extra: str = ""  # en_airline: negativereason


def _frac(key: str) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest()[:8], 16) % 100


def _read(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_set(data_dir: Path, name: str) -> tuple[list[Row], list[Row]]:
    """(train, dev) rows of one set."""
    data_dir = Path(data_dir)
    lang = SETS[name][0]
    d = data_dir / name
    train: list[Row] = []
    dev: list[Row] = []

    def row(r: dict[str, str], extra: str = "") -> Row:
        lab = r["label"]
        if name == "en_complaints":
            return Row(r["text"], None, lab == "complaint", "en", name)
        return Row(r["text"], lab, lab == "negative", r.get("lang") or lang, name, extra)

    if name in ("en_tweeteval", "multi_xlmt"):
        train = [row(r) for r in _read(d / "train.csv")]
        dev = [row(r) for r in _read(d / "dev.csv")]
        return train, dev
    for r in _read(d / "train.csv"):
        if name == "en_airline":
            if r.get("duplicate_of_earlier_row") == "1":
                continue
            key = r["text"]
            x = row(r, r.get("negativereason", ""))
        elif name == "fa_digikala":
            key = "p" + r["product_id"]
            x = row(r)
        elif name == "fa_sentipers":
            key = r["product_file"]
            x = row(r)
        else:
            key = r.get("source_id") or r.get("source_unit_id") or r["text"]
            x = row(r)
        (dev if _frac(name + ":" + key) < DEV_PERCENT else train).append(x)
    return train, dev


FEEDBACK_SET = "feedback"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def decode_csv(data: bytes, name: str) -> str:
    """Text of a CSV file's bytes: UTF-8 (with or without a BOM), or UTF-16 with a BOM (a spreadsheet's
    "Unicode text"). ValueError naming the file and the offset of the bad byte otherwise."""
    utf16 = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    try:
        return data.decode("utf-16") if utf16 else data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{name} is not valid {'UTF-16' if utf16 else 'UTF-8'} (bad byte at offset {e.start}); "
                         "save the CSV as UTF-8 and retry") from None


def _cell(row: dict[str, str], cols: dict[str, str], name: str) -> str:
    return (row.get(cols[name]) or "").strip() if name in cols else ""


# Spreadsheet exports: comma, semicolon (Excel where the decimal mark is a comma), tab ("Unicode text"), pipe.
DELIMITERS = (",", ";", "\t", "|")


def text_delimiter(text: str) -> str:
    """The delimiter whose split of the header line has a `text` column (a comma when none has)."""
    first = io.StringIO(text, newline="").readline().rstrip("\r\n")  # a file may end its lines with \r alone
    for d in DELIMITERS:
        names = next(csv.reader([first], delimiter=d), [])
        if "text" in (h.strip().lower() for h in names):
            return d
    return ","


def csv_records(text: str, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """(header, [(line number, fields)], [(line number, problem)]) of a CSV text, read so that one malformed row costs
    only itself: a quote that is never closed (the lenient reader runs it to the end of the file, merging
    every following row into one field), or one that swallows whole rows into a record of the wrong width,
    is reported with its line number, and reading resumes on the next line. A quoted field over several
    lines that makes a record of the header's width is a multi-line post and is kept."""
    csv.field_size_limit(sys.maxsize)
    # lines as the csv module (and an editor) counts them: \n, \r or \r\n; str.splitlines also splits at
    # \x0b, \x0c, \x1c-\x1e, \x85 and \u2028/9, which put line numbers off and cut the header or a row in two
    lines = io.StringIO(text, newline="").readlines()
    if not lines:
        return [], [], []
    header = next(csv.reader([lines[0].rstrip("\r\n")], delimiter=delimiter), [])
    rows: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str]] = []
    i = 1  # 0-based index of the next line to read; line numbers are 1-based
    while i < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[i:]), newline=""), delimiter=delimiter, strict=True)
        consumed, restart = 0, None
        try:
            for fields in reader:
                start, end = i + consumed + 1, i + reader.line_num
                consumed = reader.line_num
                if end > start and len(fields) != len(header) and _own_rows(lines[start:end], delimiter,
                                                                            len(header)):
                    problems.append((start, f"a quote opened here is not closed on its line, so lines "
                                            f"{start + 1}-{end} would have been read into it"))
                    restart = start
                    break
                if fields:
                    rows.append((start, fields))
        except csv.Error as e:
            start = i + consumed + 1
            problems.append((start, f"unreadable row ({e}; a quote opened here is never closed)"))
            restart = start
        if restart is None:
            break
        i = restart
    return header, rows, problems


def _own_rows(lines: list[str], delimiter: str, columns: int) -> bool:
    """Whether every line swallowed by a multi-line field parses as a whole row of ``columns`` fields."""
    if columns < 2:
        return False  # one column: a multi-line post cannot be told from merged rows; keep it
    for line in lines:
        stripped = line.rstrip("\r\n")
        if not stripped:
            continue
        fields = next(csv.reader([stripped], delimiter=delimiter), [])
        if len(fields) != columns:
            return False
    return True


def load_feedback(path: Path, kind: str = "feedback file") -> tuple[list[Row], list[str]]:
    """Rows from a `social-care feedback export` CSV, or any CSV of labelled posts (text, label, flagged,
    lang, ...; separated as `text_delimiter` finds), and one message per row left out (no text, or neither
    a flag nor a label to learn from). `kind` names the file in messages.

    `flagged` is the reviewer's word on "this customer is unhappy"; where it is missing the label decides
    (negative = unhappy). Raises ValueError when the file cannot be read or has no `text` column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ValueError(f"cannot read {kind} {path}: {e.strerror or e}") from None
    text = decode_csv(data, f"{kind} {path}")
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=text_delimiter(text))
    cols = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    if "text" not in cols:
        raise ValueError(f"{kind} {path} has no `text` column (columns: {', '.join(cols) or 'none'})")
    rows: list[Row] = []
    problems: list[str] = []
    for i, r in enumerate(reader, start=2):
        body = r.get(cols["text"]) or ""
        label = _cell(r, cols, "label").lower() or None
        if label not in (None, "negative", "neutral", "positive"):
            problems.append(f"{path.name} row {i}: unknown label {label!r}, label ignored")
            label = None
        flagged = _cell(r, cols, "flagged").lower()
        if not body.strip():
            problems.append(f"{path.name} row {i}: no text, left out")
            continue
        if flagged in _TRUE:
            flag = True
        elif flagged in _FALSE:
            flag = False
        elif flagged:
            problems.append(f"{path.name} row {i}: flagged is {_cell(r, cols, 'flagged')!r}, not true/false; "
                            "left out")
            continue
        elif label is not None:
            flag = label == "negative"
        else:
            problems.append(f"{path.name} row {i}: neither a flag nor a label, left out")
            continue
        rows.append(Row(body, label, flag, _cell(r, cols, "lang").lower() or "und", FEEDBACK_SET))
    return rows, problems


def available_sets(data_dir: Path) -> list[str]:
    return [n for n in SETS if (Path(data_dir) / n).is_dir()]
