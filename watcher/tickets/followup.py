"""The follow-up (回访) after a ticket is resolved: due `[followup] within` later (whole working
days, or a plain duration); the satisfaction score recorded closes the ticket, or, at or below
`low_score`, sends it back: reopened, level 2 at least, due to answer within
`supervisor_within`, and the supervisor told at once. A follow-up not recorded in time is
reminded and escalated by the SLA pass (watcher.tickets.sla)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from alerts.routing import escalation_targets
from watcher.reasons import ReasonCode, reason
from watcher.records import DONE, Ticket, TicketStatus
from watcher.store import followups as followup_store
from watcher.tickets.business_hours import add_workdays, workdays_of
from watcher.tickets.notify import assignee_targets

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.units import Span

SCORES = (1, 2, 3, 4, 5)
SEND_BACK_LEVEL = 2  # a dissatisfied customer is at least an orange ticket (002: 升级主管)
# What a ticket's current follow-up is: none yet, waiting (pending, overdue), done (satisfied,
# unsatisfied), or cancelled (the ticket was reopened before anyone called back).
STATES = ("none", "pending", "overdue", "satisfied", "unsatisfied", "cancelled")


class FollowupError(ValueError):
    """A follow-up that cannot be recorded: no score 1-5, or none is due."""


def after(config: Config, start: datetime, span: Span) -> datetime:
    """`start` plus `span`: whole working days of `[sla.business_hours]`, or a duration."""
    if span.workdays:
        return add_workdays(start, span.workdays, workdays_of(config.sla.business_hours),
                            config.tz)
    return start + span.duration


def schedule(conn: Connection, config: Config, ticket_id: int, now: datetime) -> datetime:
    """A new follow-up for a ticket resolved `now`; returns when it is due."""
    due = after(config, now, config.followup.within)
    followup_store.schedule(conn, ticket_id, resolved_at=now, due_at=due)
    return due


def state(status: str, followup: dict[str, Any] | None, now: datetime, low_score: int) -> str:
    if followup is None:
        return "none"
    if followup["score"] is not None:
        return "unsatisfied" if followup["score"] <= low_score else "satisfied"
    if status not in DONE:
        return "cancelled"
    return "overdue" if followup["due_at"] < now else "pending"


def view(status: str, followup: dict[str, Any] | None, now: datetime, low_score: int,
         tz: tzinfo) -> dict[str, Any]:
    """The follow-up as the tickets' JSON shows it."""
    found = followup or {}

    def local(key: str) -> str | None:
        return found[key].astimezone(tz).isoformat(timespec="seconds") if found.get(key) else None

    return {"state": state(status, followup, now, low_score), "due": local("due_at"),
            "score": found.get("score"), "at": local("done_at"), "by": found.get("actor"),
            "note": found.get("note")}


@dataclass(frozen=True)
class Outcome:
    """What recording a follow-up changes on the ticket, and who is told."""

    values: dict[str, Any]
    data: dict[str, Any]
    targets: list[str]  # empty: nobody (a satisfied customer closes the ticket quietly)


def record(conn: Connection, config: Config, ticket: Ticket, score: int | None, *,
           actor: str, now: datetime, note: str | None) -> Outcome:
    """Records the score on the ticket's current follow-up, in the caller's transaction."""
    if score not in SCORES:
        raise FollowupError("a follow-up needs a satisfaction score from 1 to 5")
    current = followup_store.current(conn, ticket.id)
    if current is None or current["score"] is not None:
        raise FollowupError(f"ticket #{ticket.id} has no follow-up due"
                            + ("; it was followed up already" if current else ""))
    followup_store.record(conn, current["id"], now=now, score=score, actor=actor, note=note)
    data = {"score": score, "from": ticket.status.value, "low_score": config.followup.low_score}
    if score > config.followup.low_score:
        return Outcome({"status": TicketStatus.CLOSED, "closed_at": now},
                       data | {"to": TicketStatus.CLOSED.value}, [])
    level = min(ticket.level, SEND_BACK_LEVEL)
    why = reason(ReasonCode.UNSATISFIED, score=score)
    values = {
        "status": TicketStatus.REOPENED, "level": level,
        "deadline": after(config, now, config.followup.supervisor_within),
        "resolved_at": None, "closed_at": None, "acknowledged_at": None,
        "last_progress_at": now,
        "reasons": list(dict.fromkeys([*ticket.reasons, why])),
    }
    targets = escalation_targets(config.alerts) + assignee_targets(config, ticket)
    return Outcome(values, data | {"to": TicketStatus.REOPENED.value, "level": level},
                   list(dict.fromkeys(targets)))
