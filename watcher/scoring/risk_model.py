"""The learned risk component at run time: where the rules cannot reach.

``data/risk.tsv.gz`` (written by ``risk_train.py`` from dev.csv reviews the rules labelled)
holds, for ``safety``, a logistic regression over the complaint model's character
n-grams and a threshold set so that almost no well-rated review reaches it. The scorer asks it
only about a text the model calls a complaint and no rule of that kind caught; the hit it makes
passes the rules' context checks (negated, hypothetical, someone else's, fiction, resolved) at
its strongest n-gram, and its reason names the whole words that n-gram sits in.

File format: a JSON header line ``{"format": "watcher-risk-model/1", "rules": {rule:
{"intercept", "threshold"}}}``, then ``rule<TAB>ngram<TAB>weight`` lines.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from watcher.scoring import features
from watcher.scoring.engine import Hit, Matcher
from watcher.scoring.words import whole_words

RISK_PATH = Path(__file__).with_name("data") / "risk.tsv.gz"
LEARNED_RULES = ("safety",)  # money: the rules label only 31 dev.csv reviews, too few to learn from
FORMAT = "watcher-risk-model/1"


@dataclass(frozen=True)
class Learned:
    rule: str
    probability: float
    grams: tuple[str, ...]  # the strongest n-grams for the rule, strongest first


@dataclass
class RiskModel:
    # rule -> (n-gram weights, intercept, threshold)
    rules: dict[str, tuple[dict[str, float], float, float]] = field(default_factory=dict)

    def detect(self, model_text: str, skip: frozenset[str] = frozenset()) -> list[Learned]:
        """The rules (not in ``skip``) whose probability reaches their threshold."""
        grams = features.grams(model_text)
        scale = features.scale(len(grams))
        out = []
        for rule, (weights, intercept, threshold) in self.rules.items():
            if rule in skip:
                continue
            found = [g for g in grams if g in weights]
            z = intercept + scale * sum(weights[g] for g in found)
            p = 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0
            if p >= threshold:
                top = sorted((g for g in found if weights[g] > 0 and len(g) >= 2),
                             key=lambda g: (-weights[g], g))
                out.append(Learned(rule, p, tuple(top[:3])))
        return out


def dump(model: RiskModel, path: Path) -> None:
    header = {"format": FORMAT,
              "rules": {r: {"intercept": b, "threshold": t}
                        for r, (_, b, t) in sorted(model.rules.items())}}
    lines = [json.dumps(header, sort_keys=True)]
    for rule, (weights, _, _) in sorted(model.rules.items()):
        lines += [f"{rule}\t{g}\t{w:.4g}" for g, w in sorted(weights.items())]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)


def parse(text: str) -> RiskModel:
    head, _, body = text.partition("\n")
    header = json.loads(head)
    if header.get("format") != FORMAT:
        raise ValueError(f"unknown risk model format {header.get('format')!r}")
    weights: dict[str, dict[str, float]] = {r: {} for r in header["rules"]}
    for line in body.splitlines():
        rule, gram, weight = line.split("\t")
        weights[rule][gram] = float(weight)
    return RiskModel({r: (weights[r], float(v["intercept"]), float(v["threshold"]))
                      for r, v in header["rules"].items()})


@lru_cache(maxsize=1)
def load(path: Path = RISK_PATH) -> RiskModel:
    """The shipped risk model, read once per process; an empty one when the file is absent."""
    if not path.is_file():
        return RiskModel()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return parse(fh.read())


def hits(matcher: Matcher, folded: str, fired: Iterable[str]) -> list[Hit]:
    """Hits of the learned rules not already ``fired`` on ``folded`` (``normalize.fold`` of
    the cleaned text): each checked in context at its strongest n-gram, named by the whole
    words its strongest n-grams sit in."""
    out: list[Hit] = []
    for found in load().detect(folded, frozenset(fired)):
        start = folded.find(found.grams[0]) if found.grams else -1
        if start < 0:
            continue
        end = start + len(found.grams[0])
        words = whole_words(folded, found.grams)
        if words and matcher.accepts(folded, found.rule, start, end):
            out += [Hit(found.rule, w, start, end) for w in words]
    return out
