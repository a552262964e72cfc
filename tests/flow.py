"""A small harness for time-dependent ticket tests: the real intake, store, SLA pass and
dispatcher, a controllable clock, and a real local receiver with one path per person."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors import connector_for
from tests.servers import Receiver
from watcher.cli.common import scorer_for
from watcher.config import Config, parse
from watcher.intake.intake import Intake, SourceReport
from watcher.model import FetchResult, Mention
from watcher.runtime.dispatch import DispatchReport, dispatch_for
from watcher.store.db import Store
from watcher.tickets.sla import SlaReport, sla_pass

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Shanghai time (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


class Flow:
    def __init__(self, store: Store, receiver: Receiver, **tables: Any) -> None:
        url = receiver.json_url
        base: dict[str, Any] = {
            "alerts": {"on_duty": [url("duty")], "supervisor": [url("sup")],
                       "manager": [url("boss")], "operators": [url("ops")]},
            "duty": {"shifts": [
                {"name": "小李", "days": "mon-fri", "start": "09:00", "end": "18:00",
                 "notify": [url("li")]},
                {"name": "老王", "days": "mon-fri", "start": "18:00", "end": "09:00",
                 "notify": [url("wang")]},
            ]},
            "sources": [{"name": "forum", "kind": "rss", "url": "http://127.0.0.1:1/feed"},
                        {"name": "shop", "kind": "rss", "url": "http://127.0.0.1:1/shop"}],
        }
        self.config: Config = parse(base | tables, None, connector_for)
        self.store = store
        self.receiver = receiver
        self.intake = Intake(self.config, store, scorer_for(self.config, store))
        self.count = 0

    def mention(self, text: str, author: str, source: str = "forum") -> Mention:
        self.count += 1
        return Mention(source=source, platform=source, text=text, author=author,
                       external_id=f"m{self.count}", url=f"http://{source}.local/p/{self.count}")

    def take(self, now: datetime, *mentions: Mention, source: str = "forum") -> SourceReport:
        return self.intake.take(self.config.source(source), FetchResult(list(mentions), {}), now)

    def sla(self, now: datetime) -> SlaReport:
        return sla_pass(self.store, self.config, now)

    def send(self, now: datetime) -> DispatchReport:
        return asyncio.run(dispatch_for(self.config, self.store, ignore_backoff=True,
                                        clock=lambda: now))
