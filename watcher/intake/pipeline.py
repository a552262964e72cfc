"""One sweep of one source, end to end: fetch, then intake. A failing source is logged, counted
and recorded in the store; it never stops the others."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from connectors import connector_for
from watcher.config import Config, SourceConfig
from watcher.errors import SourceError, SourceErrorKind
from watcher.intake import health
from watcher.intake.intake import Intake, SourceReport, unchanged
from watcher.model import FetchResult
from watcher.redaction import redact
from watcher.store import sources as source_store
from watcher.store.group_commit import GroupCommit

if TYPE_CHECKING:
    from watcher.http.client import HttpClient
    from watcher.scoring import Scorer
    from watcher.store.db import Store

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def _intake_threads() -> concurrent.futures.ThreadPoolExecutor:
    """Threads of their own for what is new: a source with new complaints does not wait in line
    behind the claims and 304 states of every other source due at the same time, which fill the
    default executor (the time from a complaint to its alert, bench/ scenario 5)."""
    return concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="intake")


class Pipeline:
    def __init__(
        self,
        config: Config,
        store: Store,
        http: HttpClient,
        scorer: Callable[[], Scorer],
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.config = config
        self.store = store
        self.http = http
        self.clock = clock
        self.intake = Intake(config, store, scorer)
        self._cursors: dict[str, dict[str, object]] = {}
        # During sweep(): sources that answered 304, whose states are written together at the end
        self._unchanged: list[tuple[SourceConfig, FetchResult, datetime]] | None = None
        # Otherwise (the daemon's polls, one by one): written together with the other polls'
        # 304s of the moment, on the default executor, never queued on the intake threads
        # ahead of a source with something new
        self._unchanged_writes = GroupCommit(self.intake.take_unchanged)

    async def sweep(self, sources: Sequence[SourceConfig]) -> list[SourceReport]:
        """Sweeps `sources` concurrently (the HTTP layer bounds how many fetch at once). The
        cursors are read in one query first; the states of the sources with nothing new are
        written in one transaction last (a crash before it loses only their `last_run_at`)."""
        self._cursors = await asyncio.to_thread(self._all_cursors)
        self._unchanged = []
        try:
            reports = list(await asyncio.gather(*(self.sweep_source(s) for s in sources)))
            await asyncio.to_thread(self.intake.take_unchanged, self._unchanged)
        finally:
            self._cursors, self._unchanged = {}, None
        return reports

    async def sweep_source(self, source: SourceConfig) -> SourceReport:
        try:
            result = await self._fetch(source)
            if unchanged(result):
                if self._unchanged is not None:
                    self._unchanged.append((source, result, self.clock()))
                else:
                    await self._unchanged_writes((source, result, self.clock()))
                return SourceReport(source.name, warnings=list(result.warnings))
            report = await asyncio.get_running_loop().run_in_executor(
                _intake_threads(), self.intake.take, source, result, self.clock())
        except SourceError as exc:
            return await self._failed(source, redact(str(exc)), exc.kind)
        except Exception as exc:  # a bug in one connector must not stop the sweep
            log.exception("source %s: unexpected error", source.name)
            return await self._failed(source, redact(f"{type(exc).__name__}: {exc}"),
                                      SourceErrorKind.INTERNAL)
        for warning in report.warnings:
            log.warning("source %s: %s", source.name, redact(warning))
        log.info(
            "source %s: fetched %d, new %d, duplicates %d, complaints %d, tickets %d",
            source.name, report.fetched, report.new, report.duplicates, report.complaints,
            report.tickets,
        )
        return report

    async def _fetch(self, source: SourceConfig) -> FetchResult:
        connector = connector_for(source.kind)
        cursor = self._cursors.pop(source.name, None)
        if cursor is None:
            cursor = await asyncio.to_thread(self._cursor, source.name)
        return await connector.fetch(source, cursor, self.http)

    def _all_cursors(self) -> dict[str, dict[str, object]]:
        with self.store.engine.connect() as conn:
            return {name: state.cursor for name, state in source_store.all_states(conn).items()}

    def _cursor(self, name: str) -> dict[str, object]:
        with self.store.engine.connect() as conn:
            return source_store.get(conn, name).cursor

    async def _failed(self, source: SourceConfig, message: str, kind: SourceErrorKind
                      ) -> SourceReport:
        log.error("source %s failed (%s): %s", source.name, kind, message)
        try:
            await asyncio.to_thread(self._record_failure, source.name, message, kind)
        except Exception:  # the store itself is failing; the error is logged, the sweep goes on
            log.exception("source %s: could not record the failure", source.name)
        return SourceReport(source.name, error=message, error_kind=kind)

    def _record_failure(self, name: str, message: str, kind: SourceErrorKind) -> None:
        now = self.clock()
        with self.store.begin() as conn:
            state = source_store.record_failure(self.store, conn, name, now=now, error=message,
                                                kind=kind)
            if health.after_failure(self.store, conn, self.config, state, now):
                log.warning("source %s: %d failures in a row, operators alerted", name,
                            state.errors_in_row)
