"""Repeat complaints: a new complaint by the same author on the same platform, while their
ticket is open or within `[tickets] repeat_window`, is linked to that ticket instead of making a
new one; the ticket rises to level 2 (unless higher) and is re-alerted once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.routing import new_ticket_targets
from watcher.reasons import ReasonCode, reason
from watcher.records import DONE, Ticket, TicketStatus
from watcher.store import tickets as ticket_store
from watcher.tickets.notify import queue_ticket_alert
from watcher.tickets.policy import TicketPolicy

if TYPE_CHECKING:
    from watcher.config import Config
    from watcher.tickets.batch import TicketBatch

REPEAT_LEVEL = 2  # the handbooks' "repeat complaint still unresolved"


def link_repeat(batch: TicketBatch, config: Config, mention: dict[str, Any],
                now: datetime) -> int | None:
    """Links `mention` to its author's ticket when there is one; returns that ticket's id."""
    found = batch.repeat_of(mention["platform"], mention.get("author"))
    ticket = ticket_store.get(batch.conn, found) if found is not None else None
    if ticket is None:
        return None
    store, conn = batch.store, batch.conn
    ticket_store.link_mention(store, conn, mention_id=mention["id"], ticket_id=ticket.id,
                              kind="repeat", now=now)
    changes = _raised(ticket, config, now)
    ticket_store.change(conn, ticket.id, changes, now=now, action="repeat",
                        note=mention["text"][:500],
                        data={"mention": mention["id"], "level": changes["level"]})
    if ticket_store.mark_once(store, conn, ticket.id, "repeat-alert", now):
        raised = replace(ticket, **changes)
        targets = new_ticket_targets(raised.level, raised.assignee, config.duty,
                                     config.alerts)
        queue_ticket_alert(store, conn, config, raised, kind="repeat", key="repeat",
                           targets=targets, now=now)
    return int(ticket.id)


def _raised(ticket: Ticket, config: Config, now: datetime) -> dict[str, Any]:
    """Level at most 2 with the `repeat` risk; a resolved or closed ticket is reopened, since
    the customer says the problem is not solved."""
    level = min(ticket.level, REPEAT_LEVEL)
    deadline = min(ticket.deadline, TicketPolicy.from_config(config).deadline(level, now))
    changes: dict[str, Any] = {
        "level": level,
        "deadline": deadline,
        "risks": tuple(dict.fromkeys([*ticket.risks, "repeat"])),
        "reasons": tuple(dict.fromkeys([*ticket.reasons, reason(ReasonCode.REPEAT)])),
    }
    if ticket.status in DONE:
        changes |= {"status": TicketStatus.REOPENED, "resolved_at": None, "closed_at": None,
                    "deadline": TicketPolicy.from_config(config).deadline(level, now)}
    return changes
