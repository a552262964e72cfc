"""Staff correcting the scorer (`watcher tickets correct`, the ticket page's form): not a
complaint, another category, another level. The ticket takes the correction (not a complaint
closes it as `false_positive`; a level changes its deadline while it awaits a first response),
the history records it, and the correction is kept with the mention's text: the deployment's
own adjustment of the scorer is fitted from these (watcher.tickets.learning)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.errors import TicketActionError
from watcher.records import AWAITING_RESPONSE, TRANSITIONS, Ticket, TicketStatus
from watcher.scoring import CATEGORIES
from watcher.store import corrections as correction_store
from watcher.store import mentions as mention_store
from watcher.store import tickets as ticket_store
from watcher.tickets.policy import TicketPolicy

if TYPE_CHECKING:
    from watcher.config import Config
    from watcher.store.db import Store

LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Correction:
    not_complaint: bool = False
    category: str | None = None
    level: int | None = None

    def problem(self) -> str | None:
        """Why the correction cannot be taken, or None."""
        if not (self.not_complaint or self.category or self.level is not None):
            return "a correction needs --not-complaint, --category or --level"
        if self.not_complaint and (self.category or self.level is not None):
            return "not a complaint has no category or level to correct"
        if self.category is not None and self.category not in CATEGORIES:
            return (f"unknown category {self.category!r} (known: "
                    f"{', '.join(CATEGORIES)})")
        if self.level is not None and self.level not in LEVELS:
            return f"a level is 1 to 4, not {self.level}"
        return None


def correct(store: Store, config: Config, ticket_id: int, correction: Correction, *,
            actor: str, now: datetime) -> Ticket:
    """Applies `correction` to the ticket and keeps it for learning, in one transaction."""
    problem = correction.problem()
    if problem:
        raise TicketActionError(problem)
    with store.begin() as conn:
        ticket = ticket_store.get_for_update(conn, ticket_id)
        if ticket is None:
            raise TicketActionError(f"no ticket #{ticket_id}")
        if ticket.status not in TRANSITIONS["correct"].starts:
            raise TicketActionError(f"ticket #{ticket_id} is {ticket.status}: it was corrected "
                                    "as not a complaint; reopen it first")
        mention = mention_store.by_ids(conn, [ticket.mention_id])[ticket.mention_id]
        values, data = _changes(ticket, correction, config, now)
        ticket_store.change(conn, ticket_id, values, now=now, action="correct", actor=actor,
                            data=data)
        text = f"{mention['title']}\n{mention['text']}" if mention["title"] else mention["text"]
        correction_store.add(conn, {
            "ticket_id": ticket_id, "mention_id": ticket.mention_id, "source": ticket.source,
            "platform": ticket.platform, "text": text,
            "complaint": not correction.not_complaint, "category": correction.category,
            "level": correction.level, "scored_category": ticket.category,
            "scored_level": ticket.level, "probability": mention["probability"], "by": actor,
            "at": now,
        })
        after = ticket_store.get(conn, ticket_id)
    assert after is not None
    return after


def _changes(ticket: Ticket, correction: Correction, config: Config, now: datetime
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    if correction.not_complaint:
        return ({"status": TicketStatus.FALSE_POSITIVE, "closed_at": now},
                {"complaint": False, "from": ticket.status,
                 "to": TicketStatus.FALSE_POSITIVE.value})
    values: dict[str, Any] = {}
    data: dict[str, Any] = {"complaint": True}
    if correction.category and correction.category != ticket.category:
        values |= {"category": correction.category,
                   "department": CATEGORIES[correction.category]}
        data["category"] = [ticket.category, correction.category]
    if correction.level is not None and correction.level != ticket.level:
        values["level"] = correction.level
        if ticket.status in AWAITING_RESPONSE:
            values["deadline"] = TicketPolicy.from_config(config).deadline(
                correction.level, ticket.created_at)
        data["level"] = [ticket.level, correction.level]
    return values, data
