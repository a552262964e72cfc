"""The write probe behind /healthz: one row rewritten, so a store that still answers reads but
takes no writes (read-only, out of space, its write lock held) is seen as down."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update

from watcher.store.db import SQLITE_BUSY_TIMEOUT_MS, Store
from watcher.store.schema import health_probe

KEY = "healthz"


def probe_write(store: Store, now: datetime, wait: float) -> None:
    """Writes and commits the probe row, waiting at most `wait` seconds for a lock; raises the
    store's error when it cannot."""
    wait_ms = max(1, int(wait * 1000))
    with store.engine.connect() as conn:
        try:
            if store.is_sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait_ms}")
            else:  # for this transaction only
                conn.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
                conn.execute(text(f"SET LOCAL statement_timeout = {wait_ms}"))
            written = conn.execute(update(health_probe).where(health_probe.c.name == KEY)
                                   .values(at=now)).rowcount
            if not written:
                conn.execute(store.insert_ignoring_conflicts(health_probe)
                             .values(name=KEY, at=now))
            conn.commit()
        finally:
            conn.rollback()
            if store.is_sqlite:  # the pooled connection goes back as it came
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
