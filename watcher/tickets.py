"""Ticket decisions (pure) and opening a ticket with its alert in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from alerts.render import TicketAlert, render_new_ticket
from alerts.routing import targets_for_new_ticket
from watcher.config import Config
from watcher.store import outbox
from watcher.store import tickets as ticket_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.scoring import Score
    from watcher.store.db import Store


@dataclass(frozen=True)
class TicketPolicy:
    ticket_level: int
    respond_within: tuple[timedelta, ...]
    max_age: timedelta

    @classmethod
    def from_config(cls, config: Config) -> TicketPolicy:
        return cls(config.scoring.ticket_level, config.sla.respond_within, config.monitor.max_age)

    def qualifies(self, level: int | None, created_at: datetime, now: datetime,
                  first_sweep: bool) -> bool:
        """A mention at level 1..ticket_level becomes a ticket, unless it is old news found on
        a source's first sweep (stored, but nobody needs to be woken for last month's post)."""
        if level is None or level > self.ticket_level:
            return False
        return not (first_sweep and created_at < now - self.max_age)

    def deadline(self, level: int, now: datetime) -> datetime:
        return now + self.respond_within[level - 1]


def open_ticket(
    store: Store,
    conn: Connection,
    config: Config,
    *,
    mention: dict[str, Any],
    score: Score,
    now: datetime,
) -> int:
    """Writes the ticket, its creation event and its alert rows; the caller commits."""
    assert score.level is not None
    policy = TicketPolicy.from_config(config)
    deadline = policy.deadline(score.level, now)
    ticket_id = ticket_store.create(
        conn,
        mention_id=mention["id"],
        level=score.level,
        category=score.category,
        department=score.department,
        deadline=deadline,
        now=now,
        reasons=list(score.reasons),
        risks=list(score.risks),
    )
    alert = TicketAlert(
        ticket_id=ticket_id,
        level=score.level,
        category=score.category,
        department=score.department,
        platform=mention["platform"],
        source=mention["source"],
        author=mention.get("author"),
        text=mention["text"],
        url=mention.get("url"),
        deadline=deadline,
        reasons=tuple(score.reasons),
    )
    title, body = render_new_ticket(alert, config.tz)
    outbox.enqueue(
        store,
        conn,
        alert_key=f"ticket:{ticket_id}:new",
        targets=targets_for_new_ticket(score.level, config.alerts),
        title=title,
        body=body,
        now=now,
        ticket_id=ticket_id,
    )
    return ticket_id
