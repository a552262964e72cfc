"""The console's users as the config file says now: `watcher user remove` (or an admin's edit
of `[[web.users]]`) takes effect in a running daemon within seconds, without a restart. The
file is looked at (its modification time) at most every few seconds and read again only when
it changed; an edit that does not load keeps the users in force and is logged once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from watcher.config.sections import WebUser
from watcher.errors import ConfigError

log = logging.getLogger(__name__)

CHECK_EVERY = 2.0  # seconds between two looks at the file's modification time

Users = tuple[WebUser, ...]


class UsersFile:
    def __init__(self, path: Path, users: Users, read: Callable[[], Users],
                 every: float = CHECK_EVERY) -> None:
        self.path, self.users, self._read, self._every = path, users, read, every
        self._checked = time.monotonic()
        self._stamp = self._stamp_now()

    def _stamp_now(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:  # moved away mid-edit: the users in force stay
            return None

    def current(self) -> Users:
        now = time.monotonic()
        if now - self._checked < self._every:
            return self.users
        self._checked = now
        stamp = self._stamp_now()
        if stamp is None or stamp == self._stamp:
            return self.users
        self._stamp = stamp
        try:
            users = self._read()
        except ConfigError as exc:
            log.warning("web: %s changed but does not load, so the console keeps its %d users: "
                        "%s", self.path.name, len(self.users), exc)
            return self.users
        if users != self.users:
            before, after = {u.name for u in self.users}, {u.name for u in users}
            log.info("web: console users read again from %s: %d added, %d removed, %d changed",
                     self.path.name, len(after - before), len(before - after),
                     len({u for u in users if u.name in before} - set(self.users)))
            self.users = users
        return self.users
