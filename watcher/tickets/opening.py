"""Opening a ticket, in the caller's transaction: assigned to whoever is on duty, with its
creation event and its alert, or joined to an incident whose alert goes instead."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.routing import new_ticket_targets, on_duty
from watcher.config import Config
from watcher.records import Ticket
from watcher.store import tickets as ticket_store
from watcher.tickets import incidents
from watcher.tickets.notify import queue_ticket_alert
from watcher.tickets.policy import TicketPolicy

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.scoring import Score
    from watcher.store.db import Store
    from watcher.tickets.incidents import LazyWindow


def open_ticket(store: Store, conn: Connection, config: Config, *, mention: dict[str, Any],
                score: Score, now: datetime, window: LazyWindow | None = None) -> Ticket:
    """Writes the ticket, assigned to whoever is on duty now, with its creation event and its
    alert (or, when it completes a burst of similar complaints, the incident's alert)."""
    assert score.level is not None
    shift = on_duty(config.duty, now, config.tz)
    ticket_id = ticket_store.create(
        conn, mention_id=mention["id"], level=score.level, category=score.category,
        department=score.department, deadline=TicketPolicy.from_config(config).deadline(
            score.level, now), now=now, reasons=list(score.reasons), risks=list(score.risks),
        assignee=shift.name if shift else None,
    )
    ticket = ticket_store.get(conn, ticket_id)
    assert ticket is not None
    if not incidents.absorb(store, conn, config, ticket, now, window):
        targets = new_ticket_targets(ticket.level, ticket.assignee, config.duty,
                                     config.alerts)
        queue_ticket_alert(store, conn, config, ticket, kind="new", key="new", targets=targets,
                           now=now)
    return ticket
