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
from sqlalchemy import event, select, update

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.intake import intake as intake_module
from watcher.intake.intake import BATCH
from watcher.runtime.dispatch import dispatch_for
from watcher.store import claims, outbox
from watcher.store.db import Store
from watcher.store.schema import outbox as outbox_table

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


def test_an_update_a_dispatcher_took_meanwhile_is_not_folded_into(
        store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite has one writer: no dispatcher claims a row while a batch writes")
    flow = Flow(store, receiver)
    now = at(23, 11)
    flow.take(now, *similar_complaints(flow, 6))  # an incident, and one update waiting
    real_fold = outbox.fold

    def taken_first(conn: Any, row_id: int, **text: Any) -> bool:
        with store.begin() as other:  # a dispatcher claims the row between look and fold
            other.execute(update(outbox_table).where(outbox_table.c.id == row_id)
                          .values(claimed_until=text["now"] + timedelta(seconds=30)))
        return real_fold(conn, row_id, **text)

    monkeypatch.setattr(outbox, "fold", taken_first)
    flow.take(now + timedelta(seconds=5), *similar_complaints(flow, 2, seed=2))
    with store.engine.connect() as conn:
        updates = conn.execute(select(outbox_table.c.alert_key, outbox_table.c.title).where(
            outbox_table.c.alert_key.like("incident:%:update:%"))).all()
    # per target: the one taken (still saying 1 joined) and a new one with the 2 newcomers
    assert sorted(title.split("·")[0].strip() for _, title in updates) == sorted(
        ["[事件 #1] 新增工单 #6", "[事件 #1] 新增工单 2 张"] * 2), updates


def test_a_failed_batch_leaves_nothing_of_itself_in_the_window(
        store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch's tickets were in the window when its transaction failed: the next batch reads
    the window afresh (SQLite gives the next tickets the rolled-back ids)."""
    flow = Flow(store, receiver)
    now = at(23, 11)
    flow.take(now, flow.mention("外卖送餐超时一个多小时，饭菜都凉了", "食客"))  # the window read

    def fail(*args: Any) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(intake_module.incidents, "flush_updates", fail)
    with pytest.raises(RuntimeError):
        flow.take(now, *similar_complaints(flow, 4))
    monkeypatch.undo()
    reads: list[str] = []

    def window_reads(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        if sql.startswith("SELECT tickets.id, tickets.category"):
            reads.append(sql)

    event.listen(store.engine, "before_cursor_execute", window_reads)
    try:
        assert flow.take(now, flow.mention("买的衣服起球掉色，质量太差了", "路人")).tickets == 1
    finally:
        event.remove(store.engine, "before_cursor_execute", window_reads)
    assert len(reads) == 1 and "tickets.created_at >=" in reads[0] \
        and "tickets.id >" not in reads[0]
