"""The incident window: which recent tickets, not yet in an incident, a new complaint is
similar to. Similarity is by keywords (Chinese character pairs and Latin words, common ones left
out); each ticket keeps its keywords in the store, so the window is read, never recomputed.

One `IncidentWindow` lives as long as the intake that owns it: it is read in full once, then
each intake batch reads only the tickets made since it last looked, and the batch's own tickets
are added as they are made. So a ticket costs the same however many came before it in the
sweep. What another replica changes is seen this way too, except a ticket whose transaction
commits after a later one of another writer (PostgreSQL): the window is read in full again
every REFRESH, which catches those up, and an incident is only ever made of tickets the store
says are still free."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from watcher.store import tickets as ticket_store
from watcher.text import normalize

if TYPE_CHECKING:
    from sqlalchemy import Connection

SHARED_KEYWORDS = 3  # bigrams two complaints of one category must share to count as similar
SHARED_SHARE = 0.3  # ... and at least this share of the shorter complaint's keywords
NEAR_DUPLICATE = 0.5  # Jaccard similarity of keyword sets that counts whatever the category
COMMON_KEYWORD = 200  # recent tickets sharing a keyword beyond which it is left out
REFRESH = timedelta(minutes=1)  # the window is read in full again after this
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


C = TypeVar("C", bound=Complaint)


class Window(Generic[C]):
    """Tickets with their keywords and an index from keyword to ticket, so a new ticket finds
    the similar ones in time proportional to what it shares, not to how many tickets the window
    holds."""

    def __init__(self, rows: Iterable[tuple[C, frozenset[str]]] = ()) -> None:
        self._rows: dict[int, tuple[C, frozenset[str]]] = {}
        self._postings: dict[tuple[str, str], set[int]] = {}
        for row, words in rows:
            self.add(row, words)

    def __contains__(self, ticket_id: int) -> bool:
        return ticket_id in self._rows

    def words(self, ticket_id: int) -> frozenset[str]:
        return self._rows[ticket_id][1]

    def add(self, ticket: C, words: frozenset[str]) -> None:
        self.remove([ticket.id])
        self._rows[ticket.id] = (ticket, words)
        for word in words:
            self._postings.setdefault((ticket.category, word), set()).add(ticket.id)

    def remove(self, ticket_ids: Iterable[int]) -> None:
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


@dataclass(frozen=True)
class Member:
    """A ticket as the window holds it."""

    id: int
    category: str
    author: str | None
    created_at: datetime


class IncidentWindow:
    """The window of `span` (`[incidents] window`) kept by one intake across its batches: use
    `at(conn, now)` at the start of each batch's transaction, `invalidate()` when that
    transaction fails (what it added was rolled back)."""

    def __init__(self, span: timedelta) -> None:
        self.span = span
        self._window: Window[Member] = Window()
        self._mark: int | None = None  # the highest ticket id read from the store
        self._loaded_at: datetime | None = None
        self._conn: Connection | None = None
        self._now: datetime | None = None
        self._synced = False

    def at(self, conn: Connection, now: datetime) -> IncidentWindow:
        """The window for a batch written at `now` in `conn` (read when a ticket first asks)."""
        self._conn, self._now, self._synced = conn, now, False
        return self

    def invalidate(self) -> None:
        self._window, self._mark, self._loaded_at = Window(), None, None

    def _sync(self) -> tuple[datetime, Window[Member]]:
        assert self._conn is not None and self._now is not None, "at() first"
        now = self._now
        if not self._synced:
            stale = self._loaded_at is None or not (
                self._loaded_at <= now < self._loaded_at + REFRESH)
            if stale:
                self.invalidate()
                self._loaded_at = now
            since = now - self.span
            for row in ticket_store.window_members(self._conn, since, after=self._mark):
                self._mark = max(self._mark or 0, row.id)
                if row.incident_id is None and row.created_at >= since \
                        and row.id not in self._window:
                    words = frozenset(row.keywords) if row.keywords is not None \
                        else keywords(row.text)
                    self._window.add(Member(row.id, row.category, row.author, row.created_at),
                                     words)
            self._synced = True
        return now - self.span, self._window

    def similar_to(self, ticket: Complaint, words: frozenset[str]) -> list[Member]:
        since, window = self._sync()
        return [m for m in window.similar_to(ticket, words) if m.created_at >= since]

    def words(self, ticket_id: int) -> frozenset[str]:
        return self._sync()[1].words(ticket_id)

    def add(self, member: Member, words: frozenset[str]) -> None:
        self._sync()[1].add(member, words)

    def remove(self, ticket_ids: Iterable[int]) -> None:
        self._sync()[1].remove(ticket_ids)
