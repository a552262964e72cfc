"""What the web handlers reach in the daemon: one object under one application key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from watcher.config import Config
from watcher.config.sections import WebUser
from watcher.runtime.metrics import Metrics
from watcher.store.db import Store
from watcher.web.users import UsersFile


@dataclass
class Parts:
    config: Config
    store: Store
    metrics: Metrics
    alive: Callable[[], bool]  # is the scheduler running
    users_file: UsersFile | None = None  # the daemon's: users as the config file says now

    def users(self) -> tuple[WebUser, ...]:
        return self.users_file.current() if self.users_file else self.config.web.users


PARTS = web.AppKey("parts", Parts)
