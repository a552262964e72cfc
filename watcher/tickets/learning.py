"""Learning from staff: `watcher retrain` (and the daemon, at night, when there are new
corrections) fits the deployment's adjustment (watcher.scoring.adjust) from the corrections in
the store, and keeps it only when

* it is right on at least as many of the corrections held back from the fit (every fourth) as
  the shipped scorer, and on more where the shipped scorer got any wrong; and
* on the judging half of the shipped reference sample (dev.csv, stratified: the figures `make
  eval` prints) no dataset's precision, recall, F1 or AUC falls by more than `TOLERANCE`.

Every fit is recorded with its figures, kept or not; the scorers of every replica take up a kept
one within `AdjustmentSource.EVERY` seconds. The dashboard's per-source precision comes from the
tickets corrected as not a complaint (`precision_by_week`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from watcher.scoring import reference
from watcher.scoring.adjust import AdjustedScorer, Adjustment, Example, cleaned_text, fit
from watcher.scoring.eval import auc
from watcher.store import corrections as correction_store

if TYPE_CHECKING:
    from watcher.scoring import Score
    from watcher.store.db import Store

log = logging.getLogger(__name__)

MIN_CORRECTIONS = 10
NIGHT = range(2, 6)  # local hours in which the daemon fits (a quiet time for the scorer)
HELD_EVERY = 4
TOLERANCE = 0.002  # the figures `make eval` prints have three decimals


@dataclass
class Fit:
    """What one retraining did: `state` is kept, rejected or nothing (nothing new to learn)."""

    state: str
    note: str
    corrections: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    fit_id: int | None = None


def pending(store: Store) -> bool:
    """Corrections newer than the last fit."""
    with store.engine.connect() as conn:
        return correction_store.newest_id(conn) > correction_store.last_fit_upto(conn)


def nightly(store: Store, scorer: AdjustedScorer, tz: tzinfo, now: datetime, *, by: str
            ) -> Fit | None:
    """The daemon's look: in the night hours, when there are new corrections, the night's fit
    (claimed by one replica); None when it is not the time or there is nothing new."""
    local = now.astimezone(tz)
    if local.hour not in NIGHT or not pending(store):
        return None
    return retrain(store, scorer, by=by, now=now, night=local.date().isoformat())


def retrain(store: Store, scorer: AdjustedScorer, *, by: str, now: datetime,
            night: str | None = None) -> Fit:
    """Fits, judges and records an adjustment from the corrections in the store. With `night`,
    the fit first claims that night: a replica that finds it claimed does nothing."""
    started = time.process_time()
    with store.engine.connect() as conn:
        upto, last = correction_store.newest_id(conn), correction_store.last_fit_upto(conn)
        found = correction_store.examples(conn)
    if not found:
        return Fit("nothing", "no corrections yet: nothing to retrain")
    if upto <= last:
        return Fit("nothing", "no new corrections since the last fit: nothing to retrain")
    claimed = None
    if night is not None:
        with store.begin() as conn:
            claimed = correction_store.claim_night(store, conn, night, by=by, now=now)
        if claimed is None:
            return Fit("nothing", f"the fit of {night} was claimed by another replica")
    result = _fit(scorer, found)
    result.seconds = round(time.process_time() - started, 2)
    result.figures["seconds"] = result.seconds
    with store.begin() as conn:
        result.fit_id = correction_store.record_fit(conn, {
            "at": now, "by": by, "night": night, "upto": upto, "corrections": len(found),
            "kept": result.state == "kept", "model": result.figures.pop("model", None),
            "figures": result.figures, "note": result.note}, claimed)
    log.info("retrain: %s (%s)", result.state, result.note)
    return result


def _fit(scorer: AdjustedScorer, found: Sequence[correction_store.Example]) -> Fit:
    if len(found) < MIN_CORRECTIONS:
        return Fit("rejected", f"too few corrections to learn from ({len(found)}, at least "
                   f"{MIN_CORRECTIONS})", len(found))
    examples = [_example(scorer, e.text, e.complaint, e.category) for e in found]
    held = examples[HELD_EVERY - 1 :: HELD_EVERY]
    taught = [e for i, e in enumerate(examples) if i % HELD_EVERY != HELD_EVERY - 1]
    anchors_rows, judges_rows = reference.halves()
    anchors = [_example(scorer, r.text, bool(r.neg)) for r in anchors_rows]
    adjustment = fit(taught, anchors)
    before, after = _held(scorer, held, None), _held(scorer, held, adjustment)
    named = [e for e in held if e.category]
    sorted_before, sorted_after = _sorted(scorer, named, None), _sorted(scorer, named, adjustment)
    figures: dict[str, Any] = {"held_back": len(held), "held_right_before": before,
                               "held_right_after": after, "held_categories": len(named),
                               "held_category_before": sorted_before,
                               "held_category_after": sorted_after,
                               "categories": sorted(adjustment.categories),
                               "reference": _reference(scorer, judges_rows, adjustment)}
    worse = [f"{name} {figure} {old:.3f} -> {new:.3f}"
             for name, row in figures["reference"].items()
             for figure, (old, new) in row.items() if new < old - TOLERANCE]
    if after < before or (after == before < len(held)):
        note = (f"rejected: right on {after} of {len(held)} held-back corrections, the shipped "
                f"scorer on {before}")
        return Fit("rejected", note, len(found), figures)
    if not (adjustment.patterns or adjustment.categories):
        return Fit("rejected", "rejected: nothing in these corrections recurs enough to learn",
                   len(found), figures)
    if sorted_after < sorted_before:
        return Fit("rejected", f"rejected: the right category for {sorted_after} of "
                   f"{len(named)} held-back corrections, the shipped scorer's for "
                   f"{sorted_before}", len(found), figures)
    if worse:
        return Fit("rejected", "rejected: it would make the shipped figures worse: "
                   + "; ".join(worse), len(found), figures)
    figures["model"] = adjustment.to_json()
    learnt = (f"; categories learnt: {', '.join(sorted(adjustment.categories))} (right for "
              f"{sorted_after} of {len(named)} held back, the shipped scorer for "
              f"{sorted_before})" if adjustment.categories else "")
    return Fit("kept", f"kept: right on {after} of {len(held)} held-back corrections (the "
               f"shipped scorer on {before}){learnt}; the reference figures hold", len(found),
               figures)


def _example(scorer: AdjustedScorer, text: str, complaint: bool, category: str | None = None
             ) -> Example:
    return Example(cleaned_text(text), complaint, scorer.shipped(text).probability, category)


def _scored(scorer: AdjustedScorer, examples: Sequence[Example],
            adjustment: Adjustment | None) -> list[tuple[Example, Score]]:
    """Each example with the shipped scorer's score, adjusted by `adjustment` when given."""
    found = []
    for e in examples:
        score = scorer.shipped(e.cleaned)
        if adjustment is not None:
            score = scorer.adjust(score, e.cleaned, adjustment=adjustment)
        found.append((e, score))
    return found


def _held(scorer: AdjustedScorer, held: Sequence[Example], adjustment: Adjustment | None
          ) -> int:
    """How many of `held` are judged complaint or not as staff said."""
    return sum(s.complaint == e.complaint for e, s in _scored(scorer, held, adjustment))


def _sorted(scorer: AdjustedScorer, named: Sequence[Example], adjustment: Adjustment | None
            ) -> int:
    """How many of `named` get the category staff gave them."""
    return sum(s.category == e.category for e, s in _scored(scorer, named, adjustment))


def _reference(scorer: AdjustedScorer, rows: Sequence[reference.Labelled],
               adjustment: Adjustment) -> dict[str, dict[str, tuple[float, float]]]:
    """Per dataset: each figure of `make eval`, (shipped, adjusted)."""
    by_dataset: dict[str, list[tuple[int, Any, Any]]] = {}
    for row in rows:
        shipped = scorer.shipped(row.text)
        adjusted = scorer.adjust(shipped, row.text, adjustment=adjustment)
        by_dataset.setdefault(row.dataset, []).append((row.neg, shipped, adjusted))
    out = {}
    for name, found in sorted(by_dataset.items()):
        labels = [y for y, _, _ in found]
        old = _figures(labels, [s for _, s, _ in found])
        new = _figures(labels, [a for _, _, a in found])
        out[name] = {k: (round(old[k], 4), round(new[k], 4)) for k in old}
    return out


def _figures(labels: Sequence[int], scores: Sequence[Any]) -> dict[str, float]:
    pairs = list(zip(labels, scores, strict=True))
    tp = sum(1 for y, s in pairs if y and s.complaint)
    fp = sum(1 for y, s in pairs if not y and s.complaint)
    fn = sum(1 for y, s in pairs if y and not s.complaint)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    area = auc(labels, [s.probability for s in scores])
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "auc": area if area is not None else 0.0}


class AdjustmentSource:
    """The adjustment in force, read from the store at most every `EVERY` seconds (a kept fit
    on another replica is taken up within that); a store that cannot be read keeps the last."""

    EVERY = 60.0

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._checked = -self.EVERY
        self._id: int | None = None
        self._adjustment: Adjustment | None = None

    def __call__(self) -> Adjustment | None:
        if time.monotonic() - self._checked < self.EVERY:
            return self._adjustment
        with self._lock:
            if time.monotonic() - self._checked >= self.EVERY:
                self._refresh()
                self._checked = time.monotonic()
        return self._adjustment

    def _refresh(self) -> None:
        try:
            with self.store.engine.connect() as conn:
                newest = correction_store.current_id(conn)
                if newest == self._id:
                    return
                found = correction_store.current(conn)
            self._id, self._adjustment = (found[0], Adjustment.from_json(found[1])) if found \
                else (None, None)
        except Exception:  # the store is failing: the adjustment in force stays
            log.exception("could not read the scorer's adjustment; keeping the one in force")


@dataclass(frozen=True)
class WeekPrecision:
    source: str
    week: str  # its Monday, YYYY-MM-DD
    tickets: int
    false_positives: int

    @property
    def precision(self) -> float:
        return 1.0 - self.false_positives / self.tickets if self.tickets else 1.0


def precision_by_week(store: Store, tz: tzinfo, now: datetime, weeks: int = 8
                      ) -> list[WeekPrecision]:
    """Per source and week (of the ticket's making), the share of tickets staff did not correct
    as not a complaint; the newest `weeks` weeks, sources by name."""
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)
    since = monday - timedelta(weeks=weeks - 1)
    with store.engine.connect() as conn:
        outcomes = correction_store.ticket_outcomes(conn, since)
    counts: dict[tuple[str, str], list[int]] = {}
    for source, at, false_positive in outcomes:
        day = at.astimezone(tz)
        week = (day - timedelta(days=day.weekday())).date().isoformat()
        found = counts.setdefault((source, week), [0, 0])
        found[0] += 1
        found[1] += false_positive
    return [WeekPrecision(source, week, n, fp)
            for (source, week), (n, fp) in sorted(counts.items())]
