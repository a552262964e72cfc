"""snownlp's own sentiment model, read without importing snownlp.

``import snownlp`` loads every model it has (segmenter, tagger, pinyin: ~4 s, ~430 MB). Its
sentiment classifier is a naive Bayes over words stored in ``sentiment/sentiment.marshal.3``
(0.3 MB). We read that file directly and segment by longest match against the classifier's
own vocabulary instead of running snownlp's 13 MB segmenter: 89% same decisions as
``SnowNLP(text).sentiments`` on dev.csv, ~100x faster, ~10 MB. The scorer asks it only when
the n-gram model is unsure (see ``model.Model``); leave-one-dataset-out cross-validation
shows it helps there (e-commerce +0.01 F1) and hurts when always used (Weibo -0.02).

When snownlp is not installed, ``available()`` is False and the scorer uses the n-gram
model alone.
"""

from __future__ import annotations

import gzip
import importlib.util
import marshal
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_MAX_WORD = 4
_CLIP = 8.0


@dataclass(frozen=True)
class _Bayes:
    neg: dict[str, float]
    pos: dict[str, float]
    neg_total: float
    pos_total: float
    prior: float  # log P(neg) - log P(pos)
    stop: frozenset[str]


def _package_dir() -> Path | None:
    # find_spec on the top-level name does not execute snownlp/__init__.py.
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _load() -> _Bayes | None:
    root = _package_dir()
    if root is None:
        return None
    path = root / "sentiment" / "sentiment.marshal.3"
    stop_path = root / "normal" / "stopwords.txt"
    if not path.is_file():
        return None
    with gzip.open(path, "rb") as fh:
        data = marshal.loads(fh.read())
    neg, pos = data["d"]["neg"], data["d"]["pos"]
    stop = frozenset(w.strip() for w in stop_path.read_text(encoding="utf-8").splitlines())
    return _Bayes(
        neg=dict(neg["d"]),
        pos=dict(pos["d"]),
        neg_total=float(neg["total"]),
        pos_total=float(pos["total"]),
        prior=math.log(neg["total"]) - math.log(pos["total"]),
        stop=stop,
    )


def available() -> bool:
    return _load() is not None


def _words(text: str, vocab_neg: dict[str, float], vocab_pos: dict[str, float]) -> list[str]:
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        for n in range(min(_MAX_WORD, size - i), 0, -1):
            word = text[i : i + n]
            if n == 1 or word in vocab_neg or word in vocab_pos:
                out.append(word)
                i += n
                break
    return out


def negative_logit(text: str) -> float:
    """log P(neg)/P(pos) under snownlp's classifier, clipped to [-8, 8]; 0 when unavailable.

    ``text`` should be ``normalize.clean`` output (snownlp was trained on unfolded text).
    """
    bayes = _load()
    if bayes is None:
        return 0.0
    z = bayes.prior
    log_neg_total, log_pos_total = math.log(bayes.neg_total), math.log(bayes.pos_total)
    for word in _words(text, bayes.neg, bayes.pos):
        if word in bayes.stop or word == " ":
            continue
        # snownlp's AddOneProb: unseen words count 1.
        z += math.log(bayes.neg.get(word, 1)) - log_neg_total
        z -= math.log(bayes.pos.get(word, 1)) - log_pos_total
    return max(-_CLIP, min(_CLIP, z))


def segment(text: str) -> list[str] | None:
    """``text`` cut into snownlp's sentiment words by longest match (single characters where
    no word fits), or None when snownlp is not installed."""
    bayes = _load()
    return None if bayes is None else _words(text, bayes.neg, bayes.pos)
