"""The complaint model at run time: pure Python over a small weight table.

File format (``data/model.tsv.gz``, written by ``train.py``, gzip with a fixed timestamp so it
is byte-for-byte reproducible): the first line is a JSON header with the intercept, the
lexicon-feature weights, the calibration, the snownlp gate, the tuned default threshold and
the training figures; every further line is ``ngram<TAB>weight``.

Probability of a complaint::

    z = intercept + sum(weight[g] for g in grams(t)) / sqrt(len(grams(t))) + lexicon . w_lex
    if |z| < snow_band:  z += snow_weight * snownlp_negative_logit(t)     # only when unsure
    p = 1 / (1 + exp(-(platt_a * z + platt_b)))

The calibration is fitted on out-of-fold scores with each dataset's two classes weighted
equally, so ``p`` is calibrated for a source where complaints and non-complaints are equally
common; a source with another mix needs another threshold (per-source ``threshold``).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from watcher.scoring import features, snowlite
from watcher.scoring.lexicon import FEATURES

MODEL_PATH = Path(__file__).with_name("data") / "model.tsv.gz"


@dataclass(frozen=True)
class Evidence:
    """What the model saw: its raw score and the n-grams that pushed it most."""

    z: float
    probability: float
    snow_used: bool
    top_negative: tuple[str, ...]


@dataclass
class Model:
    weights: dict[str, float]
    intercept: float
    dense: tuple[float, ...]
    platt: tuple[float, float] = (1.0, 0.0)
    snow_weight: float = 0.0
    snow_band: float = 0.0
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    def raw(self, model_text: str) -> tuple[float, list[str]]:
        """Score before the snownlp gate and calibration, and the n-grams found."""
        grams = features.grams(model_text)
        weights = self.weights
        found = [g for g in grams if g in weights]
        z = self.intercept + features.scale(len(grams)) * sum(weights[g] for g in found)
        for w, x in zip(self.dense, features.dense(model_text), strict=True):
            z += w * x
        return z, found

    def calibrate(self, z: float) -> float:
        a, b = self.platt
        t = a * z + b
        return 1.0 / (1.0 + math.exp(-t)) if t > -50 else 0.0

    def use_snow(self, z: float) -> bool:
        return self.snow_weight != 0.0 and abs(z) < self.snow_band and snowlite.available()

    def evidence(self, model_text: str, clean_text: str, top: int = 3) -> Evidence:
        z, found = self.raw(model_text)
        snow = self.use_snow(z)
        if snow:
            z += self.snow_weight * snowlite.negative_logit(clean_text)
        return Evidence(z, self.calibrate(z), snow, _top_terms(found, self.weights, top))

    def probability(self, model_text: str, clean_text: str) -> float:
        z, _ = self.raw(model_text)
        if self.use_snow(z):
            z += self.snow_weight * snowlite.negative_logit(clean_text)
        return self.calibrate(z)


def _top_terms(found: Iterable[str], weights: dict[str, float], top: int) -> tuple[str, ...]:
    """Strongest complaint n-grams, longest first among near ties, none inside another."""
    ranked = sorted((g for g in found if weights[g] > 0), key=lambda g: (-weights[g], g))
    picked: list[str] = []
    for g in ranked:
        if len(g) < 2 or any(g in p or p in g for p in picked):
            continue
        picked.append(g)
        if len(picked) == top:
            break
    return tuple(picked)


def dump(model: Model, path: Path) -> None:
    header = {
        "format": "watcher-complaint-model/1",
        "intercept": model.intercept,
        "dense": dict(zip(FEATURES, model.dense, strict=True)),
        "platt": list(model.platt),
        "snow_weight": model.snow_weight,
        "snow_band": model.snow_band,
        "threshold": model.threshold,
        "meta": model.meta,
    }
    lines = [json.dumps(header, ensure_ascii=False, sort_keys=True)]
    lines += [f"{g}\t{w:.4g}" for g, w in sorted(model.weights.items())]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)


def parse(text: str) -> Model:
    head, _, body = text.partition("\n")
    header = json.loads(head)
    if header.get("format") != "watcher-complaint-model/1":
        raise ValueError(f"unknown model format {header.get('format')!r}")
    weights: dict[str, float] = {}
    for line in body.splitlines():
        gram, _, weight = line.rpartition("\t")
        weights[gram] = float(weight)
    return Model(
        weights=weights,
        intercept=float(header["intercept"]),
        dense=tuple(float(header["dense"][name]) for name in FEATURES),
        platt=(float(header["platt"][0]), float(header["platt"][1])),
        snow_weight=float(header["snow_weight"]),
        snow_band=float(header["snow_band"]),
        threshold=float(header["threshold"]),
        meta=header.get("meta", {}),
    )


@lru_cache(maxsize=1)
def load(path: Path = MODEL_PATH) -> Model:
    """The shipped model, read once per process."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return parse(fh.read())
