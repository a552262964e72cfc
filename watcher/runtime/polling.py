"""Polling one source for one scheduled slot, on any number of replicas: the slot is claimed in
the store first, so exactly one replica polls it; the claim's lease is renewed while the poll
runs, and a replica that dies leaves a claim that expires and is taken over. Claims, renewals
and finishes of the polls under way go to the store together (watcher.store.group_commit)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from watcher.runtime import schedule
from watcher.store import claims
from watcher.store.group_commit import GroupCommit

if TYPE_CHECKING:
    from watcher.config import Config, SourceConfig
    from watcher.intake.pipeline import Pipeline
    from watcher.runtime.metrics import Metrics
    from watcher.store.db import Store

log = logging.getLogger(__name__)


def replica_name() -> str:
    """Unique per process: host, pid and a random part (pids repeat across containers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Poller:
    def __init__(self, config: Config, store: Store, pipeline: Pipeline, metrics: Metrics,
                 on_tickets: Callable[[], None]) -> None:
        self.config, self.store, self.pipeline = config, store, pipeline
        self.metrics, self.on_tickets = metrics, on_tickets
        self.owner = replica_name()
        self.lease = config.schedule.claim_lease
        self._held: set[tuple[str, datetime]] = set()  # (source, slot) claimed, polling
        self._renewer: asyncio.Task[None] | None = None
        self._claim = GroupCommit(lambda keys: claims.claim_many(
            self.store, keys, self.owner, datetime.now(UTC), self.lease))
        self._finish = GroupCommit(lambda keys: claims.finish_many(
            self.store, keys, self.owner, datetime.now(UTC)))

    async def poll(self, source: SourceConfig, slot: datetime) -> bool:
        """Polls `source` for `slot` unless another replica has (or holds) it."""
        if not await self._claim((source.name, slot)):
            log.debug("source %s: slot %s is another replica's", source.name, slot.isoformat())
            return False
        self._held.add((source.name, slot))
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew())
        started = time.monotonic()
        try:
            report = await self.pipeline.sweep_source(source)
        finally:
            self._held.discard((source.name, slot))
        if report.tickets:  # the dispatcher first: its alerts need not wait for the claim
            self.on_tickets()
        self.metrics.observe_sweep(report, time.monotonic() - started)
        await self._finish((source.name, slot))
        if report.error:
            self._tell_next(source)
        return True

    def _tell_next(self, source: SourceConfig) -> None:
        """After a failed sweep, when the source is tried again (its next scheduled slot)."""
        upcoming = schedule.next_slot(source, self.config.tz, datetime.now(UTC))
        when = upcoming.astimezone(self.config.tz).strftime("%Y-%m-%d %H:%M") if upcoming else None
        log.warning("source %s: next sweep at %s", source.name, when or "no time scheduled")

    async def _renew(self) -> None:
        """Renews every claim in hand, in one statement, every third of the lease while there
        are any: a sweep of 10,000 sources waiting their turn costs one write, not 10,000."""
        every = self.lease.total_seconds() / 3
        while self._held:
            await asyncio.sleep(every)
            if not self._held:
                return
            until, held = datetime.now(UTC) + self.lease, set(self._held)
            try:
                kept = await asyncio.to_thread(claims.renew_all, self.store, self.owner, until)
            except Exception:  # the store hiccuped; the next renewal tries again
                log.exception("could not renew the slot claims")
                continue
            # (claims made or finished while the renewal ran are not in question)
            for name, slot in sorted((held & self._held) - kept):
                log.warning("source %s: slot %s was taken over by another replica", name,
                            slot.isoformat())
                self._held.discard((name, slot))
