"""Read-only queries for the complaint report: what happened in [start, end). Portable SQL
only; grouping by local day and summing engagement (JSON) are left to the caller, in Python,
since each backend does those its own way.

Complaints are mentions scored as complaints, reposts left out, dated by when they were posted
(as the dashboard counts them); tickets by when they were made; follow-ups by when the ticket
was resolved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from watcher.records import TicketStatus
from watcher.store.db import Store
from watcher.store.mentions import _chunks
from watcher.store.schema import (
    followups,
    incidents,
    mentions,
    sent_reports,
    ticket_events,
    tickets,
)


@dataclass(frozen=True)
class Complaint:
    mention_id: int
    platform: str
    author: str | None
    category: str
    created_at: datetime
    engagement: int  # likes + reposts + replies, as the platform counted them
    url: str | None
    ticket_id: int | None


def complaints(conn: Connection, start: datetime, end: datetime) -> list[Complaint]:
    # staff's word over the scorer's: a ticket corrected as not a complaint is left out, and a
    # corrected category counts
    category = func.coalesce(tickets.c.category, mentions.c.category).label("category")
    query = (select(mentions.c.id, mentions.c.platform, mentions.c.author, category,
                    mentions.c.created_at, mentions.c.engagement, mentions.c.url,
                    tickets.c.id.label("ticket_id"))
             .select_from(mentions.outerjoin(tickets, tickets.c.mention_id == mentions.c.id))
             .where(mentions.c.complaint.is_(True), mentions.c.duplicate_of.is_(None),
                    or_(tickets.c.status.is_(None),
                        tickets.c.status != TicketStatus.FALSE_POSITIVE),
                    mentions.c.created_at >= start, mentions.c.created_at < end)
             .order_by(mentions.c.id))
    return [Complaint(row.id, row.platform, row.author, row.category or "other", row.created_at,
                      _engagement(row.engagement), row.url, row.ticket_id)
            for row in conn.execute(query)]


def _engagement(counts: Any) -> int:
    if not isinstance(counts, dict):
        return 0
    return sum(n for n in counts.values() if isinstance(n, int) and not isinstance(n, bool))


def texts(conn: Connection, mention_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(mention_ids):
        query = select(mentions.c.id, mentions.c.text).where(mentions.c.id.in_(chunk))
        found.update({int(i): str(text) for i, text in conn.execute(query)})
    return found


def tickets_made(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Tickets made in the period, with the first time each was resolved or closed (its
    handling time ends there)."""
    query = select(tickets.c.id, tickets.c.level, tickets.c.created_at) \
        .where(tickets.c.created_at >= start, tickets.c.created_at < end,
               tickets.c.status != TicketStatus.FALSE_POSITIVE).order_by(tickets.c.id)
    rows = {row["id"]: dict(row) | {"handled_at": None} for row in conn.execute(query).mappings()}
    ends = (select(ticket_events.c.ticket_id, ticket_events.c.at)
            .join(tickets, tickets.c.id == ticket_events.c.ticket_id)
            .where(tickets.c.created_at >= start, tickets.c.created_at < end,
                   ticket_events.c.action.in_(("resolve", "close"))))
    for ticket_id, at in conn.execute(ends):
        row = rows.get(ticket_id)
        if row is None:  # found not a complaint
            continue
        row["handled_at"] = at if row["handled_at"] is None else min(row["handled_at"], at)
    return list(rows.values())


def followups_of(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The follow-ups of the resolutions made in the period, done or not."""
    query = select(followups).where(followups.c.resolved_at >= start,
                                    followups.c.resolved_at < end).order_by(followups.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def incidents_of(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Incidents that began in the period, each with how many tickets it holds
    (`tickets`) and its first ticket (`first_ticket`) with that one's text (`first_text`)."""
    members = (select(tickets.c.incident_id, func.count().label("tickets"),
                      func.min(tickets.c.id).label("first_ticket"))
               .where(tickets.c.incident_id.is_not(None)).group_by(tickets.c.incident_id)
               .subquery())
    first = tickets.alias("first")
    query = (select(incidents, func.coalesce(members.c.tickets, 0).label("tickets"),
                    members.c.first_ticket, mentions.c.text.label("first_text"))
             .select_from(incidents.outerjoin(members, members.c.incident_id == incidents.c.id)
                          .outerjoin(first, first.c.id == members.c.first_ticket)
                          .outerjoin(mentions, mentions.c.id == first.c.mention_id))
             .where(incidents.c.created_at >= start, incidents.c.created_at < end)
             .order_by(incidents.c.created_at, incidents.c.id))
    return [dict(row) for row in conn.execute(query).mappings()]


def claim_report(store: Store, conn: Connection, period: str, *, by: str, now: datetime) -> bool:
    """True for the one caller that records `period` as sent first."""
    statement = store.insert_ignoring_conflicts(sent_reports).values(
        period=period, at=now, by=by).returning(sent_reports.c.period)
    return conn.execute(statement).first() is not None


def report_sent(conn: Connection, period: str) -> bool:
    query = select(sent_reports.c.period).where(sent_reports.c.period == period)
    return conn.execute(query).first() is not None


def sent_periods(conn: Connection) -> dict[str, datetime]:
    return {str(p): at for p, at in conn.execute(select(sent_reports.c.period,
                                                        sent_reports.c.at))}

