"""The ticket domain's plain records, shared by the store and every stage above it: a ticket's
status with the actions that move it (the one table of allowed transitions), and the ticket
row as the store reads it.

A plain shared module: it imports nothing of Watcher's stages.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class TicketStatus(StrEnum):
    """A ticket's status. A StrEnum: the store, the JSON and the command line hold its value
    ("open"), and a value read back compares equal to its member."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


_S = TicketStatus
UNRESOLVED: tuple[TicketStatus, ...] = (_S.OPEN, _S.ACKNOWLEDGED, _S.REOPENED)
AWAITING_RESPONSE: tuple[TicketStatus, ...] = (_S.OPEN, _S.REOPENED)  # no first response yet
DONE: tuple[TicketStatus, ...] = (_S.RESOLVED, _S.CLOSED)  # a repeat complaint reopens these


class Transition(NamedTuple):
    starts: tuple[TicketStatus, ...]  # the statuses the action may start from
    leads_to: TicketStatus | None  # None: the status stays


# What staff may do to a ticket (the command line's and the console's actions), from which
# statuses, and to which status it leads.
TRANSITIONS: dict[str, Transition] = {
    "ack": Transition(AWAITING_RESPONSE, _S.ACKNOWLEDGED),
    "resolve": Transition(UNRESOLVED, _S.RESOLVED),
    "close": Transition((_S.OPEN, _S.ACKNOWLEDGED, _S.RESOLVED, _S.REOPENED), _S.CLOSED),
    "reopen": Transition(DONE, _S.REOPENED),
    "note": Transition((_S.OPEN, _S.ACKNOWLEDGED, _S.RESOLVED, _S.REOPENED), None),
    "assign": Transition(UNRESOLVED, None),
}


def actions_from(status: str) -> list[str]:
    """The actions a ticket in `status` allows, in the table's order."""
    return [action for action, (starts, _) in TRANSITIONS.items() if status in starts]
