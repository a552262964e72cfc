"""`watcher run`: APScheduler drives every source on its schedules (each slot claimed in the
store, so replicas share the work), the dispatcher sends alerts throughout, an SLA pass runs
every minute, each period's complaint report goes out when due, and the web server answers
/healthz and /metrics; at night, when staff corrected the scorer since the last fit, one replica
fits the deployment's adjustment (watcher.tickets.learning). SIGTERM lets the work in hand
finish and exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from watcher.config import Config, SourceConfig
from watcher.http.client import HttpClient
from watcher.intake.pipeline import Pipeline
from watcher.reporting.sending import send_due
from watcher.runtime import schedule
from watcher.runtime.dispatch import dispatch_for
from watcher.runtime.metrics import Metrics
from watcher.runtime.polling import Poller
from watcher.store import claims
from watcher.store import sources as source_store
from watcher.tickets import learning
from watcher.tickets.sla import sla_pass

if TYPE_CHECKING:
    from watcher.scoring import Scorer
    from watcher.store.db import Store

log = logging.getLogger(__name__)

DISPATCH_EVERY = 5.0  # seconds between outbox passes when nothing wakes the dispatcher sooner
SLA_EVERY = 60  # seconds between SLA passes
REPORTS_EVERY = 60  # seconds between looks for a complaint report that is due
KEEP_CLAIMS = timedelta(days=7)
RETRAIN_EVERY = 600  # seconds between looks for a night's fit of the scorer's adjustment


Serve = Callable[[Config, "Store", Metrics, Callable[[], bool]],
                 Awaitable[Callable[[], Awaitable[None]]]]
"""Starts the web server (`watcher.web.server.serve`) and returns what stops it. Handed in by
the command line, because the runtime sits below the web layer."""


class Daemon:
    def __init__(self, config: Config, store: Store, scorer: Callable[[], Scorer], *,
                 serve: Serve) -> None:
        self.config = config
        self._serve = serve
        self.store = store
        self.scorer = scorer
        self.sources = {s.name: s for s in config.sources if s.enabled}
        self.metrics = Metrics(store)
        self._locks = {name: asyncio.Lock() for name in self.sources}
        # Polls under way at once: twice what the HTTP layer has in flight. Without it every
        # source due at once (a first start with 10,000) claimed its slot and held its fetched
        # page while waiting its turn to be written (bench/, scenario 4).
        self._polls = asyncio.Semaphore(2 * max(1, config.http.concurrency))
        self._running: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._outbox_changed = asyncio.Event()
        self._polls_done = asyncio.Event()  # stopping, and no poll runs any more
        self._scheduler: Any = None

    def alive(self) -> bool:
        return bool(self._scheduler and self._scheduler.running and not self._stop.is_set())

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        stop_web = await self._serve(self.config, self.store, self.metrics, self.alive)
        async with HttpClient(self.config.http) as http:
            pipeline = Pipeline(self.config, self.store, http, self.scorer)
            self.poller = Poller(self.config, self.store, pipeline, self.metrics,
                                 self._outbox_changed.set)
            self._scheduler = self._schedule()
            self._scheduler.start()
            log.info("watching %d sources as %s; %d jobs scheduled", len(self.sources),
                     self.poller.owner, len(self._scheduler.get_jobs()))
            await self._catch_up()
            await self._reports()  # one that fell due while the daemon was down goes now
            dispatcher = asyncio.create_task(self._dispatch_loop())
            await self._stop.wait()
            log.info("stopping: letting %d running sweeps finish", len(self._running))
            self._scheduler.shutdown(wait=False)
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            self._polls_done.set()
            self._outbox_changed.set()
            await dispatcher
        await stop_web()
        log.info("stopped")

    def _schedule(self) -> Any:
        scheduler = AsyncIOScheduler(timezone=self.config.tz)
        for source in self.sources.values():
            for suffix, trigger in schedule.triggers(source, self.config.tz).items():
                scheduler.add_job(self._scheduled, trigger, args=[source.name],
                                  id=f"{source.name}:{suffix}", max_instances=1, coalesce=True,
                                  misfire_grace_time=300)
        lease = self.config.schedule.claim_lease.total_seconds()
        jobs: list[tuple[Callable[[], Any], float, str]] = [
            (self._sla, SLA_EVERY, "sla"),
            (self._reports, REPORTS_EVERY, "reports"),
            (self._retrain, RETRAIN_EVERY, "retrain"),
            (self._take_over, max(1.0, lease / 2), "take-over"),
            (self._forget_claims, 3600, "forget-claims"),
        ]
        for job, seconds, name in jobs:
            scheduler.add_job(job, "interval", seconds=seconds, id=name, max_instances=1,
                              coalesce=True)
        return scheduler

    async def _catch_up(self) -> None:
        """Polls, now, each source never swept or whose last slot passed without a run; the
        slot is claimed like any other, so of several replicas starting together one polls."""
        with self.store.engine.connect() as conn:
            states = source_store.all_states(conn)
        now = datetime.now(UTC)
        for name, source in self.sources.items():
            last = states[name].last_run_at if name in states else None
            slot = schedule.last_due_slot(source, self.config.tz, now)
            if slot is not None and schedule.needs_catch_up(source, self.config.tz, now, last):
                log.info("source %s: %s, sweeping now", name,
                         "never swept" if last is None else "missed its last slot")
                self._start_poll(source, slot)

    async def _scheduled(self, name: str) -> None:
        source = self.sources[name]
        slot = schedule.last_due_slot(source, self.config.tz, datetime.now(UTC))
        task = self._start_poll(source, slot) if slot else None
        if task is None:
            return
        try:
            # Shielded: the scheduler's shutdown cancels its running jobs, and a poll in hand
            # has claimed its slot and must finish; run() waits for it with the others.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not self._stop.is_set():
                raise

    async def _take_over(self) -> None:
        """Polls the slots whose claims a dead replica left behind."""
        for name, slot in await asyncio.to_thread(claims.abandoned, self.store, datetime.now(UTC)):
            if name in self.sources:
                log.info("source %s: taking over slot %s from a replica that stopped", name,
                         slot.isoformat())
                self._start_poll(self.sources[name], slot)

    async def _forget_claims(self) -> None:
        await asyncio.to_thread(claims.forget_before, self.store, datetime.now(UTC) - KEEP_CLAIMS)

    def _start_poll(self, source: SourceConfig, slot: datetime) -> asyncio.Task[None] | None:
        if self._stop.is_set():
            return None
        if self._locks[source.name].locked():
            log.info("source %s: previous run still going, skipping this slot", source.name)
            return None
        task = asyncio.create_task(self._poll(source, slot))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _poll(self, source: SourceConfig, slot: datetime) -> None:
        async with self._locks[source.name], self._polls:
            try:
                await self.poller.poll(source, slot)
            except Exception:  # the store failing mid-poll: logged; the slot's lease expires
                log.exception("source %s: poll failed", source.name)

    async def _sla(self) -> None:
        try:
            report = await asyncio.to_thread(sla_pass, self.store, self.config, datetime.now(UTC))
        except Exception:  # one failed pass must not end the daemon; the next one retries
            log.exception("SLA pass failed")
            return
        if (report.reminded or report.escalated or report.progress or report.followup_reminded
                or report.followup_escalated):
            log.info("SLA: reminded %d, escalated %d, progress reminders %d, follow-ups reminded "
                     "%d and escalated %d", report.reminded, report.escalated, report.progress,
                     report.followup_reminded, report.followup_escalated)
            self._outbox_changed.set()

    async def _reports(self) -> None:
        """Queues each period's complaint report once it is due, once over all replicas."""
        try:
            sent = await asyncio.to_thread(send_due, self.store, self.config, datetime.now(UTC),
                                           by=self.poller.owner)
        except Exception:  # the next look retries; nothing was claimed
            log.exception("complaint report failed")
            return
        for period in sent:
            log.info("complaint report %s queued to %d targets", period,
                     len(self.config.reports.to))
        if sent:
            self._outbox_changed.set()

    async def _retrain(self) -> None:
        """At night, when there are new corrections, one replica fits the adjustment."""
        from watcher.scoring.adjust import AdjustedScorer  # the scorer's modules, when needed

        try:
            scorer = self.scorer()
            if not isinstance(scorer, AdjustedScorer):
                return
            fit = await asyncio.to_thread(learning.nightly, self.store, scorer, self.config.tz,
                                          datetime.now(UTC), by=self.poller.owner)
        except Exception:  # tomorrow night tries again
            log.exception("nightly fit of the scorer's adjustment failed")
            return
        if fit is not None and fit.state != "nothing":
            log.info("nightly fit of the scorer's adjustment: %s", fit.note)

    async def _dispatch_loop(self) -> None:
        while True:
            # When stopping, the last pass is one that starts after every poll has finished:
            # a poll let finish may queue its alerts after an earlier pass has begun.
            last = self._polls_done.is_set()
            try:
                self.metrics.observe_dispatch(await dispatch_for(self.config, self.store))
            except Exception:  # the store or a sender misbehaving must not end the daemon
                log.exception("alert dispatch failed; retrying")
            if last:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox_changed.wait(), DISPATCH_EVERY)
            self._outbox_changed.clear()
