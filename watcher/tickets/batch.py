"""What one intake batch does to tickets, gathered so that each kind of write is one statement
for the whole batch: history events and alert rows are written when the batch ends, the open
incidents and the authors' earlier tickets are read once for it. With the incident window
(window.py) this makes a ticket cost the same whatever the size of the sweep."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.store import incidents as incident_store
from watcher.store import outbox
from watcher.store import tickets as ticket_store
from watcher.store.tickets import SYSTEM_ACTOR
from watcher.tickets.window import IncidentWindow, similar

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store


class TicketBatch:
    """One batch's ticket writes in `conn` at `now`: `flush()` before the transaction ends."""

    def __init__(self, store: Store, conn: Connection, config: Config, now: datetime,
                 window: IncidentWindow, authors: Iterable[tuple[str, str]] = ()) -> None:
        self.store, self.conn, self.config, self.now = store, conn, config, now
        self.window = window.at(conn, now)
        self.events: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.joined: dict[int, list[int]] = {}  # incident -> tickets that joined it
        self._open: dict[str, list[tuple[int, frozenset[str]]]] = {}  # category -> incidents
        self._authors = sorted(set(authors))
        self._repeats: dict[tuple[str, str], int] | None = None  # (platform, author) -> ticket

    def event(self, ticket_id: int, action: str, data: dict[str, Any] | None = None,
              note: str | None = None) -> None:
        self.events.append({"ticket_id": ticket_id, "at": self.now, "actor": SYSTEM_ACTOR,
                            "action": action, "note": note, "data": data})

    def open_incident(self, category: str, words: frozenset[str]) -> int | None:
        """The first open incident of `category` that grew within the window and whose words
        these are similar to (read once per batch and category)."""
        if category not in self._open:
            self._open[category] = [
                (row["id"], frozenset(row["keywords"])) for row in incident_store.open_since(
                    self.conn, category, self.now - self.window.span)]
        return next((incident for incident, keywords in self._open[category]
                     if similar(words, keywords)), None)

    def incident_made(self, incident_id: int, category: str, keywords: list[str]) -> None:
        self._open.setdefault(category, []).append((incident_id, frozenset(keywords)))

    def repeat_of(self, platform: str, author: str | None) -> int | None:
        """The ticket a complaint by `author` repeats: the latest made in this batch, else the
        one the store has (`tickets.for_repeat`, read once for every author of the batch)."""
        if not author:
            return None
        if self._repeats is None:
            self._repeats = {}
            since = self.now - self.config.tickets.repeat_window
            for name in sorted({p for p, _ in self._authors}):
                found = ticket_store.for_repeat_many(
                    self.conn, platform=name, since=since,
                    authors=[a for p, a in self._authors if p == name])
                self._repeats.update({(name, a): t for a, t in found.items()})
        return self._repeats.get((platform, author))

    def ticket_made(self, platform: str, author: str | None, ticket_id: int) -> None:
        if author:
            self.repeat_of(platform, author)  # the store's first, so this one stays the latest
            assert self._repeats is not None
            self._repeats[(platform, author)] = ticket_id

    def flush(self) -> None:
        """Writes what the batch gathered: events, alert rows, the incidents' new members
        (`incidents.flush_updates` tells of them)."""
        ticket_store.add_events(self.conn, self.events)
        outbox.insert_rows(self.store, self.conn, self.alerts)
        self.events, self.alerts = [], []
        for incident_id, joined in sorted(self.joined.items()):
            incident_store.grew(self.conn, incident_id, self.now, len(joined))
