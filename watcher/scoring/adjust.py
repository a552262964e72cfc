"""The deployment's own adjustment of the shipped scorer, learnt from staff corrections.

The shipped model stays as it is. From the corrections the fit draws two *patterns*: the
character pairs and triples (of the folded text) that recur in the texts staff said are not
complaints, and in those they confirmed as complaints (another category or level), each kept
only when it is at least ``RATIO`` times as common there as in the anchor half of the shipped
reference sample (``reference.py``: real reviews and posts, complaints and praise). A text's
share of its grams in a pattern moves the shipped probability ``p``:

    p' = sigmoid(logit(p) + weight_not * share_not + weight_yes * share_yes)

The two weights are fitted by logistic regression (pure Python: no numpy where Watcher runs) on
the corrections, each measured against patterns drawn without it (so the weights are those that
carry to new wording), together with the anchors that share any pattern gram, which hold the
weights to what real complaints say. A whole pattern, not single words, decides: a new post of
the same kind shares a good part of its grams with it, a real complaint that happens to say
"下单" or "客服" very few.

A category staff named at least ``MIN_EXAMPLES`` times gets a pattern of its own the same way,
with the share that names it (above what one anchor in a hundred reaches); a complaint that
meets it is filed in that category (``adjusted_category``).

``AdjustedScorer`` applies it on top of a ``Scorer``'s output: when ``p'`` crosses the threshold
the text is scored again by the shipped scorer on the other side (its level and category rules
unchanged), and an ``adjusted`` reason says so. A risk rule that fired keeps the text a
complaint: learning never silences a safety, money or threat rule.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from watcher.reasons import ReasonCode, reason
from watcher.scoring import normalize
from watcher.scoring.category import CATEGORIES, COMPLAINT_CATEGORIES
from watcher.scoring.scorer import Score, Scorer

GRAMS = (2, 3)
MIN_DF = 2  # a gram must recur in this many corrected texts of its kind
CATEGORY_SHARE = 0.1  # the least share of a text's grams in a category's pattern that names it
MIN_EXAMPLES = 5  # corrections of a kind needed to draw its pattern
RATIO = 20.0  # how much more common in the corrected texts than in the anchors
MAX_GRAMS = 5_000  # per pattern, the most frequent
L2 = 0.01
STEPS = 400
RATE = 1.0  # AdaGrad's
CLIP = 8.0  # |logit| cap: a base probability of exactly 0 or 1 still moves
VERSION = 2
MOVED = 0.01  # a shift smaller than this leaves the score as it is
KINDS = ("not", "yes")  # not a complaint; a complaint after all
_RUNS = re.compile(r"[^\W_]+")


def grams(cleaned: str) -> set[str]:
    """The character pairs and triples of a text's runs of letters and digits."""
    found: set[str] = set()
    for run in _RUNS.findall(normalize.fold(cleaned).lower()):
        for n in GRAMS:
            found.update(run[i : i + n] for i in range(len(run) - n + 1))
    return found


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return max(-CLIP, min(CLIP, math.log(p / (1 - p))))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def share(found: set[str], pattern: frozenset[str]) -> float:
    return len(found & pattern) / len(found) if found else 0.0


@dataclass(frozen=True)
class Adjustment:
    patterns: dict[str, frozenset[str]]  # by kind
    weights: dict[str, float]
    # category -> (its pattern, the share of a text's grams in it that names the category)
    categories: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)

    def category(self, cleaned: str) -> str | None:
        """The category whose pattern the text meets, most clearly; None for none."""
        found = grams(cleaned)
        over = {c: share(found, pattern) / least for c, (pattern, least)
                in self.categories.items() if share(found, pattern) >= least}
        return max(over, key=lambda c: over[c]) if over else None

    def shift(self, cleaned: str) -> float:
        found = grams(cleaned)
        return sum(self.weights[k] * share(found, p) for k, p in self.patterns.items())

    def probability(self, cleaned: str, p: float) -> float:
        moved = self.shift(cleaned)
        return p if moved == 0.0 else sigmoid(logit(p) + moved)

    def to_json(self) -> dict[str, object]:
        return {"version": VERSION,
                "patterns": {k: {"weight": round(self.weights[k], 5), "grams": sorted(p)}
                             for k, p in self.patterns.items()},
                "categories": {c: {"share": round(least, 5), "grams": sorted(p)}
                               for c, (p, least) in self.categories.items()}}

    @classmethod
    def from_json(cls, stored: object) -> Adjustment:
        if not (isinstance(stored, dict) and stored.get("version") == VERSION
                and isinstance(stored.get("patterns"), dict)):
            raise ValueError("not an adjustment of this version")
        patterns, weights = {}, {}
        for kind, found in stored["patterns"].items():
            patterns[str(kind)] = frozenset(str(g) for g in found["grams"])
            weights[str(kind)] = float(found["weight"])
        categories = {str(c): (frozenset(str(g) for g in found["grams"]), float(found["share"]))
                      for c, found in stored.get("categories", {}).items()}
        return cls(patterns, weights, categories)


@dataclass(frozen=True)
class Example:
    cleaned: str
    complaint: bool
    probability: float  # the shipped scorer's
    category: str | None = None  # the category staff gave


def fit(corrections: Sequence[Example], anchors: Sequence[Example]) -> Adjustment:
    """The patterns of `corrections` and their weights (see the module docstring)."""
    anchor_grams = [grams(e.cleaned) for e in anchors]
    background = Counter(g for found in anchor_grams for g in found)
    scale = max(1, len(anchors))
    found_of = [grams(e.cleaned) for e in corrections]
    counts, sizes = {}, {}
    for kind in KINDS:
        mine = [f for f, e in zip(found_of, corrections, strict=True)
                if e.complaint == (kind == "yes")]
        if len(mine) >= MIN_EXAMPLES:
            counts[kind], sizes[kind] = Counter(g for f in mine for g in f), len(mine)

    def pattern(kind: str, left_out: set[str] | None = None) -> frozenset[str]:
        n = sizes[kind] - (left_out is not None)
        df = counts[kind]
        chosen = (g for g, k in df.most_common(MAX_GRAMS)
                  if (left_out is None or g in left_out)
                  and k - (left_out is not None) >= MIN_DF
                  and (k - (left_out is not None)) / n >= RATIO * (background[g] + 1) / scale)
        return frozenset(chosen)

    patterns = {kind: pattern(kind) for kind in counts}
    rows: list[tuple[list[float], float, float]] = []
    for found, e in zip(found_of, corrections, strict=True):
        own = "yes" if e.complaint else "not"
        rows.append(([share(found, pattern(kind, found) if kind == own else patterns[kind])
                      for kind in patterns], logit(e.probability), float(e.complaint)))
    for found, e in zip(anchor_grams, anchors, strict=True):
        shares = [share(found, p) for p in patterns.values()]
        if any(shares):
            rows.append((shares, logit(e.probability), float(e.complaint)))
    weights = _logistic(rows, len(patterns))
    fitted = dict(zip(patterns, weights, strict=True))
    # a pattern of texts that are not complaints only lowers, the other only raises
    fitted = {k: min(w, 0.0) if k == "not" else max(w, 0.0) for k, w in fitted.items()}
    return Adjustment(patterns, fitted,
                      _categories(corrections, found_of, anchor_grams, background, scale))


def _categories(corrections: Sequence[Example], found_of: Sequence[set[str]],
                anchor_grams: Sequence[set[str]], background: Counter[str], scale: int
                ) -> dict[str, tuple[frozenset[str], float]]:
    """For each category staff named often enough: the grams that recur in its texts and are
    rare in the anchors, and the share that names it: above what one anchor in a hundred
    reaches, and met by at least half its own texts, each measured without itself."""
    learnt = {}
    for category in CATEGORIES:
        mine = [f for f, e in zip(found_of, corrections, strict=True) if e.category == category]
        if len(mine) < MIN_EXAMPLES:
            continue
        df = Counter(g for f in mine for g in f)

        def rare(g: str, k: int, n: int) -> bool:
            return k >= MIN_DF and k / n >= RATIO * (background[g] + 1) / scale

        pattern = frozenset(g for g, k in df.items() if rare(g, k, len(mine)))
        own = sorted(share(f, frozenset(g for g in f if rare(g, df[g] - 1, len(mine) - 1)))
                     for f in mine)
        chance = sorted(share(f, pattern) for f in anchor_grams)
        least = max(CATEGORY_SHARE, chance[int(len(chance) * 0.99)] if chance else 0.0)
        if pattern and own[len(own) // 2] >= least:
            learnt[category] = (pattern, least)
    return learnt


def _logistic(rows: Sequence[tuple[list[float], float, float]], width: int) -> list[float]:
    """The weights of `width` features on top of a fixed offset (the shipped logit), by
    AdaGrad on the L2-regularised log loss."""
    w, squares = [0.0] * width, [1e-8] * width
    for _ in range(STEPS):
        grad = [L2 * wj for wj in w]
        for x, offset, label in rows:
            error = sigmoid(offset + sum(a * b for a, b in zip(w, x, strict=True))) - label
            for j in range(width):
                grad[j] += error * x[j]
        for j in range(width):
            squares[j] += grad[j] * grad[j]
            w[j] -= RATE * grad[j] / math.sqrt(squares[j])
    return w


def cleaned_text(text: str, title: str = "") -> str:
    """The text as the scorer reads it."""
    return normalize.clean(f"{title}\n{text}" if title else text)


class AdjustedScorer(Scorer):
    """The shipped ``Scorer`` with the deployment's adjustment on top. `current` gives the
    adjustment in force (None: the shipped scorer alone); it is asked on every text, so it must
    be cheap (watcher.tickets.learning.AdjustmentSource caches it)."""

    def __init__(self, *, current: Callable[[], Adjustment | None],
                 threshold: float | None = None, rules_files: Sequence[Path] = ()) -> None:
        super().__init__(threshold=threshold, rules_files=rules_files)
        self.current = current

    def shipped(self, text: str, *, threshold: float | None = None, title: str = "") -> Score:
        """The shipped scorer's own score."""
        return super().score(text, threshold=threshold, title=title)

    def score(self, text: str, *, threshold: float | None = None, title: str = "") -> Score:
        return self.adjust(self.shipped(text, threshold=threshold, title=title), text,
                           threshold=threshold, title=title)

    def adjust(self, score: Score, text: str, *, threshold: float | None = None,
               title: str = "", adjustment: Adjustment | None = None) -> Score:
        """`score` (the shipped scorer's, of this text) with the adjustment applied."""
        adjustment = adjustment or self.current()
        if adjustment is None:
            return score
        cleaned = cleaned_text(text, title)
        if not normalize.is_chinese(cleaned):
            return score
        return self._recategorized(self._reweighed(score, text, cleaned, adjustment,
                                                   threshold, title), cleaned, adjustment)

    def _reweighed(self, score: Score, text: str, cleaned: str, adjustment: Adjustment,
                   threshold: float | None, title: str) -> Score:
        after = adjustment.probability(cleaned, score.probability)
        if abs(after - score.probability) < MOVED:
            return score
        thr = self._threshold(threshold)
        why = reason(ReasonCode.ADJUSTED, before=score.probability, after=round(after, 4))
        if (after >= thr) != (score.probability >= thr):
            again = self.shipped(text, threshold=0.0 if after >= thr else 1.0, title=title)
            first = again.reasons[0]
            code = (ReasonCode.COMPLAINT_LIKELY if after >= thr
                    else ReasonCode.COMPLAINT_UNLIKELY)
            score = replace(again, reasons=(reason(code, rule=first.rule, words=first.words,
                                                   probability=after, threshold=thr),
                                            *again.reasons[1:]))
        return replace(score, probability=round(after, 4), sentiment=round(1.0 - after, 4),
                       reasons=(*score.reasons[:-1], why, *score.reasons[-1:]))

    @staticmethod
    def _recategorized(score: Score, cleaned: str, adjustment: Adjustment) -> Score:
        """A complaint in the category staff taught; an ordinary one rises from level 4 to 3
        when that category is a complaint's (as the shipped levels have it)."""
        category = adjustment.category(cleaned) if score.complaint else None
        if category is None or category == score.category:
            return score
        department = CATEGORIES[category]
        why = reason(ReasonCode.ADJUSTED_CATEGORY, rule=category, detail=department)
        reasons = [r for r in score.reasons if r.code != ReasonCode.CATEGORY]
        level = score.level
        if level == 4 and not score.risks and category in COMPLAINT_CATEGORIES:
            level = 3
            reasons[-1] = reason(ReasonCode.LEVEL_ORDINARY, level=3)
        return replace(score, category=category, department=department, level=level,
                       reasons=(*reasons[:-1], why, *reasons[-1:]))
