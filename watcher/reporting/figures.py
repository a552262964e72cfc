"""The figures of a complaint report (《投诉分析报告》, 001 and 002): complaints by category and
platform with their share and change from the previous period, categories above `flag_share`
flagged, the most frequent complainers, incidents, first responses within the SLA per level,
handling time, follow-up rate and satisfaction, and the most-engaged complaints. Every list is
bounded, so a report's size does not grow with the store."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from watcher.reporting.period import Period
from watcher.store import analysis, reports
from watcher.store.analysis import Complaint
from watcher.store.db import Store
from watcher.store.reports import SlaOutcome

TOP_PLATFORMS = 10  # the rest are one "other platforms" row
TOP_AUTHORS = 10
TOP_ENGAGED = 10
MAX_INCIDENTS = 20
OTHER_PLATFORMS = "其他平台"
LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Share:
    name: str  # a category code or a platform
    count: int
    share: float  # of the period's complaints, 0..1
    previous: int
    previous_share: float
    flagged: bool = False

    @property
    def points(self) -> float:
        """Change of share from the previous period, in percentage points."""
        return (self.share - self.previous_share) * 100


@dataclass(frozen=True)
class Complainer:
    platform: str
    author: str
    complaints: int
    ticket_ids: tuple[int, ...]


@dataclass(frozen=True)
class Engaged:
    complaint: Complaint
    text: str


@dataclass
class Report:
    period: Period
    generated_at: datetime
    flag_share: float
    complaints: int
    previous_complaints: int
    tickets: int
    categories: list[Share]
    platforms: list[Share]
    daily: dict[str, list[int]]  # category -> complaints per day of the period
    complainers: list[Complainer]
    incidents: list[dict[str, Any]]
    incident_count: int
    sla: dict[int, SlaOutcome]
    handling: dict[int | None, timedelta | None]  # median per level; None: all levels
    followups_due: int
    followups_done: int
    scores: dict[int, int]  # satisfaction score -> how many
    engaged: list[Engaged]
    partial: bool  # the period is not over yet

    @property
    def flagged(self) -> list[Share]:
        return [s for s in self.categories if s.flagged]

    @property
    def change(self) -> float | None:
        """Complaints compared with the previous period, as a ratio (0.12 = 12% more)."""
        if not self.previous_complaints:
            return None
        return self.complaints / self.previous_complaints - 1

    @property
    def followup_rate(self) -> float | None:
        return self.followups_done / self.followups_due if self.followups_due else None

    @property
    def satisfaction(self) -> float | None:
        done = sum(self.scores.values())
        return sum(s * n for s, n in self.scores.items()) / done if done else None


def build(store: Store, period: Period, tz: tzinfo, now: datetime, flag_share: float) -> Report:
    start, end = period.bounds(tz)
    before_start, before_end = period.previous().bounds(tz)
    with store.engine.connect() as conn:
        found = analysis.complaints(conn, start, end)
        before = analysis.complaints(conn, before_start, before_end)
        made = analysis.tickets_made(conn, start, end)
        sla = reports.sla_by_level(conn, start, now, until=end)
        followups = analysis.followups_of(conn, start, end)
        incidents = analysis.incidents_of(conn, start, end)
        engaged = sorted(found, key=lambda c: (-c.engagement, c.mention_id))[:TOP_ENGAGED]
        texts = analysis.texts(conn, [c.mention_id for c in engaged])
    scores = Counter(f["score"] for f in followups if f["score"] is not None)
    return Report(
        period=period, generated_at=now, flag_share=flag_share, complaints=len(found),
        previous_complaints=len(before), tickets=len(made),
        categories=shares(found, before, lambda c: c.category, flag_share),
        platforms=top_platforms(shares(found, before, lambda c: c.platform, None)),
        daily=daily(found, period, tz), complainers=complainers(found),
        incidents=incidents[:MAX_INCIDENTS], incident_count=len(incidents),
        sla=sla, handling=handling(made),
        followups_due=len(followups), followups_done=sum(scores.values()),
        scores={s: scores.get(s, 0) for s in (1, 2, 3, 4, 5)},
        engaged=[Engaged(c, texts.get(c.mention_id, "")) for c in engaged if c.engagement],
        partial=now < end,
    )


def shares(found: list[Complaint], before: list[Complaint], key: Any,
           flag_share: float | None) -> list[Share]:
    """Counts by `key` in both periods, largest first; flagged above `flag_share`."""
    now, then = Counter(map(key, found)), Counter(map(key, before))
    total, total_before = len(found) or 1, len(before) or 1
    return [Share(name, count, count / total, then.get(name, 0), then.get(name, 0) / total_before,
                  flag_share is not None and count / total > flag_share)
            for name, count in sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))]


def top_platforms(found: list[Share]) -> list[Share]:
    if len(found) <= TOP_PLATFORMS:
        return found
    kept, rest = found[:TOP_PLATFORMS - 1], found[TOP_PLATFORMS - 1:]
    return [*kept, Share(OTHER_PLATFORMS, sum(s.count for s in rest), sum(s.share for s in rest),
                         sum(s.previous for s in rest), sum(s.previous_share for s in rest))]


def daily(found: list[Complaint], period: Period, tz: tzinfo) -> dict[str, list[int]]:
    days = len(period.days)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for complaint in found:
        index = (complaint.created_at.astimezone(tz).date() - period.first).days
        if 0 <= index < days:
            counts[complaint.category][index] += 1
    return dict(counts)


def complainers(found: list[Complaint]) -> list[Complainer]:
    """Authors who complained more than once in the period, most often first."""
    by_author: dict[tuple[str, str], list[Complaint]] = defaultdict(list)
    for complaint in found:
        if complaint.author:
            by_author[complaint.platform, complaint.author].append(complaint)
    repeat = [(key, items) for key, items in by_author.items() if len(items) > 1]
    repeat.sort(key=lambda kv: (-len(kv[1]), kv[0]))
    return [Complainer(platform, author, len(items),
                       tuple(dict.fromkeys(c.ticket_id for c in items if c.ticket_id)))
            for (platform, author), items in repeat[:TOP_AUTHORS]]


def handling(made: list[dict[str, Any]]) -> dict[int | None, timedelta | None]:
    """Median time from a ticket's making to its first resolution (or closing), per level and
    over all levels, of the period's tickets handled so far."""
    spans: dict[int | None, list[timedelta]] = {None: [], **{level: [] for level in LEVELS}}
    for ticket in made:
        if ticket["handled_at"] is not None:
            span = ticket["handled_at"] - ticket["created_at"]
            spans[None].append(span)
            spans.setdefault(ticket["level"], []).append(span)
    return {level: _median(found) for level, found in spans.items()}


def _median(spans: list[timedelta]) -> timedelta | None:
    if not spans:
        return None
    ordered, middle = sorted(spans), len(spans) // 2
    return ordered[middle] if len(spans) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
