"""The outbox keeps where a target is configured, never its URL (issue 17, item 11): tokens and
passwords in apprise URLs stay in config.toml and its environment. A row whose target has left
the config fails with a clear error and waits, and rows queued before the change migrate."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from alerts.senders import SendResult
from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.config.targets import AlertTargets
from watcher.runtime.dispatch import dispatch, dispatch_for
from watcher.store import outbox as outbox_store
from watcher.store.db import Store, open_store
from watcher.store.schema import delivery_attempts, outbox

SECRET = "s3cret-PASS"


def _everything(store: Store) -> str:
    with store.engine.connect() as conn:
        rows = [*conn.execute(select(outbox)).mappings(),
                *conn.execute(select(delivery_attempts)).mappings()]
    return repr([dict(r) for r in rows])


def _secret_url(receiver: Receiver, path: str) -> str:
    return receiver.json_url(path).replace("json://", f"json://duty:{SECRET}@")


def test_rows_name_the_configured_target_not_its_url(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, alerts={"on_duty": [_secret_url(receiver, "duty")],
                                         "operators": [receiver.json_url("ops")]},
                duty={"shifts": []})
    flow.take(at(23, 20), flow.mention("热水器漏电，差点出事，必须给个说法", "甲"))
    with store.engine.connect() as conn:
        targets = {r.target for r in conn.execute(select(outbox.c.target))}
    assert any(t.startswith("alerts.on_duty[0]#") for t in targets)
    assert SECRET not in _everything(store)
    assert flow.send(at(23, 20)).sent >= 1
    assert receiver.to("duty") and SECRET not in _everything(store)


def test_a_target_gone_from_the_config_fails_clearly_and_waits(store: Store,
                                                             receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 20), flow.mention("热水器漏电，差点出事，必须给个说法", "甲"))
    shrunk = Flow(store, receiver, alerts={"on_duty": []}, duty={"shifts": []})
    report = shrunk.send(at(23, 20))
    assert report.failed >= 1 and not receiver.to("wang")
    with store.engine.connect() as conn:
        gone = conn.execute(select(outbox).where(
            outbox.c.target.startswith("duty.shifts[1].notify[0]#"))).mappings().one()
    assert gone["status"] == "pending"
    assert "duty.shifts[1].notify[0] is no longer configured" in gone["last_error"]
    assert flow.send(at(23, 21)).sent >= 1  # the config restored: it goes out
    assert receiver.to("wang")


def test_the_dispatcher_sends_to_the_url_the_config_holds_now(store: Store) -> None:
    """A reference is looked up when sending: a rotated token is used at once."""
    sent: list[str] = []

    def sender(target: str, title: str, body: str, **_: object) -> SendResult:
        sent.append(target)
        return SendResult(True)

    old, new = "json://127.0.0.1:1/ops?token=old", "json://127.0.0.1:1/ops?token=new"
    with store.begin() as conn:
        outbox_store.enqueue(store, conn, alert_key="a", targets=[old],
                             book=AlertTargets({"alerts.operators[0]": old}), title="t",
                             body="b", now=datetime.now(UTC))
        with pytest.raises(ValueError, match="not an alert target in the config"):
            outbox_store.enqueue(store, conn, alert_key="b", targets=[new],
                                 book=AlertTargets({"alerts.operators[0]": old}), title="t",
                                 body="b", now=datetime.now(UTC))
    report = asyncio.run(dispatch(store, targets=AlertTargets({"alerts.operators[0]": new}),
                                  sender=sender))
    assert report.sent == 1 and sent == [new]


def test_a_target_moved_in_the_config_still_gets_its_alert(store: Store) -> None:
    """Reordering a list while alerts wait must not send them to whoever is now at that place;
    a target edited where it stands (a rotated token) is found by its place."""
    sent: list[str] = []

    def sender(target: str, title: str, body: str, **_: object) -> SendResult:
        sent.append(target)
        return SendResult(True)

    a, b = "json://127.0.0.1:1/a?token=1", "json://127.0.0.1:1/b?token=2"
    with store.begin() as conn:
        outbox_store.enqueue(store, conn, alert_key="for-a", targets=[a],
                             book=AlertTargets({"alerts.on_duty[0]": a, "alerts.on_duty[1]": b}),
                             title="t", body="b", now=datetime.now(UTC))
    reordered = AlertTargets({"alerts.on_duty[0]": b, "alerts.on_duty[1]": a})
    assert asyncio.run(dispatch(store, targets=reordered, sender=sender)).sent == 1
    assert sent == [a]
    rotated = "json://127.0.0.1:1/a?token=3"
    with store.begin() as conn:
        outbox_store.enqueue(store, conn, alert_key="for-a-again", targets=[a],
                             book=AlertTargets({"alerts.on_duty[0]": a}), title="t", body="b",
                             now=datetime.now(UTC))
    assert asyncio.run(dispatch(store, targets=AlertTargets({"alerts.on_duty[0]": rotated}),
                                sender=sender)).sent == 1
    assert sent == [a, rotated]


def test_rows_queued_before_the_migration_keep_no_secret_and_still_go_out(
        tmp_path: Path, receiver: Receiver) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    import migrations

    url = f"sqlite:///{tmp_path / 'w.db'}"
    old = open_store(url, migrate=False)
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with old.engine.connect() as conn:
        alembic.attributes["connection"] = conn
        command.upgrade(alembic, "reports")
        conn.commit()
    target = _secret_url(receiver, "duty")
    now = datetime.now(UTC) - timedelta(minutes=1)
    with old.engine.begin() as conn:
        for key, status in (("pending-one", "pending"), ("sent-one", "sent")):
            conn.execute(text(
                "INSERT INTO outbox (alert_key, target_key, target, title, body, status, "
                "attempts, next_attempt_at, created_at) VALUES (:k, :tk, :t, 'title', 'body', "
                ":s, 0, :n, :n)"), {"k": key, "tk": hashlib.sha1(target.encode()).hexdigest(), "t": target,
                  "s": status, "n": now.replace(tzinfo=None)})
    old.close()
    store = open_store(url)
    try:
        assert SECRET not in _everything(store)
        flow = Flow(store, receiver, alerts={"on_duty": [target]})
        report = asyncio.run(dispatch_for(flow.config, store, ignore_backoff=True))
        assert report.sent == 1 and len(receiver.to("duty")) == 1
        gone = Flow(store, receiver, alerts={"on_duty": []})
        assert asyncio.run(dispatch_for(gone.config, store, ignore_backoff=True)).sent == 0
    finally:
        store.close()
