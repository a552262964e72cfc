"""Log lines on a terminal and for collectors: in the configured time zone once the config is
read, and APScheduler's chatter kept below WARNING."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from watcher.runtime import logs

MOMENT = datetime(2026, 12, 8, 1, 2, 3, 456000, tzinfo=UTC)


@pytest.fixture(autouse=True)
def machine_zone() -> Iterator[None]:
    yield
    logs._zone[0] = None


def record(name: str = "watcher.test") -> logging.LogRecord:
    entry = logging.LogRecord(name, logging.INFO, __file__, 1, "swept %s", ("forum",), None)
    entry.created = MOMENT.timestamp()
    return entry


def test_times_are_in_the_configured_zone() -> None:
    logs.use_timezone(ZoneInfo("Asia/Shanghai"))
    assert logs.TextFormatter().format(record()) == "09:02:03 INFO    watcher.test: swept forum"
    entry = json.loads(logs.JsonFormatter().format(record()))
    assert entry["time"] == "2026-12-08T09:02:03.456+08:00" and entry["message"] == "swept forum"
    logs.use_timezone(ZoneInfo("America/New_York"))
    assert logs.TextFormatter().format(record()).startswith("20:02:03 ")


def test_the_scheduler_says_only_what_went_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(logs.LEVEL_ENV, raising=False)
    logs.setup("INFO")
    scheduler = logging.getLogger("apscheduler.scheduler")
    assert not scheduler.isEnabledFor(logging.INFO)
    assert scheduler.isEnabledFor(logging.WARNING)
    assert logging.getLogger("watcher.runtime.daemon").isEnabledFor(logging.INFO)
