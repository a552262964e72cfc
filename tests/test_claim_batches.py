"""The polls under way claim their slots and mark them done together (#15): a slot's polls
starting at once cost one claim statement, not one transaction each queued for SQLite's single
writer; two replicas still poll each slot exactly once; a failed write fails every poll of its
batch and no other; a poll cancelled while it leads a batch leaves the others their answer."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from connectors import connector_for
from watcher.config import parse
from watcher.intake.intake import SourceReport
from watcher.runtime.metrics import Metrics
from watcher.runtime.polling import Poller
from watcher.store.db import Store
from watcher.store.group_commit import GroupCommit
from watcher.store.schema import slot_claims

SLOT = datetime(2026, 11, 23, 2, tzinfo=UTC)


class Counting:
    """A pipeline that counts its sweeps per source."""

    def __init__(self) -> None:
        self.swept: Counter[str] = Counter()

    async def sweep_source(self, source: Any) -> SourceReport:
        self.swept[source.name] += 1
        await asyncio.sleep(0.01)
        return SourceReport(source.name)


def _config(count: int) -> Any:
    return parse({"sources": [{"name": f"feed{i}", "kind": "rss",
                               "url": f"http://127.0.0.1:1/feed{i}"} for i in range(count)]},
                 None, connector_for)


def test_polls_started_together_claim_and_finish_in_few_statements(store: Store) -> None:
    config = _config(40)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        if "slot_claims" in sql and not sql.startswith("SELECT"):
            statements.append(sql.split("(")[0].split(" SET ")[0] + (
                " done_at" if "done_at=" in sql.replace(" ", "") else ""))

    async def run() -> list[bool]:
        poller = Poller(config, store, Counting(), Metrics(store), lambda: None)  # type: ignore[arg-type]
        return await asyncio.gather(*(poller.poll(s, SLOT) for s in config.sources))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        polled = asyncio.run(run())
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert all(polled)
    inserts = [s for s in statements if s.startswith("INSERT")]
    finishes = [s for s in statements if s.endswith("done_at")]
    assert len(inserts) == 1  # 40 polls started in one tick: one claim statement
    assert 1 <= len(finishes) <= 10  # finished as they end, together while one write runs
    with store.engine.connect() as conn:
        done = conn.execute(select(func.count()).select_from(slot_claims)
                            .where(slot_claims.c.done_at.is_not(None))).scalar_one()
    assert done == 40


def test_two_replicas_poll_each_slot_once(store: Store) -> None:
    config = _config(60)
    pipeline = Counting()

    async def run() -> tuple[list[bool], list[bool]]:
        a = Poller(config, store, pipeline, Metrics(store), lambda: None)  # type: ignore[arg-type]
        b = Poller(config, store, pipeline, Metrics(store), lambda: None)  # type: ignore[arg-type]
        # interleaved, each replica in its own order, so their batches overlap
        first = asyncio.gather(*(a.poll(s, SLOT) for s in config.sources))
        second = asyncio.gather(*(b.poll(s, SLOT) for s in reversed(config.sources)))
        return await first, await second

    by_a, by_b = asyncio.run(run())
    assert all(n == 1 for n in pipeline.swept.values()) and len(pipeline.swept) == 60
    assert sum(by_a) + sum(by_b) == 60
    with store.engine.connect() as conn:
        owners = dict(conn.execute(select(slot_claims.c.source, slot_claims.c.owner)).all())
    assert len(owners) == 60 and len(set(owners.values())) <= 2


def test_a_failed_write_fails_its_batch_and_no_other() -> None:
    calls: list[list[str]] = []

    def write(keys: list[str]) -> set[str]:
        calls.append(keys)
        if len(calls) == 1:
            raise OSError("the store went away")
        return {k for k in keys if k != "refused"}

    async def run() -> list[Any]:
        batch = GroupCommit(write)
        first = await asyncio.gather(*(batch(k) for k in ("a", "b", "c")),
                                     return_exceptions=True)
        second = await asyncio.gather(batch("d"), batch("refused"))
        return [*first, *second]

    results = asyncio.run(run())
    assert [type(r) for r in results[:3]] == [OSError] * 3
    assert results[3:] == [True, False]
    assert calls == [["a", "b", "c"], ["d", "refused"]]


def test_a_cancelled_leader_leaves_the_others_their_answer() -> None:
    started = threading.Event()

    def write(keys: list[str]) -> set[str]:
        started.set()
        time.sleep(0.3)
        return set(keys)

    async def run() -> tuple[bool, bool]:
        batch = GroupCommit(write)
        leader = asyncio.create_task(batch("lead"))
        await asyncio.sleep(0)  # the leader holds the turn now
        others = [asyncio.create_task(batch(k)) for k in ("x", "y")]
        while not started.is_set():
            await asyncio.sleep(0.01)
        leader.cancel()  # a stopping daemon cancels it mid-write
        with pytest.raises(asyncio.CancelledError):
            await leader
        x, y = await asyncio.wait_for(asyncio.gather(*others), 5)
        return x, y

    assert asyncio.run(run()) == (True, True)


def test_the_daemons_304s_are_written_together_off_the_intake_threads(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A poll whose source answered 304 writes its state with the other polls' 304s of the
    moment, in one transaction, and never waits on the intake threads, which are kept for
    sources with something new (a complaint's alert waited behind 1,000 304s)."""
    from watcher.intake.pipeline import Pipeline
    from watcher.model import FetchResult
    from watcher.store import sources as source_store

    config = _config(30)
    pipeline = Pipeline(config, store, None, lambda: None)  # type: ignore[arg-type,return-value]

    async def not_modified(source: Any) -> FetchResult:
        return FetchResult([], {"etag": f'"{source.name}"'}, not_modified=True)

    def no_intake(*_: Any) -> None:
        raise AssertionError("a 304 went through the intake threads")

    monkeypatch.setattr(pipeline, "_fetch", not_modified)
    monkeypatch.setattr(pipeline.intake, "take", no_intake)
    commits: list[int] = []

    def commit(conn: Any) -> None:
        commits.append(1)

    event.listen(store.engine, "commit", commit)

    async def run() -> list[Any]:
        return await asyncio.gather(*(pipeline.sweep_source(s) for s in config.sources))

    try:
        reports = asyncio.run(run())
    finally:
        event.remove(store.engine, "commit", commit)
    assert [r.error for r in reports] == [None] * 30
    assert len(commits) <= 2  # 30 sources' states: one or two transactions, not 30
    with store.engine.connect() as conn:
        states = source_store.all_states(conn)
    assert all(states[s.name].cursor == {"etag": f'"{s.name}"'} and states[s.name].last_run_at
               for s in config.sources)


def test_a_call_cancelled_before_its_batch_is_not_written() -> None:
    calls: list[list[str]] = []
    started = threading.Event()

    def write(keys: list[str]) -> set[str]:
        calls.append(keys)
        started.set()
        time.sleep(0.2)
        return set(keys)

    async def run() -> bool:
        batch = GroupCommit(write)
        leader = asyncio.create_task(batch("lead"))
        while not started.is_set():
            await asyncio.sleep(0.01)
        waiting = asyncio.create_task(batch("gone"))  # waits for the turn behind the leader
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await leader
        return await batch("next")

    assert asyncio.run(run()) is True
    assert calls == [["lead"], ["next"]]
