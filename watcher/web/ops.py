"""/healthz and /metrics: for the container's health check and for Prometheus. No auth."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from watcher.store.db import Store
from watcher.web.parts import PARTS

STORE_TIMEOUT = 5.0  # seconds; a store slower than this counts as down


async def healthz(request: web.Request) -> web.Response:
    """200 while the scheduler runs and the store answers, else 503 with what is wrong."""
    parts = request.app[PARTS]
    scheduler = parts.alive()
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, parts.store), STORE_TIMEOUT)
        store = True
    except Exception:  # any failure to answer is "down"; the reason is in the daemon's log
        store = False
    healthy = scheduler and store
    return web.json_response({"status": "ok" if healthy else "unhealthy",
                              "scheduler": scheduler, "store": store},
                             status=200 if healthy else 503)


def _ping(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[PARTS].metrics.registry
    body = await asyncio.to_thread(generate_latest, registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
