"""How similar complaints were solved (001 知识库与案例库): the resolved tickets whose text is
most like a ticket's, those of its own category first, with how each was resolved and how
satisfied its customer was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from watcher.records import Ticket
from watcher.store import followups as followup_store
from watcher.store import reports
from watcher.tickets.window import keywords

if TYPE_CHECKING:
    from sqlalchemy import Connection

SHOWN = 3
# The latest resolved tickets compared, per group (same category, then the others): bounds what
# one ticket page costs however long the store's history grows.
CANDIDATES = 500
MIN_SHARED = 2  # keywords (character pairs, words) two texts share before they count as similar


def similarity(own: frozenset[str], other: frozenset[str]) -> float:
    """The share of their keywords two texts have in common (Jaccard), 0 below MIN_SHARED."""
    shared = len(own & other)
    return shared / len(own | other) if shared >= MIN_SHARED else 0.0


@dataclass(frozen=True)
class Case:
    """A resolved ticket like the one at hand: how alike, how it was solved, how it went."""

    ticket: Ticket
    similarity: float
    resolution: str | None  # the note written when it was resolved
    satisfaction: int | None  # its follow-up's score


def similar_resolved(conn: Connection, ticket: Ticket, limit: int = SHOWN,
                     candidates: int = CANDIDATES) -> list[Case]:
    """Up to `limit` resolved tickets like `ticket`, those of its category first."""
    own = keywords(ticket.text)
    found: list[tuple[float, Ticket]] = []
    for same in (True, False):
        rows = reports.resolved_recent(conn, ticket.category, same=same, exclude=ticket.id,
                                       limit=candidates)
        scored = [(similarity(own, keywords(row.text)), row) for row in rows]
        ranked = sorted((pair for pair in scored if pair[0] > 0), key=lambda p: -p[0])
        found += ranked[:limit - len(found)]
        if len(found) >= limit:
            break
    ids = [row.id for _, row in found]
    notes = reports.resolution_notes(conn, ids)
    followups = followup_store.current_for(conn, ids)
    return [Case(row, score, notes.get(row.id), (followups.get(row.id) or {}).get("score"))
            for score, row in found]
