"""Group complaints: when `[incidents] min_complaints` similar complaints from different
people arrive within `window`, they become one incident at level 1 with one alert listing them
(told at once); a later similar ticket joins the open incident. The tickets that join within a
minute go out as one incident update per target: each intake batch folds its newcomers into the
update still waiting to be sent, or queues one due a minute after the incident's last message.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from alerts.render import MAX_LISTED, ListedTicket, render_incident, render_incident_update
from alerts.routing import new_ticket_targets, on_duty
from watcher.config.targets import alert_targets
from watcher.reasons import ReasonCode, reason
from watcher.records import Ticket
from watcher.store import incidents as incident_store
from watcher.store import outbox
from watcher.store import tickets as ticket_store
from watcher.tickets.notify import ticket_alert
from watcher.tickets.window import Member

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store
    from watcher.tickets.batch import TicketBatch

UPDATE_EVERY = timedelta(minutes=1)  # at most one message per incident and target this often


def joined_values(values: dict[str, Any], incident_id: int, config: Config,
                  now: datetime) -> dict[str, Any]:
    """A ticket's columns once it is in the incident: level 1 with the `group` risk, the
    incident among its reasons; a deadline only ever moves closer."""
    return values | {
        "incident_id": incident_id, "level": 1,
        "risks": list(dict.fromkeys([*values["risks"], "group"])),
        "reasons": list(dict.fromkeys([*values["reasons"],
                                       reason(ReasonCode.INCIDENT, incident=incident_id)])),
        "deadline": min(values["deadline"], now + config.sla.respond_within[0]),
    }


def absorb(store: Store, conn: Connection, config: Config, ticket: Ticket, now: datetime,
           batch: TicketBatch, words: frozenset[str]) -> bool:
    """Starts an incident with `ticket` and the similar tickets of the window when they are
    enough; True when it did (its alert goes out as the incident's, so the caller sends no
    alert of its own). A ticket similar to an open incident joins it before it is written
    (`TicketBatch.open_incident`, `joined_values`)."""
    window = batch.window
    similar_ones = window.similar_to(ticket, words)
    member = Member(ticket.id, ticket.category, ticket.author, ticket.created_at)
    if len({m.author or f"#{m.id}" for m in [member, *similar_ones]}) \
            < config.incidents.min_complaints:
        window.add(member, words)
        return False
    # The window may hold tickets another replica has put in an incident meanwhile: only those
    # the store says are free make the group.
    free = ticket_store.without_incident(conn, [m.id for m in similar_ones])
    window.remove(m.id for m in similar_ones if m.id not in {t.id for t in free})
    group = [ticket, *free]
    if len({t.author or f"#{t.id}" for t in group}) < config.incidents.min_complaints:
        window.add(member, words)
        return False
    words_of = {t.id: window.words(t.id) for t in free} | {ticket.id: words}
    common = _common_words(words_of, words)
    incident_id = incident_store.create(conn, category=ticket.category, keywords=common,
                                        now=now)
    batch.incident_made(incident_id, ticket.category, common)
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
    """The first members of a new incident take its values (`joined_values`)."""
    incident_store.join(conn, incident_id, [m.id for m in members], now)
    for member in members:
        values = joined_values({"risks": member.risks, "reasons": member.reasons,
                                "deadline": member.deadline}, incident_id, config, now)
        del values["incident_id"]
        ticket_store.change(conn, member.id, values, now=now, action="incident",
                            data={"incident": incident_id, "level": 1})


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
                   targets=_targets(config, now), book=alert_targets(config), title=title,
                   body=body, now=now, level=1)


def flush_updates(store: Store, conn: Connection, config: Config,
                  joined_now: dict[int, list[int]], now: datetime) -> None:
    """Tells each target about the tickets that joined an incident in this batch: folded into
    the incident's update still waiting to be sent, else in a new update sent a minute after
    the incident's last message to that target (at once when that was longer ago). `joined_now`:
    incident -> the tickets that joined it (TicketBatch.joined, after its flush). An update's
    key names the first ticket it lists and how many the incident had before it: what it says
    costs the same however large the incident."""
    for incident_id, joined in sorted(joined_now.items()):
        prefix = f"incident:{incident_id}:"
        total = incident_store.members(conn, incident_id)
        texts: dict[str, tuple[str, str]] = {}  # update key -> title and body
        book = alert_targets(config)
        for target in (book.reference(url) for url in _targets(config, now)):
            waiting = outbox.foldable(conn, prefix + "update:", target, now)
            if waiting:
                title, body = _update_text(conn, waiting[1], total, texts)
                if outbox.fold(conn, waiting[0], title=title, body=body, now=now):
                    continue
            # none waiting, or a dispatcher took it meanwhile: the newcomers go in a new one
            last = outbox.last_told(conn, prefix, target)
            key = f"{prefix}update:{min(joined)}:{total - len(joined)}"
            title, body = _update_text(conn, key, total, texts)
            outbox.enqueue_references(store, conn, alert_key=key, references=[target],
                                      title=title, body=body, now=now, level=1,
                                      due=max(now, last + UPDATE_EVERY) if last else now)


def _update_text(conn: Connection, key: str, total: int,
                 texts: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The update of key `incident:ID:update:FIRST:BEFORE`: the incident's tickets from ticket
    FIRST on, the incident having had BEFORE (kept in `texts`)."""
    if key not in texts:
        parts = key.split(":")
        incident_id, first, before = int(parts[1]), int(parts[3]), int(parts[4])
        listed = [ListedTicket(*row) for row in ticket_store.incident_listing(
            conn, incident_id, MAX_LISTED, from_id=first)]
        texts[key] = render_incident_update(incident_id, listed, total - before, total)
    return texts[key]
