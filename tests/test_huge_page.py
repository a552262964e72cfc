"""A page of 15,000 similar complaints (#17 item 6): the intake commits it in batches, so
another writer (a claim renewal) gets in between them instead of waiting for the whole page;
the incident it becomes is told once, its later members counted in one update per target, not
sent one by one; and updates to one target come at most once a minute."""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.intake.intake import BATCH
from watcher.runtime.dispatch import dispatch_for
from watcher.store import claims
from watcher.store.db import Store

CORE = "新买的充电器充电的时候冒烟了，差点着火，太危险了"


def similar_complaints(flow: Flow, count: int, seed: int = 1) -> list[Any]:
    """`count` complaints about one cause by different people, each in their own words."""
    rng = random.Random(seed)

    def tail() -> str:
        return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(20))
    return [flow.mention(f"{CORE}。{tail()}", f"顾客{seed}-{i}") for i in range(count)]


def test_a_huge_page_lets_other_writers_in_and_is_told_in_a_few_messages(
        store: Store, receiver: Receiver) -> None:
    if not store.is_sqlite:  # its writers run side by side; the folding is tested below on both
        pytest.skip("the database-wide write lock is SQLite's")
    flow = Flow(store, receiver)
    now = at(23, 11)
    page = similar_complaints(flow, 15_000)
    log: list[str] = []  # the order of the intake's commits and the other writer's write
    writer: list[threading.Thread] = []

    def renew_a_claim() -> None:
        claims.claim(store, "shop", now, "replica-b", now, timedelta(minutes=1))
        log.append("other writer")

    def on_commit(conn: Any) -> None:
        log.append("intake commit")

    def on_statement(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        if not writer and sql.startswith("INSERT INTO tickets"):  # the page is being written
            writer.append(threading.Thread(target=renew_a_claim))
            writer[0].start()

    event.listen(store.engine, "commit", on_commit)
    event.listen(store.engine, "before_cursor_execute", on_statement)
    try:
        report = flow.take(now, *page)
    finally:
        event.remove(store.engine, "commit", on_commit)
        event.remove(store.engine, "before_cursor_execute", on_statement)
        writer[0].join(60)
    assert report.tickets == 15_000
    commits = [i for i, entry in enumerate(log) if entry == "intake commit"]
    assert len(commits) >= 15_000 // BATCH
    assert commits[0] < log.index("other writer") < commits[-1], log[:5]

    flow.send(now)
    titles = [a["title"] for a in receiver.received]
    # 4 tickets alerted on their own before the 5th made the incident, the incident, one
    # update counting the rest: each to the on-duty person and the manager
    assert len(titles) == 2 * (4 + 1 + 1), titles
    updates = [t for t in titles if "新增工单" in t]
    assert len(updates) == 2 and all("新增工单 14995 张 · 共 15000 条" in t for t in updates)


def test_an_incident_is_updated_at_most_once_a_minute_per_target(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    now = at(23, 11)

    def send(when: Any) -> list[str]:
        before = len(receiver.received)
        asyncio.run(dispatch_for(flow.config, store, clock=lambda: when))
        return [a["title"] for a in receiver.received[before:]]

    flow.take(now, *similar_complaints(flow, 5))
    assert len([t for t in send(now) if "群体投诉" in t]) == 2  # told at once
    flow.take(now + timedelta(seconds=5), *similar_complaints(flow, 2, seed=2))
    flow.take(now + timedelta(seconds=20), *similar_complaints(flow, 3, seed=3))
    assert send(now + timedelta(seconds=30)) == []  # within the incident's first minute
    update = send(now + timedelta(seconds=61))
    assert len(update) == 2 and all("新增工单 5 张 · 共 10 条" in t for t in update)
    flow.take(now + timedelta(seconds=70), *similar_complaints(flow, 1, seed=4))
    assert send(now + timedelta(seconds=90)) == []  # a minute after the last update
    late = send(now + timedelta(seconds=122))
    assert len(late) == 2 and all("新增工单 #" in t and "共 11 条" in t for t in late)
