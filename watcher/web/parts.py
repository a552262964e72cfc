"""What the web handlers reach in the daemon: one object under one application key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from watcher.config import Config
from watcher.runtime.metrics import Metrics
from watcher.store.db import Store


@dataclass
class Parts:
    config: Config
    store: Store
    metrics: Metrics
    alive: Callable[[], bool]  # is the scheduler running


PARTS = web.AppKey("parts", Parts)
