"""/healthz and /metrics: for the container's health check and for Prometheus. No auth."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from watcher.redaction import redact
from watcher.store import health
from watcher.store.db import Store
from watcher.web.parts import PARTS

log = logging.getLogger(__name__)

STORE_TIMEOUT = 5.0  # seconds; a store slower than this counts as down
PROBE_WAIT = 2.0  # seconds the write probe waits for a lock (PostgreSQL) or the write lock
PROBE_EVERY = 5.0  # seconds: answers within this of a probe reuse its result (one write at most)


class StoreProbe:
    """Whether the store takes writes: one probe at a time, its result reused for PROBE_EVERY
    seconds, so a flood of /healthz requests makes no flood of writes or threads."""

    def __init__(self) -> None:
        self._running: asyncio.Future[bool] | None = None
        self._checked_at = -PROBE_EVERY
        self._ok = False

    async def writable(self, store: Store) -> bool:
        loop = asyncio.get_running_loop()
        if loop.time() - self._checked_at < PROBE_EVERY:
            return self._ok
        if self._running is None:
            self._running = asyncio.ensure_future(asyncio.to_thread(_probe, store))
        running = self._running
        try:
            ok = await asyncio.wait_for(asyncio.shield(running), STORE_TIMEOUT)
        except TimeoutError:  # still stuck: down; a later request awaits the same probe
            return False
        if self._running is running:
            self._running, self._checked_at, self._ok = None, loop.time(), ok
        return ok


PROBE = web.AppKey("store_probe", StoreProbe)


async def healthz(request: web.Request) -> web.Response:
    """200 while the scheduler runs and the store takes writes, else 503 with what is wrong."""
    parts = request.app[PARTS]
    scheduler = parts.alive()
    store = await _answers(parts.store) and await request.app[PROBE].writable(parts.store)
    healthy = scheduler and store
    return web.json_response({"status": "ok" if healthy else "unhealthy",
                              "scheduler": scheduler, "store": store},
                             status=200 if healthy else 503)


async def _answers(store: Store) -> bool:
    """The store answers a read now (every request: a store that went away is seen at once)."""
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, store), STORE_TIMEOUT)
    except Exception:  # any failure to answer is "down"; the reason is in the daemon's log
        return False
    return True


def _ping(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _probe(store: Store) -> bool:
    try:
        health.probe_write(store, datetime.now(UTC), PROBE_WAIT)
    except Exception as exc:  # any failure to write is "down"; said once per probe
        log.warning("health: the store takes no writes: %s", redact(str(exc).splitlines()[0]
                                                                    if str(exc) else repr(exc)))
        return False
    return True


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[PARTS].metrics.registry
    body = await asyncio.to_thread(generate_latest, registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
