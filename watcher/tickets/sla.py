"""One SLA pass: reminders for tickets past their response deadline, escalation to the
supervisor `escalate_after` later, progress reminders for open level 1-2 tickets with no
note for `progress_every`, and the same reminder and escalation for a follow-up not recorded by
its due time. Each happens once per breach, whichever replica runs the pass: a
ticket mark decides (watcher.store.tickets.mark_once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from alerts.routing import escalation_targets
from watcher.records import Ticket
from watcher.store import followups as followup_store
from watcher.store import tickets as ticket_store
from watcher.tickets.notify import assignee_targets, queue_ticket_alert
from watcher.tickets.policy import TicketPolicy

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store

PROGRESS_LEVELS = (1, 2)


@dataclass
class SlaReport:
    reminded: int = 0
    escalated: int = 0
    progress: int = 0
    followup_reminded: int = 0
    followup_escalated: int = 0


def sla_pass(store: Store, config: Config, now: datetime) -> SlaReport:
    report = SlaReport()
    policy = TicketPolicy.from_config(config)
    with store.engine.connect() as conn:
        overdue = ticket_store.overdue(conn, now)
        quiet = ticket_store.wanting_progress(conn, PROGRESS_LEVELS,
                                              now - config.sla.progress_every)
        uncalled = followup_store.overdue(conn, now)
    for ticket in overdue:
        breach = ticket.deadline.isoformat()
        report.reminded += _once(store, config, ticket, f"overdue:{breach}", now, _remind)
        if now >= policy.later(ticket.level, ticket.deadline, config.sla.escalate_after):
            report.escalated += _once(store, config, ticket, f"escalated:{breach}", now,
                                      _escalate)
    for ticket in quiet:
        since = (ticket.last_progress_at or ticket.created_at).isoformat()
        report.progress += _once(store, config, ticket, f"progress:{since}", now, _progress)
    for due in uncalled:
        mark = f"followup:{due.followup_id}"
        report.followup_reminded += _once(store, config, due.ticket, mark, now,
                                          _followup_act("followup_due", due.due_at))
        if now >= due.due_at + config.sla.escalate_after:
            report.followup_escalated += _once(
                store, config, due.ticket, f"{mark}:escalated", now,
                _followup_act("followup_escalation", due.due_at))
    return report


Act = Callable[["Store", "Connection", "Config", Ticket, str, datetime], None]


def _once(store: Store, config: Config, ticket: Ticket, mark: str, now: datetime,
          act: Act) -> int:
    """Runs `act` in its own transaction if this pass is the first to claim `mark`."""
    with store.begin() as conn:
        if not ticket_store.mark_once(store, conn, ticket.id, mark, now):
            return 0
        act(store, conn, config, ticket, mark, now)
    return 1


def _remind(store: Store, conn: Connection, config: Config, ticket: Ticket, mark: str,
            now: datetime) -> None:
    targets = assignee_targets(config, ticket)
    queue_ticket_alert(store, conn, config, ticket, kind="overdue", key=mark, targets=targets,
                       now=now)
    ticket_store.add_event(conn, ticket.id, now=now, action="reminded",
                           data={"deadline": ticket.deadline.isoformat(), "to": "assignee"})


def _escalate(store: Store, conn: Connection, config: Config, ticket: Ticket, mark: str,
              now: datetime) -> None:
    queue_ticket_alert(store, conn, config, ticket, kind="escalation", key=mark,
                       targets=escalation_targets(config.alerts), now=now)
    ticket_store.add_event(conn, ticket.id, now=now, action="escalated",
                           data={"deadline": ticket.deadline.isoformat(), "to": "supervisor"})


def _progress(store: Store, conn: Connection, config: Config, ticket: Ticket, mark: str,
              now: datetime) -> None:
    targets = assignee_targets(config, ticket)
    queue_ticket_alert(store, conn, config, ticket, kind="progress", key=mark, targets=targets,
                       now=now)
    ticket_store.add_event(conn, ticket.id, now=now, action="progress_reminder",
                           data={"since": mark.split(":", 1)[1]})


def _followup_act(kind: str, due_at: datetime) -> Act:
    """The reminder to the assignee (`followup_due`) or the escalation to the supervisor
    (`followup_escalation`) of a follow-up not recorded by `due_at`."""
    escalated = kind == "followup_escalation"

    def act(store: Store, conn: Connection, config: Config, ticket: Ticket, mark: str,
            now: datetime) -> None:
        targets = (escalation_targets(config.alerts) if escalated
                   else assignee_targets(config, ticket))
        queue_ticket_alert(store, conn, config, ticket, kind=kind, key=mark, targets=targets,
                           now=now, followup_due=due_at)
        ticket_store.add_event(conn, ticket.id, now=now,
                               action="followup_escalated" if escalated else "followup_reminded",
                               data={"due": due_at.isoformat(),
                                     "to": "supervisor" if escalated else "assignee"})

    return act
