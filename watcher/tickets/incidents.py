"""Group complaints: when `[incidents] min_complaints` similar complaints from different
people arrive within `window`, they become one incident at level 1 with one alert listing them;
a later similar ticket joins the open incident and goes out as an incident update."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from alerts.render import MAX_LISTED, render_incident
from alerts.routing import new_ticket_targets, on_duty
from watcher.config.targets import alert_targets
from watcher.reasons import ReasonCode, reason
from watcher.records import Ticket
from watcher.store import incidents as incident_store
from watcher.store import outbox
from watcher.store import tickets as ticket_store
from watcher.text import normalize
from watcher.tickets.notify import ticket_alert

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store

SHARED_KEYWORDS = 3  # bigrams two complaints of one category must share to count as similar
SHARED_SHARE = 0.3  # ... and at least this share of the shorter complaint's keywords
NEAR_DUPLICATE = 0.5  # Jaccard similarity of keyword sets that counts whatever the category
COMMON_KEYWORD = 200  # recent tickets sharing a keyword beyond which it is left out
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]{3,}")
# Bigrams every complaint has; sharing them says nothing about sharing a cause.
STOP_BIGRAMS = frozenset(
    """
    我们 你们 他们 一个 没有 什么 这个 那个 就是 不是 还是 可以 但是 因为 所以 已经 自己 现在
    怎么 今天 时候 真的 非常 而且 然后 如果 这样 感觉 知道 还有 一下 一直 东西 问题 客服 投诉
    商家 购买 买的 了一 的时 是不 不会 不能 都是 也是 还要 太差 差评 完全
    """.split()
)


def keywords(text: str) -> frozenset[str]:
    """Chinese character bigrams and Latin words of the normalized text, common ones left out."""
    norm = normalize(text, keep_breaks=True)
    grams = {run[i:i + 2] for run in _CJK_RUN.findall(norm) for i in range(len(run) - 1)}
    grams.update(_LATIN_WORD.findall(norm))
    return frozenset(grams - STOP_BIGRAMS)


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two complaints of the same category are similar when they share enough keywords, or when
    they are near duplicates of each other."""
    return _similar(len(a & b), len(a), len(b))


def _similar(shared: int, size_a: int, size_b: int) -> bool:
    union = size_a + size_b - shared or 1
    if shared / union >= NEAR_DUPLICATE:
        return True
    # Long reviews share a few common pairs by chance; what they share must also be a good part
    # of the shorter one.
    return shared >= SHARED_KEYWORDS and shared >= SHARED_SHARE * min(size_a, size_b)


class Complaint(Protocol):
    """What the window reads of a ticket."""

    @property
    def id(self) -> int: ...

    @property
    def category(self) -> str: ...

    @property
    def text(self) -> str: ...


C = TypeVar("C", bound=Complaint)


class Window(Generic[C]):
    """The recent tickets not yet in an incident, with an index from keyword to ticket, so a new
    ticket finds the similar ones in time proportional to what it shares, not to how many
    tickets the window holds. Built once per intake batch and kept up to date through it."""

    def __init__(self, rows: list[C]) -> None:
        self._rows: dict[int, tuple[C, frozenset[str]]] = {}
        self._postings: dict[tuple[str, str], set[int]] = {}
        self.extend(rows)

    def extend(self, rows: list[C]) -> None:
        for row in rows:
            self.add(row)

    def add(self, ticket: C, words: frozenset[str] | None = None) -> None:
        words = words if words is not None else keywords(ticket.text)
        self._rows[ticket.id] = (ticket, words)
        for word in words:
            self._postings.setdefault((ticket.category, word), set()).add(ticket.id)

    def remove(self, ticket_ids: list[int]) -> None:
        for ticket_id in ticket_ids:
            if ticket_id not in self._rows:
                continue
            ticket, words = self._rows.pop(ticket_id)
            for word in words:
                self._postings.get((ticket.category, word), set()).discard(ticket_id)

    def similar_to(self, ticket: Complaint, words: frozenset[str]) -> list[C]:
        postings = (self._postings.get((ticket.category, word), ()) for word in words)
        # A keyword hundreds of recent complaints share says nothing about a common cause, and
        # counting through it would make each new ticket cost as much as the window is long.
        shared = Counter(other for posting in postings if len(posting) <= COMMON_KEYWORD
                         for other in posting)
        return [self._rows[other][0] for other, count in sorted(shared.items())
                if other != ticket.id
                and _similar(count, len(words), len(self._rows[other][1]))]


class LazyWindow:
    """A Window filled one category at a time, when a ticket of it first asks (only tickets of
    one category can be similar): an intake batch that makes no ticket loads nothing, and one
    whose complaints are about logistics does not read the window's product-quality tickets."""

    def __init__(self, conn: Connection, since: datetime) -> None:
        self._conn, self._since = conn, since
        self._window: Window[Ticket] = Window([])
        self._loaded: set[str] = set()

    def get(self, category: str) -> Window[Ticket]:
        if category not in self._loaded:
            self._window.extend(ticket_store.recent_without_incident(self._conn, self._since,
                                                                     category))
            self._loaded.add(category)
        return self._window


def absorb(store: Store, conn: Connection, config: Config, ticket: Ticket,
           now: datetime, lazy: LazyWindow | None = None) -> bool:
    """Joins `ticket` to an incident, or starts one with it; True when its alert went out as the
    incident's (so the caller sends no alert of its own)."""
    window_start = now - config.incidents.window
    own = keywords(ticket.text)
    for incident in incident_store.open_since(conn, ticket.category, window_start):
        if similar(own, frozenset(incident["keywords"])):
            _join(store, conn, config, incident["id"], [ticket], now)
            _alert(store, conn, config, incident["id"], now, joined=ticket.id)
            return True
    window = (lazy or LazyWindow(conn, window_start)).get(ticket.category)
    group = [ticket, *window.similar_to(ticket, own)]
    authors = {t.author or f"#{t.id}" for t in group}
    if len(authors) < config.incidents.min_complaints:
        window.add(ticket, own)
        return False
    incident_id = incident_store.create(conn, category=ticket.category,
                                        keywords=_common_words(group, own), now=now)
    _join(store, conn, config, incident_id, group, now)
    window.remove([t.id for t in group])
    _alert(store, conn, config, incident_id, now, joined=None)
    return True


def _common_words(group: list[Ticket], own: frozenset[str]) -> list[str]:
    """What the incident is about: the words at least two of its first complaints share (a
    later complaint joins when it is similar to these), else the newest one's words."""
    counts = Counter(word for member in group for word in keywords(member.text))
    common = sorted(word for word, count in counts.items() if count >= 2)
    return common or sorted(own)


def _join(store: Store, conn: Connection, config: Config, incident_id: int,
          members: list[Ticket], now: datetime) -> None:
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


def _alert(store: Store, conn: Connection, config: Config, incident_id: int, now: datetime, *,
           joined: int | None) -> None:
    listed = ticket_store.in_incident(conn, incident_id, limit=MAX_LISTED)
    if joined is not None and joined not in {m.id for m in listed}:
        found = ticket_store.get(conn, joined)
        listed += [found] if found else []
    members = [ticket_alert(m, config) for m in listed]
    newcomer = next((m for m in members if m.ticket_id == joined), None)
    total = ticket_store.count_in_incident(conn, incident_id)
    title, body = render_incident(incident_id, members, config.tz, newcomer, total)
    shift = on_duty(config.duty, now, config.tz)
    targets = new_ticket_targets(1, shift.name if shift else None, config.duty, config.alerts)
    key = f"incident:{incident_id}:" + (f"ticket:{joined}" if joined else "new")
    outbox.enqueue(store, conn, alert_key=key, targets=targets, book=alert_targets(config),
                   title=title, body=body, now=now, level=1)
