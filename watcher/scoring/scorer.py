"""``Scorer``: model probability + risk rules + category -> ``Score`` with its reasons.

Decisions (DESIGN.md, "Domain defaults"):

* complaint: calibrated probability >= threshold, or a text risk rule fired (a threat to go
  to 12315 is a complaint whatever the wording);
* level 1: a level-1 rule (safety, money) or ``group``; level 2: a level-2 rule (regulator,
  media, legal, complaint platform, deadline) or ``repeat``; level 3: any other complaint
  that is clearly negative (probability >= ``STRONG``) or names what it is about (a complaint
  category); level 4: mild negativity, and inquiries and suggestions that are not
  complaints; ``None``: anything else.

Chinese text is scored by the trained model. Other text (English from Hacker News, Reddit,
GitHub) gets a small English lexicon instead, since the model never saw English: the
probability is a logistic function of (negative - positive) lexicon hits, negation-aware.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import ScoringConfigError
from watcher.reasons import Reason, ReasonCode, reason
from watcher.scoring import lexicon, normalize, risk_model, structure
from watcher.scoring import model as model_mod
from watcher.scoring.category import COMPLAINT_CATEGORIES, Categorizer
from watcher.scoring.engine import Hit, Matcher, alternation
from watcher.scoring.ruleset import load
from watcher.scoring.words import whole_words

RISK_RULES: tuple[str, ...] = ("safety", "money", "regulator", "media", "legal",
                               "complaint_platform", "deadline", "repeat", "group")
STRONG = 0.7
ASKING_SURE = 0.95
_EN_NEG = re.compile(r"\b(" + "|".join(map(re.escape, lexicon.ENGLISH_NEGATIVE)) + r")\b")
_EN_POS = re.compile(r"\b(" + "|".join(map(re.escape, lexicon.ENGLISH_POSITIVE)) + r")\b")
_EN_NOT = re.compile(
    r"\b(" + "|".join(map(re.escape, lexicon.ENGLISH_NEGATORS)) + r")\s+(\w+\s+)?$"
)


@dataclass(frozen=True)
class Score:
    complaint: bool
    sentiment: float
    probability: float
    level: int | None
    category: str
    department: str
    reasons: tuple[Reason, ...]  # watcher.reasons renders them
    risks: tuple[str, ...]


def default_threshold() -> float:
    """The decision threshold tuned by cross-validation (stored in the model file)."""
    return model_mod.load().threshold


def _check_threshold(value: float | None) -> float | None:
    if value is not None and not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise ScoringConfigError(f"threshold must be a number in [0, 1], not {value!r}")
    return value


def english_probability(low: str) -> tuple[float, tuple[str, ...]]:
    """Lexicon score for non-Chinese text: negated words count for the other side."""
    neg, pos, words = 0, 0, []
    for pattern, sign in ((_EN_NEG, 1), (_EN_POS, -1)):
        for m in pattern.finditer(low):
            flip = _EN_NOT.search(low, max(0, m.start() - 30), m.start()) is not None
            if (sign > 0) != flip:
                neg += 1
                words.append(("not " if flip else "") + m.group())
            else:
                pos += 1
    z = 1.5 * (neg - pos) - 1.0
    return 1.0 / (1.0 + math.exp(-z)), tuple(words[:3])


def _level(complaint: bool, p: float, category: str, hits: Sequence[Hit],
           levels: dict[str, int]) -> tuple[int | None, Reason]:
    if hits:
        worst = min(levels[h.rule] for h in hits)
        return worst, reason(ReasonCode.LEVEL_RISK, level=worst)
    if complaint:
        if p >= STRONG or category in COMPLAINT_CATEGORIES:
            return 3, reason(ReasonCode.LEVEL_ORDINARY, level=3)
        return 4, reason(ReasonCode.LEVEL_MILD, level=4)
    if category in ("inquiry", "suggestion"):
        return 4, reason(ReasonCode.LEVEL_ASKING, rule=category, level=4)
    return None, reason(ReasonCode.NO_LEVEL)


class Scorer:
    """Scores texts; cheap to build (reads the rules), the model loads on first score."""

    def __init__(self, *, threshold: float | None = None, rules_files: Sequence[Path] = (),
                 model: model_mod.Model | None = None) -> None:
        # `model`: another trained model (cross-validation); None = the shipped one, lazily.
        self.threshold = _check_threshold(threshold)
        self._model = model
        self.rules = load([Path(p) for p in rules_files])
        self.matcher = Matcher(self.rules)
        self.categorizer = Categorizer(self.rules, self.matcher)
        self.levels = {name: rule.level for name, rule in self.rules.rules.items()}
        self.descriptions = {name: rule.description for name, rule in self.rules.rules.items()}
        self.asking = alternation(self.rules.context["asking"])
        # The shipped learned risk component goes with the shipped model only: a model from
        # cross-validation (`model`) is measured on its own.
        self._learned = model is None

    def _asking(self, low: str) -> bool:
        """A polite question or suggestion with no lexicon complaint word in it."""
        if self.asking is None or not self.asking.search(low):
            return False
        return lexicon.counts(normalize.fold(low))[0] == 0

    def _crowd(self, text: str, low: str) -> list[Hit]:
        """``group`` on a complaint: many people saying the same, whatever the problem word."""
        if "group" not in self.rules.rules:
            return []
        for m in structure.crowd_complaint().finditer(low):
            if self.matcher.accepts(low, "group", m.start(2), m.end(2)):
                return [Hit("group", text[a:b], a, b) for a, b in (m.span(1), m.span(2))]
        return []

    def _threshold(self, override: float | None) -> float:
        explicit = _check_threshold(override)
        if explicit is not None:
            return explicit
        if self.threshold is not None:
            return self.threshold
        return self.model().threshold

    def model(self) -> model_mod.Model:
        if self._model is None:
            self._model = model_mod.load()
        return self._model

    def score(self, text: str, *, threshold: float | None = None, title: str = "") -> Score:
        thr = self._threshold(threshold)
        cleaned = normalize.clean(f"{title}\n{text}" if title else text)
        low = cleaned.lower()
        p, top, source = self._probability(cleaned, low)
        likely = p >= thr
        hits = self.matcher.hits(cleaned)
        if likely and self._learned and source.startswith("model"):
            # Where the rules cannot reach: the learned risk component (risk_model.py).
            hits += risk_model.hits(self.matcher, normalize.fold(cleaned), {h.rule for h in hits})
        if (likely or hits) and not any(h.rule == "group" for h in hits):
            hits += self._crowd(cleaned, low)
        risks = tuple(r for r in RISK_RULES if any(h.rule == r for h in hits))
        if likely and source.startswith("model"):
            # The model's n-grams, as the whole words they are in (reasons name words).
            top = whole_words(normalize.fold(cleaned), top)
        reasons = [reason(ReasonCode.COMPLAINT_LIKELY if likely else ReasonCode.COMPLAINT_UNLIKELY,
                          rule=source, words=top if likely else (), probability=p,
                          threshold=thr)]
        complaint = likely or bool(hits)
        if complaint and not hits and p < ASKING_SURE and self._asking(low):
            complaint = False
            reasons.append(reason(ReasonCode.POLITE))
        for rule in risks:
            fired = sorted({h.word for h in hits if h.rule == rule})
            reasons.append(reason(ReasonCode.RISK, rule=rule, detail=self.descriptions[rule],
                                  words=fired, level=self.levels[rule]))
        cat = self.categorizer.categorize(low, complaint, risks)
        if cat.words:
            reasons.append(reason(ReasonCode.CATEGORY, rule=cat.category, detail=cat.department,
                                  words=cat.words))
        level, why = _level(complaint, p, cat.category, hits, self.levels)
        reasons.append(why)
        return Score(complaint=complaint, sentiment=round(1.0 - p, 4), probability=round(p, 4),
                     level=level, category=cat.category, department=cat.department,
                     reasons=tuple(reasons), risks=risks)

    def _probability(self, cleaned: str, low: str) -> tuple[float, tuple[str, ...], str]:
        """P(complaint), the words behind it, and which scorer said so."""
        if not cleaned.strip():
            return 0.0, (), "empty text"
        if normalize.is_chinese(cleaned):
            ev = self.model().evidence(normalize.fold(cleaned), cleaned)
            return ev.probability, ev.top_negative, "model" + (" + snownlp" if ev.snow_used else "")
        p, top = english_probability(low)
        return p, top, "English lexicon"

    def score_many(self, texts: Sequence[str], *, threshold: float | None = None) -> list[Score]:
        return [self.score(t, threshold=threshold) for t in texts]
