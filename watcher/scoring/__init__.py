"""Scoring: is a text a complaint, how likely, about what, how urgent, and why.

Importing this package is cheap (no numpy, no snownlp, no model): the rules are read when a
``Scorer`` is built, the model (``data/model.tsv.gz``) on the first ``score``. See
``scorer.py`` for the decisions, ``RULES.md`` for the admin rules format, ``train.py`` for how
the model is made.
"""

from __future__ import annotations

from typing import Any

from watcher.errors import ScoringConfigError
from watcher.reasons import english
from watcher.scoring.category import CATEGORIES
from watcher.scoring.reach import REACH
from watcher.scoring.scorer import RISK_RULES, Score, Scorer, default_threshold

# Every risk a ticket can carry: the rules' (judged on the text) and reach (on the audience).
RISKS: tuple[str, ...] = (*RISK_RULES, REACH)

__all__ = [
    "CATEGORIES",
    "RISKS",
    "RISK_RULES",
    "Score",
    "Scorer",
    "ScoringConfigError",
    "default_threshold",
    "score_to_dict",
]


def score_to_dict(text: str, score: Score) -> dict[str, Any]:
    """The ``watcher score`` output line for one text (JSON-able, fields in this order)."""
    return {
        "text": text,
        "complaint": score.complaint,
        "sentiment": score.sentiment,
        "level": score.level,
        "category": score.category,
        "reasons": english(score.reasons),
        "probability": score.probability,
        "risks": list(score.risks),
        "department": score.department,
        "reason_codes": [r.code.value for r in score.reasons],
    }
