"""Follow-ups: one row per resolution of a ticket, due by then, done with a satisfaction score.
The latest row of a ticket is its current follow-up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select, update

from watcher.records import Ticket, TicketStatus
from watcher.store.mentions import _chunks
from watcher.store.schema import followups, tickets
from watcher.store.tickets import ticket_query


def schedule(conn: Connection, ticket_id: int, *, resolved_at: datetime, due_at: datetime) -> int:
    followup_id = conn.execute(
        insert(followups).values(ticket_id=ticket_id, resolved_at=resolved_at, due_at=due_at)
        .returning(followups.c.id)
    ).scalar_one()
    return int(followup_id)


def record(conn: Connection, followup_id: int, *, now: datetime, score: int, actor: str,
           note: str | None) -> None:
    conn.execute(update(followups).where(followups.c.id == followup_id)
                 .values(done_at=now, score=score, actor=actor, note=note))


def current(conn: Connection, ticket_id: int) -> dict[str, Any] | None:
    return current_for(conn, [ticket_id]).get(ticket_id)


def current_for(conn: Connection, ticket_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """ticket id -> its latest follow-up, for those of `ticket_ids` that have one."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(list(ticket_ids)):
        latest = (select(func.max(followups.c.id)).where(followups.c.ticket_id.in_(chunk))
                  .group_by(followups.c.ticket_id))
        query = select(followups).where(followups.c.id.in_(latest))
        found.update({row["ticket_id"]: dict(row) for row in conn.execute(query).mappings()})
    return found


@dataclass(frozen=True)
class DueFollowup:
    ticket: Ticket
    followup_id: int
    due_at: datetime


def overdue(conn: Connection, now: datetime) -> list[DueFollowup]:
    """Resolved tickets whose current follow-up is past due and not done."""
    later = followups.alias("later")
    superseded = exists().where(later.c.ticket_id == followups.c.ticket_id,
                                later.c.id > followups.c.id)
    query = (ticket_query().add_columns(followups.c.id.label("followup_id"), followups.c.due_at)
             .join(followups, followups.c.ticket_id == tickets.c.id)
             .where(followups.c.done_at.is_(None), followups.c.due_at < now,
                    tickets.c.status == TicketStatus.RESOLVED, ~superseded)
             .order_by(followups.c.due_at, followups.c.id))
    return [DueFollowup(Ticket.from_row(row), row["followup_id"], row["due_at"])
            for row in conn.execute(query).mappings()]
