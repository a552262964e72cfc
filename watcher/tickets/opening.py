"""Opening a ticket, in the caller's transaction: assigned to whoever is on duty, with its
creation event and its alert, or joined to an incident whose alert goes instead."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.routing import new_ticket_targets, on_duty
from watcher.config import Config
from watcher.records import Ticket, TicketStatus
from watcher.store import tickets as ticket_store
from watcher.tickets import incidents
from watcher.tickets.notify import queue_ticket_alert
from watcher.tickets.policy import TicketPolicy
from watcher.tickets.window import keywords

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.scoring import Score
    from watcher.store.db import Store
    from watcher.tickets.window import IncidentWindow


def open_ticket(store: Store, conn: Connection, config: Config, *, mention: dict[str, Any],
                score: Score, now: datetime, window: IncidentWindow) -> Ticket:
    """Writes the ticket, assigned to whoever is on duty now, with its creation event and its
    alert (or, when it completes a burst of similar complaints, the incident's alert). The
    ticket keeps its text's incident keywords, which the incident window reads."""
    assert score.level is not None
    shift = on_duty(config.duty, now, config.tz)
    words = keywords(mention["text"])
    values: dict[str, Any] = dict(
        mention_id=mention["id"], level=score.level, category=score.category,
        department=score.department, deadline=TicketPolicy.from_config(config).deadline(
            score.level, now), reasons=tuple(score.reasons), risks=tuple(score.risks),
        assignee=shift.name if shift else None)
    ticket_id = ticket_store.create(conn, **values | {"reasons": list(score.reasons),
                                                      "risks": list(score.risks)},
                                    now=now, keywords=sorted(words))
    ticket = Ticket(  # what the store now holds, without reading it back
        id=ticket_id, incident_id=None, status=TicketStatus.OPEN, created_at=now,
        updated_at=now, acknowledged_at=None, resolved_at=None, closed_at=None,
        last_progress_at=None, copies=0, copies_followers=0, copies_engagement=0,
        source=mention["source"], platform=mention["platform"], url=mention["url"],
        author=mention["author"], title=mention["title"], text=mention["text"],
        mention_created_at=mention["created_at"], **values)
    if not incidents.absorb(store, conn, config, ticket, now, window, words):
        targets = new_ticket_targets(ticket.level, ticket.assignee, config.duty,
                                     config.alerts)
        queue_ticket_alert(store, conn, config, ticket, kind="new", key="new", targets=targets,
                           now=now)
    return ticket
