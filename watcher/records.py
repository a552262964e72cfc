"""The ticket domain's plain records, shared by the store and every stage above it: a ticket's
status with the actions that move it (the one table of allowed transitions), and the ticket
row as the store reads it.

A plain shared module: it imports nothing of Watcher's stages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from watcher.reasons import Reason


class TicketStatus(StrEnum):
    """A ticket's status. A StrEnum: the store, the JSON and the command line hold its value
    ("open"), and a value read back compares equal to its member."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    FALSE_POSITIVE = "false_positive"  # staff corrected it: not a complaint (closed)


_S = TicketStatus
UNRESOLVED: tuple[TicketStatus, ...] = (_S.OPEN, _S.ACKNOWLEDGED, _S.REOPENED)
AWAITING_RESPONSE: tuple[TicketStatus, ...] = (_S.OPEN, _S.REOPENED)  # no first response yet
DONE: tuple[TicketStatus, ...] = (_S.RESOLVED, _S.CLOSED)  # a repeat complaint reopens these
CORRECTABLE: tuple[TicketStatus, ...] = (*UNRESOLVED, *DONE)  # not once found not a complaint


class Transition(NamedTuple):
    starts: tuple[TicketStatus, ...]  # the statuses the action may start from
    leads_to: TicketStatus | None  # None: the status stays


# What staff may do to a ticket (the command line's and the console's actions), from which
# statuses, and to which status it leads.
TRANSITIONS: dict[str, Transition] = {
    "ack": Transition(AWAITING_RESPONSE, _S.ACKNOWLEDGED),
    "resolve": Transition(UNRESOLVED, _S.RESOLVED),
    "close": Transition((_S.OPEN, _S.ACKNOWLEDGED, _S.RESOLVED, _S.REOPENED), _S.CLOSED),
    "reopen": Transition((*DONE, _S.FALSE_POSITIVE), _S.REOPENED),
    "note": Transition((_S.OPEN, _S.ACKNOWLEDGED, _S.RESOLVED, _S.REOPENED), None),
    "assign": Transition(UNRESOLVED, None),
    # the follow-up's score decides: closed, or reopened to a supervisor (watcher.tickets.followup)
    "followup": Transition(DONE, None),
    # staff correct the scorer: the category or level changes; "not a complaint" closes the
    # ticket as false_positive (watcher.tickets.corrections)
    "correct": Transition(CORRECTABLE, None),
}


def actions_from(status: str) -> list[str]:
    """The actions a ticket in `status` allows, in the table's order."""
    return [action for action, (starts, _) in TRANSITIONS.items() if status in starts]


@dataclass(frozen=True)
class Ticket:
    """A ticket row joined with its mention (`watcher.store.tickets.ticket_query`), as the
    ticket domain, the command line and the console read it. Changes go through the store."""

    id: int
    mention_id: int
    incident_id: int | None
    level: int
    category: str
    department: str
    status: TicketStatus
    assignee: str | None
    deadline: datetime
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_progress_at: datetime | None  # the last note, for the progress reminder
    copies: int  # copies of its mention on other sources, linked to it instead of ticketed
    copies_followers: int  # ... their authors' followers, summed
    copies_engagement: int  # ... their likes, reposts and replies, summed
    reasons: tuple[Reason, ...]
    risks: tuple[str, ...]
    # its mention's
    source: str
    platform: str
    url: str | None
    author: str | None
    title: str | None
    text: str
    mention_created_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Ticket:
        """From a row of the ticket query; columns the record does not name are left out."""
        values = {name: row[name] for name in TICKET_FIELDS}
        values["status"] = TicketStatus(values["status"])
        values["risks"] = tuple(values["risks"] or ())
        values["reasons"] = tuple(values["reasons"] or ())
        return cls(**values)


TICKET_FIELDS = tuple(f.name for f in fields(Ticket))
_TICKET_ID = re.compile(r"[1-9][0-9]{0,17}")  # below 2**63, the store's largest id


def parse_ticket_id(raw: str) -> int | None:
    """The ticket id `raw` names, or None for what cannot be one: too large for the store, a
    sign, a space, digits of another script, `1_0` (all of which int() would take or pass on
    to the database)."""
    return int(raw) if _TICKET_ID.fullmatch(raw) else None
