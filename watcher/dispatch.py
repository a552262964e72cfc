"""The outbox dispatcher: claims pending alert rows, sends each through `alerts.senders`,
marks it sent or schedules the next try with exponential backoff (capped at 10 minutes)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alerts.senders import SendResult, send
from watcher.store import outbox
from watcher.store.db import Store

log = logging.getLogger(__name__)

BATCH = 50
FIRST_RETRY = timedelta(seconds=10)
MAX_RETRY = timedelta(minutes=10)

Sender = Callable[[str, str, str], SendResult]


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 10 s, 20 s, 40 s, ... never more than 10 minutes."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))


def _now() -> datetime:
    return datetime.now(UTC)


async def dispatch(
    store: Store,
    *,
    ignore_backoff: bool = False,
    time_limit: float | None = None,
    sender: Sender = send,
    clock: Callable[[], datetime] = _now,
) -> DispatchReport:
    """Sends every due row once (every pending row with ignore_backoff), within `time_limit`."""
    report = DispatchReport()
    started = time.monotonic()
    tried: list[int] = []  # with ignore_backoff, a row that fails is not tried again this call
    while time_limit is None or time.monotonic() - started < time_limit:
        rows = await asyncio.to_thread(
            outbox.claim, store, clock(), limit=BATCH, ignore_backoff=ignore_backoff, exclude=tried
        )
        if not rows:
            break
        for index, row in enumerate(rows):
            if time_limit is not None and time.monotonic() - started >= time_limit:
                await asyncio.to_thread(outbox.release, store, [r.id for r in rows[index:]])
                return report
            tried.append(row.id)
            result = await asyncio.to_thread(sender, row.target, row.title, row.body)
            now = clock()
            if result.ok:
                await asyncio.to_thread(outbox.mark_sent, store, row.id, now)
                report.sent += 1
            else:
                error = result.error or "failed"
                retry_at = now + retry_delay(row.attempts + 1)
                await asyncio.to_thread(outbox.mark_failed, store, row.id, now, error, retry_at)
                log.warning("alert %s to %s failed (attempt %d): %s", row.alert_key,
                            _target_label(row.target), row.attempts + 1, error)
                report.failed += 1
    return report


def _target_label(target: str) -> str:
    from watcher.secrets import redact

    return redact(target.split("?")[0])
