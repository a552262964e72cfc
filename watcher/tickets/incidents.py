"""Group complaints: when `[incidents] min_complaints` similar complaints from different
people arrive within `window`, they become one incident at level 1 with one alert listing them
(told at once); a later similar ticket joins the open incident. The tickets that join within a
minute go out as one incident update per target: each intake batch folds its newcomers into the
update still waiting to be sent, or queues one due a minute after the incident's last message.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.render import MAX_LISTED, render_incident, render_incident_update
from alerts.routing import new_ticket_targets, on_duty
from watcher.reasons import ReasonCode, reason
from watcher.records import Ticket
from watcher.store import incidents as incident_store
from watcher.store import outbox
from watcher.store import tickets as ticket_store
from watcher.tickets.notify import ticket_alert
from watcher.tickets.window import IncidentWindow, Member, keywords, similar

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store

UPDATE_EVERY = timedelta(minutes=1)  # at most one message per incident and target this often


def absorb(store: Store, conn: Connection, config: Config, ticket: Ticket, now: datetime,
           window: IncidentWindow, words: frozenset[str] | None = None) -> bool:
    """Joins `ticket` to an incident, or starts one with it; True when its alert goes out as
    the incident's (so the caller sends no alert of its own). A join is told when the batch
    ends (`flush_updates`)."""
    own = words if words is not None else keywords(ticket.text)
    for incident in incident_store.open_since(conn, ticket.category, now - window.span):
        if similar(own, frozenset(incident["keywords"])):
            _join(conn, config, incident["id"], [ticket], now)
            window.joined.setdefault(incident["id"], []).append(ticket.id)
            return True
    similar_ones = window.similar_to(ticket, own)
    member = Member(ticket.id, ticket.category, ticket.author, ticket.created_at)
    if len({m.author or f"#{m.id}" for m in [member, *similar_ones]}) \
            < config.incidents.min_complaints:
        window.add(member, own)
        return False
    # The window may hold tickets another replica has put in an incident meanwhile: only those
    # the store says are free make the group.
    free = ticket_store.without_incident(conn, [m.id for m in similar_ones])
    window.remove(m.id for m in similar_ones if m.id not in {t.id for t in free})
    group = [ticket, *free]
    if len({t.author or f"#{t.id}" for t in group}) < config.incidents.min_complaints:
        window.add(member, own)
        return False
    words_of = {t.id: window.words(t.id) for t in free} | {ticket.id: own}
    incident_id = incident_store.create(conn, category=ticket.category,
                                        keywords=_common_words(words_of, own), now=now)
    _join(conn, config, incident_id, group, now)
    window.remove(t.id for t in group)
    _alert(store, conn, config, incident_id, now)
    return True


def _common_words(words_of: dict[int, frozenset[str]], own: frozenset[str]) -> list[str]:
    """What the incident is about: the words at least two of its first complaints share (a
    later complaint joins when it is similar to these), else the newest one's words."""
    counts = Counter(word for words in words_of.values() for word in words)
    common = sorted(word for word, count in counts.items() if count >= 2)
    return common or sorted(own)


def _join(conn: Connection, config: Config, incident_id: int, members: list[Ticket],
          now: datetime) -> None:
    """Members become level 1 with the `group` risk; a deadline only ever moves closer."""
    incident_store.join(conn, incident_id, [m.id for m in members], now)
    level_one = now + config.sla.respond_within[0]
    for member in members:
        risks = list(dict.fromkeys([*member.risks, "group"]))
        reasons = list(dict.fromkeys([*member.reasons,
                                      reason(ReasonCode.INCIDENT, incident=incident_id)]))
        ticket_store.change(
            conn, member.id,
            {"level": 1, "risks": risks, "reasons": reasons,
             "deadline": min(member.deadline, level_one)},
            now=now, action="incident", data={"incident": incident_id, "level": 1},
        )


def _targets(config: Config, now: datetime) -> list[str]:
    shift = on_duty(config.duty, now, config.tz)
    return new_ticket_targets(1, shift.name if shift else None, config.duty, config.alerts)


def _alert(store: Store, conn: Connection, config: Config, incident_id: int,
           now: datetime) -> None:
    """The new incident, its first MAX_LISTED tickets listed: sent at once."""
    listed = ticket_store.in_incident(conn, incident_id, limit=MAX_LISTED)
    members = [ticket_alert(m, config) for m in listed]
    total = ticket_store.count_in_incident(conn, incident_id)
    title, body = render_incident(incident_id, members, config.tz, None, total)
    outbox.enqueue(store, conn, alert_key=f"incident:{incident_id}:new",
                   targets=_targets(config, now), title=title, body=body, now=now, level=1)


def flush_updates(store: Store, conn: Connection, config: Config, window: IncidentWindow,
                  now: datetime) -> None:
    """Tells each target about the tickets that joined an incident in this batch: folded into
    the incident's update still waiting to be sent, else in a new update sent a minute after
    the incident's last message to that target (at once when that was longer ago)."""
    for incident_id, joined in sorted(window.joined.items()):
        prefix = f"incident:{incident_id}:"
        for target in _targets(config, now):
            waiting = outbox.foldable(conn, prefix + "update:", target, now)
            first = int(waiting[1].rsplit(":", 1)[1]) if waiting else min(joined)
            title, body = _update_text(conn, config, incident_id, first)
            if waiting and outbox.fold(conn, waiting[0], title=title, body=body, now=now):
                continue
            if waiting:  # a dispatcher took it meanwhile: the newcomers go in a new one
                first = min(joined)
                title, body = _update_text(conn, config, incident_id, first)
            last = outbox.last_queued(conn, prefix, target)
            outbox.enqueue(store, conn, alert_key=f"{prefix}update:{first}", targets=[target],
                           title=title, body=body, now=now, level=1,
                           due=max(now, last + UPDATE_EVERY) if last else now)
    window.joined = {}


def _update_text(conn: Connection, config: Config, incident_id: int,
                 first: int) -> tuple[str, str]:
    """The update listing the incident's tickets from ticket `first` on."""
    newcomers = ticket_store.in_incident(conn, incident_id, limit=MAX_LISTED, from_id=first)
    joined = ticket_store.count_in_incident(conn, incident_id, from_id=first)
    total = ticket_store.count_in_incident(conn, incident_id)
    return render_incident_update(incident_id, [ticket_alert(t, config) for t in newcomers],
                                  joined, total)
