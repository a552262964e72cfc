"""What each page and its API twin show, gathered from the store in one go (run in a thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from watcher.config import Config, SourceConfig
from watcher.records import UNRESOLVED, TicketStatus, actions_from
from watcher.runtime import schedule
from watcher.scoring import CATEGORIES
from watcher.store import followups as followup_store
from watcher.store import incidents as incident_store
from watcher.store import mentions as mention_store
from watcher.store import reports
from watcher.store import sources as source_store
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.store.reports import QueueFilter
from watcher.tickets.learning import WeekPrecision, precision_by_week
from watcher.tickets.replies import suggested_reply
from watcher.tickets.similar import similar_resolved

# The queue's status filter: the unresolved first, as staff work through them.
STATUS_CHOICES = (*UNRESOLVED, TicketStatus.RESOLVED, TicketStatus.CLOSED,
                  TicketStatus.FALSE_POSITIVE)


def queue(store: Store, wanted: QueueFilter, now: datetime, user: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        tickets = reports.queue(conn, wanted)
        return {"tickets": tickets,
                "followups": followup_store.current_for(conn, [t.id for t in tickets]),
                "counts": reports.queue_counts(conn, now, user),
                "platforms": reports.ticket_platforms(conn),
                "assignees": reports.assignees(conn)}


def ticket(store: Store, config: Config, ticket_id: int) -> dict[str, Any] | None:
    """The ticket with its mention's score, linked repeats and reposts, incident and history."""
    with store.engine.connect() as conn:
        row = ticket_store.get(conn, ticket_id)
        if row is None:
            return None
        incident = incident_store.get(conn, row.incident_id) if row.incident_id else None
        return {
            "ticket": row,
            "mention": mention_store.by_ids(conn, [row.mention_id])[row.mention_id],
            "history": ticket_store.events(conn, ticket_id),
            "linked": ticket_store.linked_mentions(conn, ticket_id),
            "reposts": reports.reposts(conn, row.mention_id),
            "incident": incident,
            "incident_tickets": ticket_store.in_incident(conn, incident["id"]) if incident else [],
            "followup": followup_store.current(conn, ticket_id),
            "reply": suggested_reply(config, row),
            "similar": similar_resolved(conn, row),
            "actions": actions_from(row.status),
            "categories": list(CATEGORIES),
            "people": people(config, row.assignee),
        }


def people(config: Config, current: str | None = None) -> list[str]:
    """Whom a ticket may be assigned to in the console: the duty roster's people and the
    console's users who may act (not viewers), with the ticket's `current` assignee."""
    names = [s.name for s in config.duty.shifts]
    names += [u.name for u in config.web.users if u.role != "viewer"]
    return sorted(set(names + ([current] if current else [])))


@dataclass
class SourceRow:
    config: SourceConfig
    state: source_store.SourceState
    stored: int  # mentions kept from this source
    next_run: datetime | None
    health: str  # ok | failing | broken (alert_after failures in a row) | never | disabled


def sources(store: Store, config: Config, now: datetime) -> list[SourceRow]:
    with store.engine.connect() as conn:
        states = source_store.all_states(conn)
        stored = reports.mention_counts(conn)
    rows = []
    for source in config.sources:
        state = states.get(source.name) or source_store.SourceState(name=source.name)
        upcoming = schedule.next_slot(source, config.tz, now) if source.enabled else None
        rows.append(SourceRow(source, state, stored.get(source.name, 0), upcoming,
                              _health(source, state, config.health.alert_after)))
    return rows


def _health(source: SourceConfig, state: source_store.SourceState, alert_after: int) -> str:
    if not source.enabled:
        return "disabled"
    if state.last_run_at is None:
        return "never"
    if state.errors_in_row >= alert_after:
        return "broken"
    return "failing" if state.errors_in_row else "ok"


@dataclass
class Dashboard:
    daily: reports.Daily
    sla: dict[int, reports.SlaOutcome]
    month: list[reports.CategoryShare]
    month_start: datetime
    flag_share: float  # [reports] flag_share: the monthly review looks into categories above
    totals: dict[str, int] = field(default_factory=dict)
    precision: list[WeekPrecision] = field(default_factory=list)  # by source and week


def dashboard(store: Store, config: Config, now: datetime, days: int = 30) -> Dashboard:
    local = now.astimezone(config.tz)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with store.engine.connect() as conn:
        daily = reports.daily(conn, config.tz, now, days)
        sla = reports.sla_by_level(conn, daily_start(daily, config.tz), now)
        month = reports.category_shares(conn, month_start, now)
    totals = {
        "mentions": sum(map(sum, daily.mentions_by_platform.values())),
        "complaints": sum(map(sum, daily.complaints_by_category.values())),
        "tickets": sum(o.met + o.missed + o.pending for o in sla.values()),
        "met": sum(o.met for o in sla.values()),
        "missed": sum(o.missed for o in sla.values()),
    }
    return Dashboard(daily, sla, month, month_start, config.reports.flag_share, totals,
                     precision_by_week(store, config.tz, now))


def daily_start(daily: reports.Daily, tz: ZoneInfo) -> datetime:
    return datetime.combine(daily.days[0], datetime.min.time(), tzinfo=tz)
