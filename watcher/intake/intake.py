"""What happens to the mentions one fetch returned: dedup, score, store, ticket.

Reads first, scores outside any transaction (it is the slow part), then writes the mentions,
their tickets, the tickets' alerts and the source's new cursor in one transaction: a crash
anywhere leaves either all of it or none of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.config import Config, SourceConfig
from watcher.intake import copies, dedup, health
from watcher.model import FetchResult, Mention
from watcher.scoring.reach import ReachLine, engagement_total, reach_reasons, with_reach
from watcher.store import mentions as mention_store
from watcher.store import sources as source_store
from watcher.store import tickets as ticket_store
from watcher.text import strip_controls
from watcher.tickets import incidents
from watcher.tickets.batch import TicketBatch
from watcher.tickets.opening import open_ticket
from watcher.tickets.policy import TicketPolicy
from watcher.tickets.reach import raise_for_reach, spread_by_copies
from watcher.tickets.repeats import link_repeat
from watcher.tickets.window import IncidentWindow

if TYPE_CHECKING:
    from watcher.intake.nearcopy import Signature
    from watcher.scoring import Score, Scorer
    from watcher.store.db import Store

BATCH = 500  # mentions per transaction: the longest another writer waits is one batch
MAX_TEXT = 10_000  # characters kept and scored; longer posts are cut
LIMITS = {"author": 300, "platform": 100, "title": 2_000, "parent_id": 500}


@dataclass
class SourceReport:
    name: str
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    complaints: int = 0
    tickets: int = 0
    error: str | None = None
    error_kind: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The fields `sweep --json` prints (`dataclasses.asdict` deep-copies: 4x slower)."""
        return {"name": self.name, "fetched": self.fetched, "new": self.new,
                "duplicates": self.duplicates, "complaints": self.complaints,
                "tickets": self.tickets, "error": self.error}


class Intake:
    def __init__(self, config: Config, store: Store, scorer: Callable[[], Scorer]) -> None:
        self.config = config
        self.store = store
        self.scorer = scorer  # called only when something new needs scoring
        self.policy = TicketPolicy.from_config(config)
        self.reach = ReachLine(config.scoring.reach_followers, config.scoring.viral_engagement)
        # SQLite has one writer; taking turns here avoids "database is locked" on upgrades
        # from a read to a write transaction. PostgreSQL writers run side by side.
        self._write_lock = threading.Lock() if store.is_sqlite else None
        # One incident window for every batch this intake writes, one batch at a time.
        self.window = IncidentWindow(config.incidents.window)
        self._window_lock = threading.Lock()

    def take(self, source: SourceConfig, result: FetchResult, now: datetime) -> SourceReport:
        """Takes what one fetch returned, in transactions of at most BATCH mentions (a huge
        page holds the store's write lock for one batch at a time, so other writers get in
        between); the source's state and cursor go with the last, so a crash before it only
        means the page is read again, its stored mentions known."""
        if unchanged(result):
            self.take_unchanged([(source, result, now)])
            return SourceReport(source.name, warnings=list(result.warnings))
        report = SourceReport(source.name, warnings=list(result.warnings))
        batch = _distinct([_without_controls(m) for m in result.mentions])
        report.fetched = len(batch)
        kept = {key: m for key, m in batch.items() if self._wanted(m)}
        keys = list(kept)
        starts = range(0, len(keys), BATCH) if keys else range(1)
        for start in starts:
            chunk = {key: kept[key] for key in keys[start:start + BATCH]}
            with self._write_lock or contextlib.nullcontext():
                self._take_batch(source, result, now, chunk, report,
                                 last=start + BATCH >= len(keys))
        report.duplicates = len(kept) - report.new
        return report

    def take_unchanged(self, answers: list[tuple[SourceConfig, FetchResult, datetime]]) -> None:
        """304 Not Modified answers: nothing to read, dedup or score, only each source's state
        to write, all in one transaction (a sweep of many sources hands them over together)."""
        by_name = {source.name: (source, result, now) for source, result, now in answers}
        with self._write_lock or contextlib.nullcontext(), self.store.begin() as conn:
            others = source_store.record_unchanged_many(
                conn, [(source.name, result.cursor, now) for source, result, now in answers])
            for name in others:  # first sweeps, and sources coming back from errors
                source, result, now = by_name[name]
                before = source_store.record_success(self.store, conn, source.name,
                                                     cursor=result.cursor, now=now,
                                                     fetched=0, new=0)
                health.after_success(self.store, conn, self.config, before, now)

    def _take_batch(self, source: SourceConfig, result: FetchResult, now: datetime,
                    kept: dict[str, Mention], report: SourceReport, *, last: bool) -> None:
        with self.store.engine.connect() as conn:
            state = source_store.get(conn, source.name)
            known = mention_store.existing(conn, source.name, list(kept))
            fresh = {k: m for k, m in kept.items() if k not in known}
            fingerprints = {k: dedup.fingerprint(m.text) for k, m in fresh.items()}
            by_fingerprint = mention_store.originals_by_fingerprint(
                conn, sorted({fp for fp in fingerprints.values() if fp}), source.name
            )
            # an exact copy is one whatever its signature says; the others are compared
            original_of = {k: by_fingerprint[fp] for k, fp in fingerprints.items()
                           if fp in by_fingerprint}
            signatures = copies.sign({k: m for k, m in fresh.items() if k not in original_of})
            original_of |= copies.originals(conn, source.name, signatures)
            spreading = self._spreading(conn, {k: m for k, m in kept.items() if k in known},
                                        known)
        edited = {k: m for k, m in kept.items()
                  if k in known and known[k][1] != dedup.content_hash(m)}
        reposts = set(original_of)  # grows on write
        to_score = [m for k, m in fresh.items() if k not in reposts] + list(edited.values())
        scores = self._score(source, to_score)
        first_sweep = state.first_swept_at is None
        with self._window_lock, self._window_kept_on_failure(), self.store.begin() as conn:
            rows = [self._row(k, m, now, fingerprints[k], original_of.get(k), signatures.get(k),
                              scores.get(id(m))) for k, m in fresh.items()]
            inserted = mention_store.insert_new(self.store, conn, source.name, rows, now)
            batch = TicketBatch(self.store, conn, self.config, now, self.window,
                                [(row["platform"], row["author"]) for row in rows
                                 if row["author"]])
            reposts |= self._claim_originals(conn, source.name, rows, inserted, signatures)
            spread = copies.add_reach(self.store, conn, (
                row | {"id": inserted[row["external_id"]]} for row in rows
                if row["external_id"] in inserted and row["external_id"] in reposts), now)
            spread_by_copies(self.store, conn, self.config, self.reach, spread, now)
            for row in rows:
                score = scores.get(id(fresh[row["external_id"]]))
                key = row["external_id"]
                if key not in inserted or key in reposts or score is None:
                    continue
                row["id"] = inserted[key]
                report.complaints += score.complaint
                if self.policy.qualifies(score.level, row["created_at"], now, first_sweep):
                    report.tickets += self._ticket(batch, row, score, now)
            report.tickets += self._update_edited(batch, edited, known, scores, now, first_sweep)
            batch.flush()
            incidents.flush_updates(self.store, conn, self.config, batch.joined, now)
            for mention_id, m in spreading.items():
                mention_store.update_edited(conn, mention_id, {"engagement": m.engagement})
                raise_for_reach(self.store, conn, self.config, mention_id, reach_reasons(
                    self.reach, None, engagement_total(m.engagement)), now)
            report.new += len(inserted.keys() - reposts)
            if last:
                before = source_store.record_success(
                    self.store, conn, source.name, cursor=result.cursor, now=now,
                    fetched=report.fetched, new=report.new,
                )
                health.after_success(self.store, conn, self.config, before, now)

    @contextlib.contextmanager
    def _window_kept_on_failure(self) -> Iterator[None]:
        """A transaction that fails rolls back the tickets the window was told of: it is read
        afresh by the next batch."""
        try:
            yield
        except BaseException:
            self.window.invalidate()
            raise

    def _spreading(self, conn: Any, seen: dict[str, Mention], known: dict[str, Any]
                   ) -> dict[int, Mention]:
        """Known mentions whose likes + reposts + replies reach `viral_engagement` now and did
        not when stored, by mention id: their tickets rise (watcher.tickets.reach)."""
        line = self.reach.engagement
        over = {known[k][0]: m for k, m in seen.items() if engagement_total(m.engagement) >= line}
        if not over:
            return {}
        stored = mention_store.engagement_of(conn, list(over))
        return {mention_id: m for mention_id, m in over.items()
                if engagement_total(stored.get(mention_id)) < line}

    def _claim_originals(self, conn: Any, source: str, rows: list[dict[str, Any]],
                         inserted: dict[str, int], signatures: dict[str, Any]) -> set[str]:
        """Claims the fingerprints and band keys of the mentions just stored; returns the keys of
        those that another source had first (a writer racing this one): they are copies after
        all, and their rows now say of what."""
        originals = {row["external_id"] for row in rows
                     if row["external_id"] in inserted and row["duplicate_of"] is None}
        claims = {row["fingerprint"]: inserted[row["external_id"]] for row in rows
                  if row["external_id"] in originals and row["fingerprint"]}
        taken = mention_store.claim_fingerprints(self.store, conn, source, claims) if claims \
            else {}
        late = {row["external_id"]: taken[row["fingerprint"]] for row in rows
                if row["external_id"] in originals and row["fingerprint"] in taken}
        stored = {key: inserted[key] for key in signatures if key in inserted}
        late |= {key: first for key, first in copies.claim(
            self.store, conn, source, signatures, stored, originals - late.keys()).items()}
        for row in rows:
            if row["external_id"] in late:
                row["duplicate_of"] = late[row["external_id"]]
                mention_store.mark_repost(conn, inserted[row["external_id"]], row["duplicate_of"])
        return set(late)

    def _wanted(self, mention: Mention) -> bool:
        keywords = self.config.monitor.keywords
        if not keywords:
            return True
        haystack = f"{mention.title or ''} {mention.text}".lower()
        return any(word.lower() in haystack for word in keywords)

    def _score(self, source: SourceConfig, batch: list[Mention]) -> dict[int, Score]:
        if not batch:
            return {}
        scorer = self.scorer()
        return {
            id(m): with_reach(scorer.score(m.text[:MAX_TEXT], title=m.title or "",
                                           threshold=source.threshold),
                              self.reach, followers=m.author_followers, engagement=m.engagement)
            for m in batch
        }

    def _row(self, key: str, m: Mention, now: datetime, fingerprint: str | None,
             original: int | None, signature: Signature | None,
             score: Score | None) -> dict[str, Any]:
        row = {
            "source": m.source,
            "platform": m.platform[: LIMITS["platform"]],
            "external_id": key,
            "url": m.url,
            "author": (m.author or None) and m.author[: LIMITS["author"]],
            "author_followers": m.author_followers,
            "author_verified": m.author_verified,
            "parent_id": (m.parent_id or None) and m.parent_id[: LIMITS["parent_id"]],
            "title": (m.title or None) and m.title[: LIMITS["title"]],
            "text": m.text[:MAX_TEXT],
            "created_at": m.created_at or now,  # an item with no date is dated when first seen
            "first_seen_at": now,
            "updated_at": None,
            "language": m.language,
            "rating": m.rating,
            "engagement": m.engagement or None,
            "raw": _jsonable(m.raw),
            "content_hash": dedup.content_hash(m),
            "fingerprint": fingerprint,
            "signature": signature.digest if signature else None,
            "duplicate_of": original,
        }
        return row | _score_columns(score)

    def _update_edited(self, batch: TicketBatch, edited: dict[str, Mention],
                       known: dict[str, Any], scores: dict[int, Score], now: datetime,
                       first_sweep: bool) -> int:
        """Edited mentions get their new text and score; a new ticket if they now need one."""
        opened = 0
        conn = batch.conn
        for key, m in edited.items():
            mention_id = known[key][0]
            score = scores[id(m)]
            values = {"text": m.text[:MAX_TEXT], "title": m.title, "updated_at": now,
                      "content_hash": dedup.content_hash(m)} | _score_columns(score)
            mention_store.update_edited(conn, mention_id, values)
            row = mention_store.by_ids(conn, [mention_id])[mention_id]
            if row["duplicate_of"] is None and not ticket_store.has_ticket(conn, mention_id) \
                    and self.policy.qualifies(score.level, row["created_at"], now, first_sweep):
                opened += self._ticket(batch, row, score, now)
        return opened

    def _ticket(self, batch: TicketBatch, mention: dict[str, Any], score: Score,
                now: datetime) -> int:
        """1 for a new ticket; 0 when the mention is a repeat linked to its author's ticket."""
        if link_repeat(batch, self.config, mention, now) is not None:
            return 0
        open_ticket(batch, self.config, mention=mention, score=score, now=now)
        return 1


def unchanged(result: FetchResult) -> bool:
    return result.not_modified and not result.mentions


def _without_controls(mention: Mention) -> Mention:
    """The mention with no control characters in its text, author, title and platform: what
    a platform sends is shown in terminals and chats, where escape sequences would act."""
    mention.text = strip_controls(mention.text)
    mention.platform = strip_controls(mention.platform, keep_lines=False)
    if mention.author:
        mention.author = strip_controls(mention.author, keep_lines=False)
    if mention.title:
        mention.title = strip_controls(mention.title, keep_lines=False)
    return mention


def _distinct(found: list[Mention]) -> dict[str, Mention]:
    """The fetched items by identity, first occurrence kept; over-long ids are hashed."""
    batch: dict[str, Mention] = {}
    for mention in found:
        key = dedup.identify(mention)
        if len(key) > 500:
            key = "sha1:" + hashlib.sha1(key.encode()).hexdigest()
        batch.setdefault(key, mention)
    return batch


def _score_columns(score: Score | None) -> dict[str, Any]:
    if score is None:
        return {"complaint": None, "sentiment": None, "probability": None, "level": None,
                "category": None, "reasons": None, "risks": None}
    return {
        "complaint": score.complaint,
        "sentiment": score.sentiment,
        "probability": score.probability,
        "level": score.level,
        "category": score.category,
        "reasons": list(score.reasons),
        "risks": list(score.risks),
    }


def _jsonable(raw: Any) -> Any:
    try:
        json.dumps(raw)
    except (TypeError, ValueError):
        return str(raw)
    return raw
