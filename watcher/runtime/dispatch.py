"""The outbox dispatcher: claims pending alert rows, sends each through `alerts.senders`,
marks it sent or schedules the next try with exponential backoff (capped at 10 minutes).

Storm control: when more than `digest_over` alerts would reach one target within a minute, the
rest are held and go out as one digest that lists each ticket; level 1 is never held back."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from alerts.render import ListedTicket, render_digest
from alerts.senders import SendResult, send
from watcher.config.targets import AlertTargets, alert_targets, place
from watcher.redaction import redact
from watcher.store import outbox
from watcher.store.db import Store

if TYPE_CHECKING:
    from watcher.config import Config

log = logging.getLogger(__name__)

BATCH = 50
FIRST_RETRY = timedelta(seconds=10)
MAX_RETRY = timedelta(minutes=10)
STORM_WINDOW = timedelta(minutes=1)
FAILING_AFTER = 5  # failed attempts to one target before the operators hear of it

Sender = Callable[..., SendResult]
"""send(target, title, body, attachment=None, level=None): alerts.senders.send, or a test's
stand-in."""


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    held: int = 0
    digests: int = 0


@functools.cache
def _threads() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="dispatch")


async def _in_own_threads(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Like asyncio.to_thread, on threads of the dispatcher's own: an alert never waits in line
    behind the store work of a sweep of many sources (which fills the default executor)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_threads(), functools.partial(func, *args, **kwargs))


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 10 s, 20 s, 40 s, ... never more than 10 minutes."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(MAX_RETRY, delay)


def _now() -> datetime:
    return datetime.now(UTC)


class _Storm:
    """Counts what went to each target in the last minute, from the store and this pass."""

    def __init__(self, store: Store, limit: int | None, now: datetime) -> None:
        self.store, self.limit, self.since = store, limit, now - STORM_WINDOW
        self.counts: dict[str, int] = {}

    def holds(self, row: outbox.OutboxRow) -> bool:
        # level 1 is never held back, nor a report (one message a period is no storm)
        if self.limit is None or row.level == 1 or row.attachment:
            return False
        if row.target not in self.counts:
            self.counts[row.target] = outbox.sent_since(self.store, row.target, self.since)
        return self.counts[row.target] >= self.limit

    def count(self, target: str) -> None:
        self.counts[target] = self.counts.get(target, 0) + 1


async def dispatch(
    store: Store,
    *,
    targets: AlertTargets,
    ignore_backoff: bool = False,
    time_limit: float | None = None,
    sender: Sender = send,
    clock: Callable[[], datetime] = _now,
    digest_over: int | None = None,
    operators: Sequence[str] = (),
) -> DispatchReport:
    """Sends every due row once (every pending row with ignore_backoff), within `time_limit`,
    to the URL `targets` holds now for the row's reference. With ignore_backoff, alerts held
    back by storm control go out as digests at once."""
    report = DispatchReport()
    deadline = None if time_limit is None else time.monotonic() + time_limit
    flush_before = clock() if ignore_backoff else clock() - STORM_WINDOW
    report.digests = await _in_own_threads(_make_digests, store, flush_before, clock())
    storm = _Storm(store, digest_over, clock())
    tried: list[int] = []  # with ignore_backoff, a row that fails is not tried again this call
    context = _Pass(store, sender, clock, storm, report, tried, ignore_backoff, deadline,
                    tuple(operators), targets)
    await _send_pending(context)
    if ignore_backoff and report.held:
        report.digests += await _in_own_threads(_make_digests, store, clock(), clock())
        await _send_pending(context)
    return report


def dispatch_for(config: Config, store: Store, **options: Any
                 ) -> Coroutine[Any, Any, DispatchReport]:
    """`dispatch` with storm control and failure reports as the config says."""
    return dispatch(store, targets=alert_targets(config), digest_over=config.alerts.digest_over,
                    operators=config.alerts.operators, **options)


@dataclass
class _Pass:
    store: Store
    sender: Sender
    clock: Callable[[], datetime]
    storm: _Storm
    report: DispatchReport
    tried: list[int]  # with ignore_backoff, a row that fails is not tried again this call
    ignore_backoff: bool
    deadline: float | None
    operators: tuple[str, ...]
    targets: AlertTargets


def _over(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


async def _send_pending(p: _Pass) -> None:
    while not _over(p.deadline):
        claimed_at = time.monotonic()
        rows = await _in_own_threads(outbox.claim, p.store, p.clock(), limit=BATCH,
                                       ignore_backoff=p.ignore_backoff, exclude=p.tried)
        if not rows:
            return
        for index, row in enumerate(rows):
            if _over(p.deadline):
                await _in_own_threads(outbox.release, p.store, [r.id for r in rows[index:]])
                return
            if time.monotonic() - claimed_at > outbox.LEASE.total_seconds() / 2:
                claimed_at = time.monotonic()
                await _in_own_threads(outbox.extend, p.store, [r.id for r in rows[index:]],
                                        p.clock() + outbox.LEASE)
            p.tried.append(row.id)
            if await _in_own_threads(p.storm.holds, row):
                await _in_own_threads(outbox.hold, p.store, row.id, p.clock())
                p.report.held += 1
                continue
            await _deliver(p, row)
            p.storm.count(row.target)


def _shown(reference: str, url: str | None) -> str:
    """A target as logs and operators see it: its place in the config and its masked URL."""
    return f"{place(reference)} ({redact(url.split('?')[0])})" if url else place(reference)


async def _deliver(p: _Pass, row: outbox.OutboxRow) -> None:
    url = p.targets.url(row.target)
    if url is None:  # the config no longer has it: kept, retried, and said why
        result = SendResult(False, f"{place(row.target)} is no longer configured (config.toml "
                                   "changed after the alert was queued); restore it to send it")
    else:
        result = await _in_own_threads(p.sender, url, row.title, row.body,
                                       attachment=row.attachment, level=row.level)
    now = p.clock()
    if result.ok:
        await _in_own_threads(outbox.mark_sent, p.store, row.id, now)
        p.report.sent += 1
        return
    error = result.error or "failed"
    retry_at = now + retry_delay(row.attempts + 1)
    await _in_own_threads(outbox.mark_failed, p.store, row.id, now, error, retry_at)
    log.warning("alert %s to %s failed (attempt %d): %s", row.alert_key,
                _shown(row.target, url), row.attempts + 1, error)
    p.report.failed += 1
    to_operators = url in p.operators or row.target.startswith("alerts.operators[")
    if row.attempts + 1 >= FAILING_AFTER and p.operators and not to_operators:
        await _in_own_threads(_report_failing_target, p.store, row.target, _shown(row.target, url),
                              error, p.targets, p.operators, now)


def _report_failing_target(store: Store, reference: str, shown: str, error: str,
                           book: AlertTargets, operators: Sequence[str], now: datetime) -> None:
    """Tells the operators (at most daily per target) that alerts to a target keep failing."""
    title = f"[告警发送失败] {shown} 连续失败 {FAILING_AFTER} 次以上"
    key = f"target:{outbox.target_key(reference)}:failing:{now.date().isoformat()}"
    with store.begin() as conn:
        outbox.enqueue(store, conn, alert_key=key, targets=list(operators), book=book,
                       title=title, body=f"{title}\n最近错误：{redact(error)}", now=now)


def _make_digests(store: Store, held_before: datetime, now: datetime) -> int:
    """Turns each target's held rows into one digest row queued for sending."""
    made = 0
    for target, rows in outbox.held(store, held_before).items():
        items = [ListedTicket(r["ticket_id"], r["url"], r["text"] or r["title"]) for r in rows]
        title, body = render_digest(items)
        outbox.replace_with_digest(store, target, [r["id"] for r in rows], title=title,
                                   body=body, now=now)
        made += 1
    return made
