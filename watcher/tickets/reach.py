"""A known complaint that spreads: when a later sweep sees a mention's likes + reposts + replies
cross `[scoring] viral_engagement`, its unresolved ticket rises to level 2 (unless higher) with
the `reach` risk and its reason, a deadline no later than level 2's from now, and is re-alerted
once (a mark in the store: no later sweep, on any replica, alerts again). Copies of the mention
on other sources (reposts, near copies) count with its own: their likes, reposts and replies
are the ticket's `copies_engagement`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.routing import new_ticket_targets
from watcher.reasons import Reason
from watcher.scoring.reach import REACH, REACH_LEVEL, ReachLine, engagement_total, reach_reasons
from watcher.store import mentions as mention_store
from watcher.store import tickets as ticket_store
from watcher.tickets.notify import queue_ticket_alert
from watcher.tickets.policy import TicketPolicy

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store


def raise_for_reach(store: Store, conn: Connection, config: Config, mention_id: int,
                    found: tuple[Reason, ...], now: datetime) -> int | None:
    """Raises the mention's unresolved ticket for the reach reasons `found`; its id, or None
    when the mention has no unresolved ticket."""
    ticket = ticket_store.unresolved_for_mention(conn, mention_id)
    if ticket is None or not found:
        return None
    level = min(ticket.level, REACH_LEVEL)
    deadline = min(ticket.deadline, TicketPolicy.from_config(config).deadline(level, now))
    changes: dict[str, Any] = {
        "level": level,
        "deadline": deadline,
        "risks": tuple(dict.fromkeys([*ticket.risks, REACH])),
        "reasons": tuple(dict.fromkeys([*ticket.reasons, *found])),
    }
    ticket_store.change(conn, ticket.id, changes, now=now, action="reach",
                        data={"level": level, "from": ticket.level,
                              **{k: v for r in found for k, v in r.numbers if k != "line"}})
    if ticket_store.mark_once(store, conn, ticket.id, "reach-alert", now):
        raised = replace(ticket, **changes)
        targets = new_ticket_targets(raised.level, raised.assignee, config.duty, config.alerts)
        queue_ticket_alert(store, conn, config, raised, kind="reach", key="reach",
                           targets=targets, now=now)
    return ticket.id


def spread_by_copies(store: Store, conn: Connection, config: Config, line: ReachLine,
                     added: dict[int, int], now: datetime) -> None:
    """Raises the tickets whose mention and copies together crossed the line with the copies
    just linked (`added`: ticket id -> likes + reposts + replies they added)."""
    for ticket_id, extra in sorted(added.items()):
        ticket = ticket_store.get(conn, ticket_id)
        if ticket is None or not extra:
            continue
        own = mention_store.engagement_of(conn, [ticket.mention_id]).get(ticket.mention_id)
        total = engagement_total(own) + ticket.copies_engagement
        if total - extra < line.engagement <= total:
            raise_for_reach(store, conn, config, ticket.mention_id,
                            reach_reasons(line, None, total), now)
