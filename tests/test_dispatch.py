"""The dispatcher against a real local receiver behind apprise's json:// scheme."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.senders import SendResult
from tests.servers import Receiver
from watcher.config.targets import AlertTargets
from watcher.runtime.dispatch import dispatch, retry_delay
from watcher.store import outbox
from watcher.store.db import Store
from watcher.store.schema import delivery_attempts
from watcher.store.schema import outbox as outbox_table

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


# The targets the tests' config would hold: each URL queued is added to on_duty as it comes.
URLS = {"alerts.operators[0]": "json://ops"}
BOOK = AlertTargets(URLS)


def queue(store: Store, key: str, targets: list[str]) -> None:
    for url in targets:
        if url not in URLS.values():
            URLS[f"alerts.on_duty[{len(URLS)}]"] = url
    with store.begin() as conn:
        outbox.enqueue(store, conn, alert_key=key, targets=targets, book=BOOK,
                       title=f"工单 {key}", body=f"正文 {key}", now=NOW)


def rows(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(outbox_table).order_by(outbox_table.c.id))
                .mappings()]


def test_backoff_doubles_and_is_capped() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 9)]
    assert delays == [10, 20, 40, 80, 160, 320, 600, 600]


def test_sends_each_row_once_and_marks_it(store: Store) -> None:
    receiver = Receiver().start()
    try:
        queue(store, "ticket:1:new", [receiver.json_url()])
        queue(store, "ticket:2:new", [receiver.json_url()])
        report = asyncio.run(dispatch(store, targets=BOOK, clock=lambda: NOW))
        again = asyncio.run(dispatch(store, targets=BOOK, clock=lambda: NOW))
    finally:
        receiver.stop()
    assert (report.sent, report.failed, again.sent) == (2, 0, 0)
    assert [r["title"] for r in receiver.received] == ["工单 ticket:1:new", "工单 ticket:2:new"]
    assert all(r["status"] == "sent" and r["attempts"] == 1 for r in rows(store))


def test_a_target_that_is_down_loses_nothing(store: Store) -> None:
    receiver = Receiver()
    queue(store, "ticket:1:new", [receiver.json_url()])
    failed = asyncio.run(dispatch(store, targets=BOOK, clock=lambda: NOW))
    (row,) = rows(store)
    assert failed.failed == 1 and row["status"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] == NOW + timedelta(seconds=10) and row["last_error"]
    # not due yet: a normal pass leaves it; a later pass retries and delivers
    assert asyncio.run(dispatch(store, targets=BOOK, clock=lambda: NOW)).failed == 0
    receiver.start()
    try:
        later = NOW + timedelta(seconds=11)
        assert asyncio.run(dispatch(store, targets=BOOK, clock=lambda: later)).sent == 1
    finally:
        receiver.stop()
    assert len(receiver.received) == 1
    with store.engine.connect() as conn:
        attempts = conn.execute(select(delivery_attempts.c.ok)).scalars().all()
    assert attempts == [False, True]


def test_partial_failure_never_resends_what_went_out(store: Store) -> None:
    up, down = Receiver().start(), Receiver()
    try:
        queue(store, "ticket:1:new", [up.json_url(), down.json_url()])
        asyncio.run(dispatch(store, targets=BOOK, clock=lambda: NOW))
        down.start()
        asyncio.run(dispatch(store, targets=BOOK, ignore_backoff=True, clock=lambda: NOW))
    finally:
        up.stop()
        down.stop()
    assert len(up.received) == 1 and len(down.received) == 1


def test_ignore_backoff_tries_each_pending_row_once(store: Store) -> None:
    calls: list[str] = []

    def failing(target: str, title: str, body: str, attachment: object = None,
                level: int | None = None) -> SendResult:
        calls.append(target)
        return SendResult(False, "refused")

    queue(store, "k", ["json://a", "json://b"])
    report = asyncio.run(dispatch(store, targets=BOOK, ignore_backoff=True, sender=failing, clock=lambda: NOW))
    assert report.failed == 2 and sorted(calls) == ["json://a", "json://b"]


def test_time_limit_releases_unsent_claims(store: Store) -> None:
    def slow(target: str, title: str, body: str, attachment: object = None,
                level: int | None = None) -> SendResult:
        import time

        time.sleep(0.3)
        return SendResult(True)

    queue(store, "k", [f"json://t{i}" for i in range(5)])
    report = asyncio.run(dispatch(store, targets=BOOK, time_limit=0.5, sender=slow, clock=lambda: NOW))
    assert 1 <= report.sent < 5
    left = [r for r in rows(store) if r["status"] == "pending"]
    assert left and all(r["claimed_until"] is None for r in left)


def test_a_target_that_keeps_failing_is_reported_to_the_operators(store: Store) -> None:
    def failing(target: str, title: str, body: str, attachment: object = None,
                level: int | None = None) -> SendResult:
        return SendResult(target == "json://ops", None if target == "json://ops" else "refused")

    queue(store, "k", ["json://broken"])
    sent_to_ops = []
    for attempt in range(6):
        now = NOW + timedelta(minutes=20 * attempt)
        asyncio.run(dispatch(store, targets=BOOK, sender=failing, clock=lambda now=now: now,
                             operators=["json://ops"]))
        sent_to_ops = [r for r in rows(store) if r["target"].startswith("alerts.operators[0]#")]
    assert len(sent_to_ops) == 1  # at most daily
    assert "连续失败" in sent_to_ops[0]["title"] and sent_to_ops[0]["status"] == "sent"
