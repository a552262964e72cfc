"""Ticket decisions and the writes that go with them, in the caller's transaction: opening a
ticket (assigned to whoever is on duty), and queueing the alerts about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from alerts.render import TicketAlert, render_ticket
from alerts.routing import new_ticket_targets, on_duty, person_targets
from watcher.business_hours import add_business_time
from watcher.config import Config
from watcher.sections import BusinessHours
from watcher.store import outbox
from watcher.store import tickets as ticket_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.incidents import LazyWindow
    from watcher.scoring import Score
    from watcher.store.db import Store


@dataclass(frozen=True)
class TicketPolicy:
    ticket_level: int
    respond_within: tuple[timedelta, ...]
    max_age: timedelta
    business_hours: BusinessHours | None
    tz: tzinfo

    @classmethod
    def from_config(cls, config: Config) -> TicketPolicy:
        return cls(config.scoring.ticket_level, config.sla.respond_within,
                   config.monitor.max_age, config.sla.business_hours, config.tz)

    def qualifies(self, level: int | None, created_at: datetime, now: datetime,
                  first_sweep: bool) -> bool:
        """A mention at level 1..ticket_level becomes a ticket, unless it is old news found on
        a source's first sweep (stored, but nobody needs to be woken for last month's post)."""
        if level is None or level > self.ticket_level:
            return False
        return not (first_sweep and created_at < now - self.max_age)

    def deadline(self, level: int, start: datetime) -> datetime:
        """First-response deadline; the clock pauses outside business hours where configured."""
        return self.later(level, start, self.respond_within[level - 1])

    def later(self, level: int, start: datetime, duration: timedelta) -> datetime:
        """`start` + `duration` on the level's clock (business hours only, where configured)."""
        hours = self.business_hours
        if hours is not None and level in hours.levels:
            return add_business_time(start, duration, hours, self.tz)
        return start + duration


def ticket_alert(ticket: dict[str, Any], config: Config) -> TicketAlert:
    """The alert view of a ticket row joined with its mention (store.tickets.ticket_query)."""
    return TicketAlert(
        ticket_id=ticket["id"], level=ticket["level"], category=ticket["category"],
        department=ticket["department"], platform=ticket["platform"], source=ticket["source"],
        author=ticket.get("author"), text=ticket["text"], url=ticket.get("url"),
        deadline=ticket["deadline"], reasons=tuple(ticket["reasons"] or ()),
        assignee=ticket.get("assignee"), link=ticket_link(config, ticket["id"]),
    )


def ticket_link(config: Config, ticket_id: int) -> str | None:
    """The ticket's page in the staff console, when the console has a public address."""
    base = getattr(getattr(config, "web", None), "public_url", None)
    return f"{base.rstrip('/')}/tickets/{ticket_id}" if base else None


def queue_ticket_alert(store: Store, conn: Connection, config: Config, ticket: dict[str, Any], *,
                       kind: str, key: str, targets: list[str], now: datetime) -> None:
    title, body = render_ticket(ticket_alert(ticket, config), config.tz, kind)
    outbox.enqueue(store, conn, alert_key=f"ticket:{ticket['id']}:{key}", targets=targets,
                   title=title, body=body, now=now, ticket_id=ticket["id"], level=ticket["level"])


def assignee_targets(config: Config, ticket: dict[str, Any]) -> list[str]:
    return person_targets(ticket.get("assignee"), config.duty, config.alerts)


def open_ticket(store: Store, conn: Connection, config: Config, *, mention: dict[str, Any],
                score: Score, now: datetime, window: LazyWindow | None = None
                ) -> dict[str, Any]:
    """Writes the ticket, assigned to whoever is on duty now, with its creation event and its
    alert (or, when it completes a burst of similar complaints, the incident's alert)."""
    from watcher import incidents

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
        targets = new_ticket_targets(ticket["level"], ticket["assignee"], config.duty,
                                     config.alerts)
        queue_ticket_alert(store, conn, config, ticket, kind="new", key="new", targets=targets,
                           now=now)
    return ticket
