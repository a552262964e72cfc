"""Opening a ticket, in the caller's batch (watcher.tickets.batch): assigned to whoever is on
duty, with its creation event and its alert; or joined to an open incident, or starting one,
whose alert goes instead."""

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
    from watcher.scoring import Score
    from watcher.tickets.batch import TicketBatch


def open_ticket(batch: TicketBatch, config: Config, *, mention: dict[str, Any], score: Score,
                now: datetime) -> Ticket:
    """Writes the ticket, assigned to whoever is on duty now, with its creation event and its
    alert (or, when it is like an open incident or completes a burst of similar complaints,
    the incident's). The ticket keeps its text's incident keywords, which the window reads."""
    assert score.level is not None
    shift = on_duty(config.duty, now, config.tz)
    words = keywords(mention["text"])
    deadline = TicketPolicy.from_config(config).deadline(score.level, now)
    values: dict[str, Any] = {
        "mention_id": mention["id"], "level": score.level, "category": score.category,
        "department": score.department, "status": TicketStatus.OPEN,
        "assignee": shift.name if shift else None, "deadline": deadline, "created_at": now,
        "updated_at": now, "reasons": list(score.reasons), "risks": list(score.risks),
        "keywords": sorted(words), "incident_id": None}
    created = {"level": score.level, "deadline": deadline.isoformat(),
               "assignee": values["assignee"]}
    incident = batch.open_incident(score.category, words)
    if incident is not None:
        values = incidents.joined_values(values, incident, config, now)
    ticket = _record(ticket_store.insert_ticket(batch.conn, values), values, mention)
    batch.event(ticket.id, "created", created)
    batch.ticket_made(ticket.platform, ticket.author, ticket.id)
    if incident is not None:
        batch.event(ticket.id, "incident", {"incident": incident, "level": 1})
        batch.joined.setdefault(incident, []).append(ticket.id)
    elif not incidents.absorb(batch.store, batch.conn, config, ticket, now, batch, words):
        targets = new_ticket_targets(ticket.level, ticket.assignee, config.duty,
                                     config.alerts)
        queue_ticket_alert(batch.store, batch.conn, config, ticket, kind="new", key="new",
                           targets=targets, now=now, sink=batch.alerts)
    return ticket


def _record(ticket_id: int, values: dict[str, Any], mention: dict[str, Any]) -> Ticket:
    """The ticket the store now holds, without reading it back."""
    return Ticket(
        id=ticket_id, mention_id=values["mention_id"], incident_id=values["incident_id"],
        level=values["level"], category=values["category"], department=values["department"],
        status=values["status"], assignee=values["assignee"], deadline=values["deadline"],
        created_at=values["created_at"], updated_at=values["updated_at"], acknowledged_at=None,
        resolved_at=None, closed_at=None, last_progress_at=None, copies=0, copies_followers=0,
        copies_engagement=0, reasons=tuple(values["reasons"]), risks=tuple(values["risks"]),
        source=mention["source"], platform=mention["platform"], url=mention["url"],
        author=mention["author"], title=mention["title"], text=mention["text"],
        mention_created_at=mention["created_at"])
