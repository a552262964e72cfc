"""Incidents: a burst of similar complaints from different people, handled as one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from watcher.store.schema import incidents, tickets


def create(conn: Connection, *, category: str, keywords: list[str], now: datetime) -> int:
    incident_id = conn.execute(
        insert(incidents).values(category=category, level=1, status="open", keywords=keywords,
                                 created_at=now, updated_at=now)
        .returning(incidents.c.id)
    ).scalar_one()
    return int(incident_id)


def open_since(conn: Connection, category: str, since: datetime) -> list[dict[str, Any]]:
    """Open incidents of `category` that grew within the window."""
    query = select(incidents).where(incidents.c.status == "open",
                                    incidents.c.category == category,
                                    incidents.c.updated_at >= since).order_by(incidents.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def join(conn: Connection, incident_id: int, ticket_ids: list[int], now: datetime) -> None:
    conn.execute(update(tickets).where(tickets.c.id.in_(ticket_ids))
                 .values(incident_id=incident_id))
    grew(conn, incident_id, now, len(ticket_ids))


def grew(conn: Connection, incident_id: int, now: datetime, added: int) -> None:
    """`added` tickets joined the incident at `now` (their own rows say so already)."""
    conn.execute(update(incidents).where(incidents.c.id == incident_id)
                 .values(updated_at=now, members=incidents.c.members + added))


def members(conn: Connection, incident_id: int) -> int:
    """How many tickets the incident has."""
    query = select(incidents.c.members).where(incidents.c.id == incident_id)
    return int(conn.execute(query).scalar_one())


def get(conn: Connection, incident_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
    return dict(row) if row else None
