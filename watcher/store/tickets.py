"""Tickets and their history of events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from watcher.store.schema import mentions, ticket_events, tickets

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
    reasons: list[str],
    risks: list[str],
    assignee: str | None = None,
) -> int:
    ticket_id = conn.execute(
        insert(tickets)
        .values(
            mention_id=mention_id,
            level=level,
            category=category,
            department=department,
            status="open",
            assignee=assignee,
            deadline=deadline,
            created_at=now,
            updated_at=now,
            reasons=reasons,
            risks=risks,
        )
        .returning(tickets.c.id)
    ).scalar_one()
    add_event(conn, ticket_id, now=now, action="created", data={"level": level,
                                                                "deadline": deadline.isoformat()})
    return int(ticket_id)


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


def has_ticket(conn: Connection, mention_id: int) -> bool:
    query = select(tickets.c.id).where(tickets.c.mention_id == mention_id)
    return conn.execute(query).first() is not None


def _ticket_query() -> Any:
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


def list_tickets(conn: Connection, *, status: str | None = None) -> list[dict[str, Any]]:
    query = _ticket_query().order_by(tickets.c.deadline, tickets.c.id)
    if status:
        query = query.where(tickets.c.status == status)
    return [dict(row) for row in conn.execute(query).mappings()]


def get(conn: Connection, ticket_id: int) -> dict[str, Any] | None:
    row = conn.execute(_ticket_query().where(tickets.c.id == ticket_id)).mappings().first()
    return dict(row) if row else None


def events(conn: Connection, ticket_id: int) -> list[dict[str, Any]]:
    query = (
        select(ticket_events)
        .where(ticket_events.c.ticket_id == ticket_id)
        .order_by(ticket_events.c.at, ticket_events.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
