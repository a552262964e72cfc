"""What staff do to a ticket: acknowledge, note, assign, resolve, close, reopen, and record the
follow-up after resolving. Each change is one history event with who did it, when and an
optional note. Acknowledging a ticket nobody has assigns it to whoever acknowledged it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.errors import TicketActionError
from watcher.records import DONE, TRANSITIONS, Ticket
from watcher.store import tickets as ticket_store
from watcher.tickets import followup
from watcher.tickets.notify import assignee_targets, queue_ticket_alert
from watcher.tickets.policy import TicketPolicy

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store


def apply(store: Store, config: Config, ticket_id: int, action: str, *, actor: str,
          now: datetime, note: str | None = None, assignee: str | None = None,
          score: int | None = None) -> Ticket:
    """Applies `action` in one transaction; returns the ticket as it is afterwards."""
    allowed, target = TRANSITIONS[action]
    with store.begin() as conn:
        ticket = ticket_store.get_for_update(conn, ticket_id)
        if ticket is None:
            raise TicketActionError(f"no ticket #{ticket_id}")
        if ticket.status not in allowed:
            raise TicketActionError(_refusal(ticket_id, ticket.status, action))
        if action == "note" and not (note and note.strip()):
            raise TicketActionError("a note needs some text")
        if action == "followup":
            return _record_followup(store, conn, config, ticket, score, actor=actor, now=now,
                                    note=note)
        values = _values(action, ticket, config, now, assignee)
        if target:
            values["status"] = target
        data: dict[str, Any] | None = {"from": ticket.status, "to": target} if target else None
        if action == "ack":
            data = (data or {}) | {"sla_met": now <= ticket.deadline}
            if not ticket.assignee:  # whoever answers a ticket nobody has takes it
                values["assignee"] = actor
                data["assignee"] = actor
        if action == "assign":
            data = {"from": ticket.assignee, "to": assignee}
        if action == "resolve":
            due = followup.schedule(conn, config, ticket_id, now)
            data = (data or {}) | {"followup_due": due.isoformat()}
        ticket_store.change(conn, ticket_id, values, now=now, action=action, actor=actor,
                            note=note, data=data)
        after = ticket_store.get(conn, ticket_id)
        assert after is not None
        if action in ("assign", "reopen"):
            kind = "assigned" if action == "assign" else "reopened"
            key = f"{kind}:{now.isoformat()}"
            queue_ticket_alert(store, conn, config, after, kind=kind, key=key,
                               targets=assignee_targets(config, after), now=now)
    return after


def _record_followup(store: Store, conn: Connection, config: Config, ticket: Ticket,
                     score: int | None, *, actor: str, now: datetime, note: str | None) -> Ticket:
    try:
        outcome = followup.record(conn, config, ticket, score, actor=actor, now=now, note=note)
    except followup.FollowupError as exc:
        raise TicketActionError(str(exc)) from None
    ticket_store.change(conn, ticket.id, outcome.values, now=now, action="followup",
                        actor=actor, note=note, data=outcome.data)
    after = ticket_store.get(conn, ticket.id)
    assert after is not None
    if outcome.targets:
        queue_ticket_alert(store, conn, config, after, kind="unsatisfied",
                           key=f"unsatisfied:{now.isoformat()}", targets=outcome.targets,
                           now=now, detail=note)
    return after


def _values(action: str, ticket: Ticket, config: Config, now: datetime,
            assignee: str | None) -> dict[str, Any]:
    if action == "ack":
        return {"acknowledged_at": now, "last_progress_at": now}
    if action == "note":
        return {"last_progress_at": now}
    # Resolving or closing a ticket nobody acknowledged is its first response too.
    responded = {} if ticket.acknowledged_at else {"acknowledged_at": now}
    if action == "resolve":
        return {"resolved_at": now, "last_progress_at": now} | responded
    if action == "close":
        return {"closed_at": now} | responded
    if action == "reopen":
        deadline = TicketPolicy.from_config(config).deadline(ticket.level, now)
        return {"resolved_at": None, "closed_at": None, "acknowledged_at": None,
                "deadline": deadline, "last_progress_at": now}
    if action == "assign":
        if not (assignee and assignee.strip()):
            raise TicketActionError("assign needs a name")
        return {"assignee": assignee.strip()}
    raise ValueError(action)


def _refusal(ticket_id: int, status: str, action: str) -> str:
    hint = "; reopen it first" if status in DONE else ""
    if action == "followup":
        hint = "; a follow-up comes after resolving"
    return f"ticket #{ticket_id} is {status}: cannot {action} it{hint}"
