"""/healthz writes to the store (issue 17, item 11): a store that answers reads but takes no
writes (its write lock held by a stuck writer) is unhealthy, within a bounded time, and healthy
again once it takes writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text

from tests.console_harness import ConsoleServer, console_config
from tests.daemon_process import wait_for
from watcher.store.db import Store


@contextmanager
def writes_blocked(store: Store) -> Iterator[None]:
    """Another client holds the store's write lock (SQLite) or the probe's table (PostgreSQL)."""
    if store.is_sqlite:
        holder = sqlite3.connect(str(store.engine.url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with store.engine.connect() as conn:
        conn.execute(text("LOCK TABLE health_probe IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()


def _health(client: httpx.Client) -> tuple[int, dict[str, object]]:
    answer = client.get("/healthz")
    return answer.status_code, answer.json()


def test_healthz_is_503_while_the_store_takes_no_writes(store: Store) -> None:
    server = ConsoleServer(store, console_config())
    try:
        client = server.client()
        assert _health(client) == (200, {"status": "ok", "scheduler": True, "store": True})
        with writes_blocked(store):
            assert wait_for(lambda: _health(client)[0] == 503, 60)
            assert _health(client)[1] == {"status": "unhealthy", "scheduler": True,
                                          "store": False}
        assert wait_for(lambda: _health(client)[0] == 200, 60)
    finally:
        server.stop()
