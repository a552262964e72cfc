"""Tickets, their history of events, their linked mentions and their once-only marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update

from watcher.reasons import Reason
from watcher.records import AWAITING_RESPONSE, UNRESOLVED, Ticket, TicketStatus
from watcher.store.db import Store
from watcher.store.schema import mentions, ticket_events, ticket_links, ticket_marks, tickets

SYSTEM_ACTOR = "watcher"


def create(
    conn: Connection,
    *,
    mention_id: int,
    level: int,
    category: str,
    department: str,
    deadline: datetime,
    now: datetime,
    reasons: Sequence[Reason],
    risks: list[str],
    assignee: str | None = None,
) -> int:
    ticket_id = conn.execute(
        insert(tickets)
        .values(
            mention_id=mention_id, level=level, category=category, department=department,
            status=TicketStatus.OPEN, assignee=assignee, deadline=deadline, created_at=now,
            updated_at=now, reasons=reasons, risks=risks,
        )
        .returning(tickets.c.id)
    ).scalar_one()
    data = {"level": level, "deadline": deadline.isoformat(), "assignee": assignee}
    add_event(conn, ticket_id, now=now, action="created", data=data)
    return int(ticket_id)


def insert_ticket(conn: Connection, values: dict[str, Any]) -> int:
    """One ticket row as it is (`create` without its event: the caller records that); its id."""
    return int(conn.execute(insert(tickets).returning(tickets.c.id), values).scalar_one())


def add_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """History events (ticket_id, at, actor, action, note, data) in one statement."""
    if rows:
        conn.execute(insert(ticket_events), rows)


def add_event(
    conn: Connection,
    ticket_id: int,
    *,
    now: datetime,
    action: str,
    actor: str = SYSTEM_ACTOR,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(ticket_events).values(
            ticket_id=ticket_id, at=now, actor=actor, action=action, note=note, data=data
        )
    )


def change(conn: Connection, ticket_id: int, values: dict[str, Any], *, now: datetime,
           action: str, actor: str = SYSTEM_ACTOR, note: str | None = None,
           data: dict[str, Any] | None = None) -> None:
    """Updates the ticket and records the change as one history event."""
    conn.execute(update(tickets).where(tickets.c.id == ticket_id)
                 .values(**values, updated_at=now))
    add_event(conn, ticket_id, now=now, action=action, actor=actor, note=note, data=data)


def mark_once(store: Store, conn: Connection, ticket_id: int, mark: str, now: datetime) -> bool:
    """True for the one caller that records `mark` first; False for every later one."""
    # RETURNING, not rowcount: the driver's rowcount is not reliable for INSERT .. ON CONFLICT
    statement = store.insert_ignoring_conflicts(ticket_marks).values(
        ticket_id=ticket_id, mark=mark, at=now).returning(ticket_marks.c.ticket_id)
    return conn.execute(statement).first() is not None


def link_mention(store: Store, conn: Connection, *, mention_id: int, ticket_id: int, kind: str,
                 now: datetime) -> None:
    conn.execute(store.insert_ignoring_conflicts(ticket_links).values(
        mention_id=mention_id, ticket_id=ticket_id, kind=kind, at=now))


def has_ticket(conn: Connection, mention_id: int) -> bool:
    query = select(tickets.c.id).where(tickets.c.mention_id == mention_id)
    linked = select(ticket_links.c.ticket_id).where(ticket_links.c.mention_id == mention_id)
    return (conn.execute(query).first() or conn.execute(linked).first()) is not None


def unresolved_for_mention(conn: Connection, mention_id: int) -> Ticket | None:
    """The ticket made for this mention, while it is unresolved."""
    query = ticket_query().where(tickets.c.mention_id == mention_id,
                                 tickets.c.status.in_(UNRESOLVED))
    row = conn.execute(query).mappings().first()
    return Ticket.from_row(row) if row else None


def ticket_query() -> Any:
    return select(
        tickets,
        mentions.c.source,
        mentions.c.platform,
        mentions.c.url,
        mentions.c.author,
        mentions.c.title,
        mentions.c.text,
        mentions.c.created_at.label("mention_created_at"),
    ).join(mentions, mentions.c.id == tickets.c.mention_id)


def list_tickets(
    conn: Connection,
    *,
    status: TicketStatus | str | None = None,
    level: int | None = None,
    assignee: str | None = None,
    overdue_at: datetime | None = None,
) -> list[Ticket]:
    query = ticket_query().order_by(tickets.c.deadline, tickets.c.id)
    if status:
        query = query.where(tickets.c.status == status)
    if level:
        query = query.where(tickets.c.level == level)
    if assignee:
        query = query.where(tickets.c.assignee == assignee)
    if overdue_at:
        query = query.where(tickets.c.status.in_(AWAITING_RESPONSE),
                            tickets.c.deadline < overdue_at)
    return records(conn, query)


def records(conn: Connection, query: Any) -> list[Ticket]:
    """The tickets a `ticket_query()` finds, as records."""
    return [Ticket.from_row(row) for row in conn.execute(query).mappings()]


def get(conn: Connection, ticket_id: int) -> Ticket | None:
    row = conn.execute(ticket_query().where(tickets.c.id == ticket_id)).mappings().first()
    return Ticket.from_row(row) if row else None


def get_for_update(conn: Connection, ticket_id: int) -> Ticket | None:
    """The ticket, its row locked until the transaction ends (PostgreSQL; SQLite locks the
    whole database for a writer anyway)."""
    query = ticket_query().where(tickets.c.id == ticket_id).with_for_update(of=tickets)
    row = conn.execute(query).mappings().first()
    return Ticket.from_row(row) if row else None


def events(conn: Connection, ticket_id: int) -> list[dict[str, Any]]:
    query = (
        select(ticket_events)
        .where(ticket_events.c.ticket_id == ticket_id)
        .order_by(ticket_events.c.at, ticket_events.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def linked_mentions(conn: Connection, ticket_id: int) -> list[dict[str, Any]]:
    query = (select(mentions, ticket_links.c.kind, ticket_links.c.at.label("linked_at"))
             .join(ticket_links, ticket_links.c.mention_id == mentions.c.id)
             .where(ticket_links.c.ticket_id == ticket_id).order_by(ticket_links.c.at))
    return [dict(row) for row in conn.execute(query).mappings()]


def for_repeat_many(conn: Connection, *, platform: str, authors: Sequence[str],
                    since: datetime) -> dict[str, int]:
    """author -> id of their latest ticket on this platform that is still open, or was made
    since `since`, for each of `authors` that has one."""
    found: dict[str, int] = {}
    for start in range(0, len(authors), 500):
        query = (
            select(mentions.c.author, tickets.c.id)
            .join(mentions, mentions.c.id == tickets.c.mention_id)
            .where(mentions.c.platform == platform,
                   mentions.c.author.in_(list(authors[start:start + 500])),
                   tickets.c.status != TicketStatus.FALSE_POSITIVE,
                   or_(tickets.c.status.in_(UNRESOLVED), tickets.c.created_at >= since))
            .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
        )
        for author, ticket_id in conn.execute(query):
            found.setdefault(author, int(ticket_id))
    return found


def overdue(conn: Connection, now: datetime) -> list[Ticket]:
    """Tickets still awaiting their first response past their deadline."""
    query = ticket_query().where(tickets.c.status.in_(AWAITING_RESPONSE), tickets.c.deadline < now)
    return records(conn, query.order_by(tickets.c.id))


def wanting_progress(conn: Connection, levels: Sequence[int], before: datetime
                     ) -> list[Ticket]:
    """Unresolved tickets of `levels` with no note (nor creation) since `before`."""
    last = func.coalesce(tickets.c.last_progress_at, tickets.c.created_at)
    query = ticket_query().where(and_(tickets.c.status.in_(UNRESOLVED),
                                      tickets.c.level.in_(list(levels)), last < before))
    return records(conn, query.order_by(tickets.c.id))


def window_members(conn: Connection, since: datetime, *, after: int | None = None
                   ) -> list[Any]:
    """Tickets made since `since`, or those with ids above `after`: id, category, author,
    created_at, incident_id and keywords (the mention's text where they were not kept). Read
    by one index range, when it was made or its id; the caller leaves out those in incidents
    (a condition on incident_id would lead the database to that index: every ticket ever)."""
    query = (select(tickets.c.id, tickets.c.category, mentions.c.author, tickets.c.created_at,
                    tickets.c.keywords, tickets.c.incident_id,
                    case((tickets.c.keywords.is_(None), mentions.c.text)).label("text"))
             .join(mentions, mentions.c.id == tickets.c.mention_id))
    query = query.where(tickets.c.id > after) if after is not None \
        else query.where(tickets.c.created_at >= since)
    return list(conn.execute(query.order_by(tickets.c.id)))


def without_incident(conn: Connection, ids: Sequence[int]) -> list[Ticket]:
    """Those of the tickets `ids` that are in no incident, in id order."""
    query = ticket_query().where(tickets.c.id.in_(list(ids)), tickets.c.incident_id.is_(None))
    return records(conn, query.order_by(tickets.c.id))


def in_incident(conn: Connection, incident_id: int, limit: int | None = None) -> list[Ticket]:
    query = ticket_query().where(tickets.c.incident_id == incident_id).order_by(tickets.c.id)
    return records(conn, query.limit(limit))


def incident_listing(conn: Connection, incident_id: int, limit: int, *, from_id: int = 0
                     ) -> list[tuple[int, str | None, str]]:
    """(ticket id, mention url, mention text) of the incident's tickets from `from_id` on,
    in id order: what an incident message lists."""
    query = (select(tickets.c.id, mentions.c.url, mentions.c.text)
             .join(mentions, mentions.c.id == tickets.c.mention_id)
             .where(tickets.c.incident_id == incident_id, tickets.c.id >= from_id)
             .order_by(tickets.c.id).limit(limit))
    return [(int(i), url, text) for i, url, text in conn.execute(query)]


def count_in_incident(conn: Connection, incident_id: int) -> int:
    query = select(func.count()).where(tickets.c.incident_id == incident_id)
    return int(conn.execute(query).scalar_one())


def open_counts_by_level(conn: Connection) -> dict[int, int]:
    query = (select(tickets.c.level, func.count()).where(tickets.c.status.in_(UNRESOLVED))
             .group_by(tickets.c.level))
    return {int(level): int(number) for level, number in conn.execute(query)}
