"""`watcher run`: APScheduler drives every source on its schedules; the dispatcher sends alerts
throughout; SIGTERM lets the work in hand finish and exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from watcher import schedule
from watcher.config import Config, SourceConfig
from watcher.dispatch import dispatch_for
from watcher.httpclient import HttpClient
from watcher.pipeline import Pipeline
from watcher.sla import sla_pass
from watcher.store import sources as source_store

if TYPE_CHECKING:
    from watcher.scoring import Scorer
    from watcher.store.db import Store

log = logging.getLogger(__name__)

DISPATCH_EVERY = 5.0  # seconds between outbox passes when nothing wakes the dispatcher sooner
SLA_EVERY = 60  # seconds between SLA passes


class Daemon:
    def __init__(self, config: Config, store: Store, scorer: Callable[[], Scorer]) -> None:
        self.config = config
        self.store = store
        self.scorer = scorer
        self.sources = {s.name: s for s in config.sources if s.enabled}
        self._locks = {name: asyncio.Lock() for name in self.sources}
        self._running: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._outbox_changed = asyncio.Event()

    async def run(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        async with HttpClient(self.config.http) as http:
            self.pipeline = Pipeline(self.config, self.store, http, self.scorer)
            scheduler = AsyncIOScheduler(timezone=self.config.tz)
            for source in self.sources.values():
                for suffix, trigger in schedule.triggers(source, self.config.tz).items():
                    scheduler.add_job(
                        self._scheduled, trigger, args=[source.name], id=f"{source.name}:{suffix}",
                        max_instances=1, coalesce=True, misfire_grace_time=300,
                    )
            scheduler.add_job(self._sla, "interval", seconds=SLA_EVERY, id="sla",
                              max_instances=1, coalesce=True)
            scheduler.start()
            log.info("watching %d sources; %d jobs scheduled", len(self.sources),
                     len(scheduler.get_jobs()))
            await self._catch_up()
            dispatcher = asyncio.create_task(self._dispatch_loop())
            await self._stop.wait()
            log.info("stopping: letting %d running sweeps finish", len(self._running))
            scheduler.shutdown(wait=False)
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            self._outbox_changed.set()
            await dispatcher
        log.info("stopped")

    async def _catch_up(self) -> None:
        """Runs once, now, each source that was never swept or missed its last slot."""
        states = await asyncio.to_thread(self._states)
        now = datetime.now(UTC)
        for name, source in self.sources.items():
            last = states[name].last_run_at if name in states else None
            if schedule.needs_catch_up(source, self.config.tz, now, last):
                log.info("source %s: %s, sweeping now", name,
                         "never swept" if last is None else "missed its last slot")
                self._start_poll(source)

    def _states(self) -> dict[str, source_store.SourceState]:
        with self.store.engine.connect() as conn:
            return source_store.all_states(conn)

    async def _scheduled(self, name: str) -> None:
        task = self._start_poll(self.sources[name])
        if task is not None:
            await task

    def _start_poll(self, source: SourceConfig) -> asyncio.Task[None] | None:
        if self._stop.is_set():
            return None
        if self._locks[source.name].locked():
            log.info("source %s: previous run still going, skipping this slot", source.name)
            return None
        task = asyncio.create_task(self._poll(source))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _poll(self, source: SourceConfig) -> None:
        async with self._locks[source.name]:
            report = await self.pipeline.sweep_source(source)
        if report.tickets:
            self._outbox_changed.set()

    async def _sla(self) -> None:
        try:
            report = await asyncio.to_thread(sla_pass, self.store, self.config, datetime.now(UTC))
        except Exception:  # one failed pass must not end the daemon; the next one retries
            log.exception("SLA pass failed")
            return
        if report.reminded or report.escalated or report.progress:
            log.info("SLA: reminded %d, escalated %d, progress reminders %d", report.reminded,
                     report.escalated, report.progress)
            self._outbox_changed.set()

    async def _dispatch_loop(self) -> None:
        while True:
            try:
                await dispatch_for(self.config, self.store)
            except Exception:  # the store or a sender misbehaving must not end the daemon
                log.exception("alert dispatch failed; retrying")
            if self._stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox_changed.wait(), DISPATCH_EVERY)
            self._outbox_changed.clear()
