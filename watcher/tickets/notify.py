"""Alerts about a ticket: its alert view, its console link, who is told, and the outbox row,
written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.render import TicketAlert, render_ticket
from alerts.routing import person_targets
from watcher.config import Config
from watcher.config.targets import alert_targets
from watcher.records import Ticket
from watcher.store import outbox
from watcher.tickets.replies import suggested_reply

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.store.db import Store


def ticket_alert(ticket: Ticket, config: Config, *, detail: str | None = None,
                 followup_due: datetime | None = None, reply: str | None = None) -> TicketAlert:
    """The alert view of a ticket row joined with its mention (store.tickets.ticket_query)."""
    return TicketAlert(
        ticket_id=ticket.id, level=ticket.level, category=ticket.category,
        department=ticket.department, platform=ticket.platform, source=ticket.source,
        author=ticket.author, text=ticket.text, url=ticket.url,
        deadline=ticket.deadline, reasons=ticket.reasons,
        assignee=ticket.assignee, link=ticket_link(config, ticket.id),
        followup_due=followup_due, detail=detail, reply=reply,
    )


def ticket_link(config: Config, ticket_id: int) -> str | None:
    """The ticket's page in the staff console, when the console has a public address."""
    base = getattr(getattr(config, "web", None), "public_url", None)
    return f"{base.rstrip('/')}/tickets/{ticket_id}" if base else None


def queue_ticket_alert(store: Store, conn: Connection, config: Config, ticket: Ticket, *,
                       kind: str, key: str, targets: list[str], now: datetime,
                       detail: str | None = None, followup_due: datetime | None = None,
                       sink: list[dict[str, Any]] | None = None) -> None:
    """Queues the alert; into `sink` (rows written later together) when given."""
    reply = suggested_reply(config, ticket) if kind == "new" else None
    alert = ticket_alert(ticket, config, detail=detail, followup_due=followup_due, reply=reply)
    title, body = render_ticket(alert, config.tz, kind)
    book = alert_targets(config)
    rows = outbox.rows(alert_key=f"ticket:{ticket.id}:{key}",
                       references=[book.reference(url) for url in targets], title=title,
                       body=body, now=now, ticket_id=ticket.id, level=ticket.level)
    if sink is None:
        outbox.insert_rows(store, conn, rows)
    else:
        sink.extend(rows)


def assignee_targets(config: Config, ticket: Ticket) -> list[str]:
    return person_targets(ticket.assignee, config.duty, config.alerts)
