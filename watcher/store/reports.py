"""Read-only queries for the staff console: the queue with its filters and counts, what a ticket
page shows beyond the ticket, the sources' state, and the dashboard's figures.

Portable SQL only (SQLite and PostgreSQL): grouping by local day is done in Python, since each
backend truncates dates in time zones its own way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, case, exists, func, select

from watcher.records import AWAITING_RESPONSE, DONE, UNRESOLVED, Ticket
from watcher.store.mentions import _chunks
from watcher.store.schema import mentions, ticket_events, tickets
from watcher.store.tickets import records, ticket_query


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = UNRESOLVED
    level: int | None = None
    category: str | None = None
    platform: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    overdue_at: datetime | None = None  # only tickets awaiting a response past their deadline


def queue(conn: Connection, wanted: QueueFilter, limit: int = 500) -> list[Ticket]:
    """Tickets matching `wanted`: those still awaiting their first response first (what staff
    must do next), then the rest; earliest deadline first within each."""
    answered = case((tickets.c.status.in_(AWAITING_RESPONSE), 0), else_=1)
    query = ticket_query().order_by(answered, tickets.c.deadline, tickets.c.id).limit(limit)
    if wanted.statuses:
        query = query.where(tickets.c.status.in_(wanted.statuses))
    if wanted.level:
        query = query.where(tickets.c.level == wanted.level)
    if wanted.category:
        query = query.where(tickets.c.category == wanted.category)
    if wanted.platform:
        query = query.where(mentions.c.platform == wanted.platform)
    if wanted.unassigned:
        query = query.where(tickets.c.assignee.is_(None))
    elif wanted.assignee:
        query = query.where(tickets.c.assignee == wanted.assignee)
    if wanted.overdue_at:
        query = query.where(tickets.c.status.in_(AWAITING_RESPONSE),
                            tickets.c.deadline < wanted.overdue_at)
    return records(conn, query)


@dataclass
class QueueCounts:
    """Over every unresolved ticket, whatever the filter."""

    unresolved: int = 0
    awaiting: int = 0  # no first response yet
    overdue: int = 0  # awaiting, past the deadline
    unassigned: int = 0
    mine: int = 0
    by_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 5), 0))


def queue_counts(conn: Connection, now: datetime, user: str | None) -> QueueCounts:
    counts = QueueCounts()
    query = select(tickets.c.level, tickets.c.status, tickets.c.deadline, tickets.c.assignee) \
        .where(tickets.c.status.in_(UNRESOLVED))
    for level, status, deadline, assignee in conn.execute(query):
        counts.unresolved += 1
        counts.by_level[level] = counts.by_level.get(level, 0) + 1
        awaiting = status in AWAITING_RESPONSE
        counts.awaiting += awaiting
        counts.overdue += awaiting and deadline < now
        counts.unassigned += assignee is None
        counts.mine += user is not None and assignee == user
    return counts


def ticket_platforms(conn: Connection) -> list[str]:
    query = select(mentions.c.platform).distinct() \
        .join(tickets, tickets.c.mention_id == mentions.c.id)
    return sorted(str(p) for (p,) in conn.execute(query))


def assignees(conn: Connection) -> list[str]:
    query = select(tickets.c.assignee).distinct().where(tickets.c.assignee.is_not(None))
    return sorted(str(a) for (a,) in conn.execute(query))


def reposts(conn: Connection, mention_id: int) -> list[dict[str, Any]]:
    """The same text found again elsewhere, linked to this mention instead of ticketed."""
    query = (select(mentions).where(mentions.c.duplicate_of == mention_id)
             .order_by(mentions.c.first_seen_at, mentions.c.id))
    return [dict(row) for row in conn.execute(query).mappings()]


def resolved_recent(conn: Connection, category: str, *, same: bool, exclude: int,
                    limit: int) -> list[Ticket]:
    """Tickets that were resolved (a `resolve` in their history) and are resolved or closed
    now, latest first: of `category` when `same`, else of every other category."""
    was_resolved = exists().where(ticket_events.c.ticket_id == tickets.c.id,
                                  ticket_events.c.action == "resolve")
    query = (ticket_query()
             .where(tickets.c.status.in_(DONE), tickets.c.id != exclude,
                    tickets.c.category == category if same else tickets.c.category != category,
                    was_resolved)
             .order_by(tickets.c.updated_at.desc(), tickets.c.id.desc()).limit(limit))
    return records(conn, query)


def resolution_notes(conn: Connection, ticket_ids: list[int]) -> dict[int, str]:
    """The note written with each ticket's latest `resolve` that has one."""
    found: dict[int, str] = {}
    for chunk in _chunks(ticket_ids):
        query = (select(ticket_events.c.ticket_id, ticket_events.c.note)
                 .where(ticket_events.c.ticket_id.in_(chunk), ticket_events.c.action == "resolve",
                        ticket_events.c.note.is_not(None))
                 .order_by(ticket_events.c.at, ticket_events.c.id))
        found.update({int(ticket_id): str(note) for ticket_id, note in conn.execute(query)})
    return found


def mention_counts(conn: Connection) -> dict[str, int]:
    """Mentions stored so far, by source."""
    query = select(mentions.c.source, func.count()).group_by(mentions.c.source)
    return {str(source): int(number) for source, number in conn.execute(query)}


@dataclass
class Daily:
    """Counts per local day, oldest first, one list entry per day in `days`."""

    days: list[date]
    mentions_by_platform: dict[str, list[int]]
    complaints_by_category: dict[str, list[int]]


def daily(conn: Connection, tz: tzinfo, now: datetime, days: int = 30) -> Daily:
    """Mentions by platform (reposts included: they are volume) and complaints by category
    (reposts left out: one complaint, however often it is copied), per day of posting."""
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    query = select(mentions.c.created_at, mentions.c.platform, mentions.c.complaint,
                   mentions.c.category, mentions.c.duplicate_of) \
        .where(mentions.c.created_at >= since, mentions.c.created_at <= now)
    by_platform: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for created, platform, complaint, category, duplicate_of in conn.execute(query):
        index = (created.astimezone(tz).date() - first).days
        if not 0 <= index < days:
            continue
        by_platform[platform][index] += 1
        if complaint and duplicate_of is None:
            by_category[category or "other"][index] += 1
    return Daily([first + timedelta(days=i) for i in range(days)], dict(by_platform),
                 dict(by_category))


@dataclass
class SlaOutcome:
    met: int = 0
    missed: int = 0
    pending: int = 0  # no response yet, deadline still ahead

    @property
    def rate(self) -> float | None:
        decided = self.met + self.missed
        return self.met / decided if decided else None


def sla_by_level(conn: Connection, since: datetime, now: datetime,
                 until: datetime | None = None) -> dict[int, SlaOutcome]:
    """For tickets made since `since` (and before `until`): was the first response
    (acknowledging, resolving or closing, whichever came first) within the deadline?"""
    outcomes = {level: SlaOutcome() for level in range(1, 5)}
    query = select(tickets.c.level, tickets.c.deadline, tickets.c.acknowledged_at,
                   tickets.c.resolved_at, tickets.c.closed_at) \
        .where(tickets.c.created_at >= since)
    if until is not None:
        query = query.where(tickets.c.created_at < until)
    for level, deadline, *answers in conn.execute(query):
        outcome = outcomes.setdefault(level, SlaOutcome())
        responded = min((a for a in answers if a is not None), default=None)
        if responded is not None:
            if responded <= deadline:
                outcome.met += 1
            else:
                outcome.missed += 1
        elif deadline < now:
            outcome.missed += 1
        else:
            outcome.pending += 1
    return outcomes


@dataclass(frozen=True)
class CategoryShare:
    category: str
    complaints: int
    share: float  # of all complaints in the period, 0..1


def category_shares(conn: Connection, since: datetime, now: datetime) -> list[CategoryShare]:
    """Complaints (reposts left out) by category since `since`, largest first."""
    query = select(mentions.c.category, func.count()) \
        .where(mentions.c.complaint.is_(True), mentions.c.duplicate_of.is_(None),
               mentions.c.created_at >= since, mentions.c.created_at <= now) \
        .group_by(mentions.c.category)
    counts: Counter[str] = Counter()
    for category, n in conn.execute(query):
        counts[str(category or "other")] += int(n)
    total = sum(counts.values())
    return [CategoryShare(category, n, n / total) for category, n in counts.most_common()]
