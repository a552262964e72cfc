"""Features shared by training and inference, so the two can never drift apart.

* character 1-3-grams of ``normalize.fold(clean(text))`` (no segmenter: Weibo slang, typos and
  emoji defeat word segmentation, and n-grams need no dictionary), each present n-gram counts
  once and the sum is divided by sqrt(number of distinct n-grams, known or not), so long hotel
  reviews and ten-character Weibo posts land on the same scale;
* ``lexicon.FEATURES``: log(1 + count) of hand-written lexicon hits.
"""

from __future__ import annotations

import math

from watcher.scoring import lexicon

MAX_N = 3


def grams(text: str) -> set[str]:
    """Distinct character n-grams (n = 1..MAX_N) that do not span a space."""
    out: set[str] = set()
    for part in text.split(" "):
        size = len(part)
        for n in range(1, MAX_N + 1):
            for i in range(size - n + 1):
                out.add(part[i : i + n])
    return out


def scale(n_grams: int) -> float:
    """The factor every n-gram weight is multiplied by."""
    return 1.0 / math.sqrt(n_grams) if n_grams else 0.0


def dense(text: str) -> tuple[float, ...]:
    """Lexicon features, in ``lexicon.FEATURES`` order."""
    return tuple(math.log1p(c) for c in lexicon.counts(text))
