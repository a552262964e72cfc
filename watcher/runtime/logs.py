"""Logging to standard error: JSON lines for log collectors when not on a terminal, readable
lines on one. Every message passes through `redact`, so secrets never reach a log. Times are
in the configured `[watcher] timezone` once the config is read (`use_timezone`), the machine's
zone before."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime, tzinfo

from watcher.redaction import redact

LEVEL_ENV = "WATCHER_LOG_LEVEL"
FORMAT_ENV = "WATCHER_LOG_FORMAT"  # json | text; default: text on a terminal, json elsewhere
# Chatty at INFO: APScheduler's "Added job" for every job and source, "Scheduler started", ...
QUIET = ("httpx", "httpcore", "apscheduler", "apprise", "alembic")
_zone: list[tzinfo | None] = [None]  # None: the machine's local zone


def use_timezone(zone: tzinfo) -> None:
    """Log times from now on in `zone` (the configured [watcher] timezone)."""
    _zone[0] = zone


def _time(record: logging.LogRecord) -> datetime:
    return datetime.fromtimestamp(record.created, _zone[0]).astimezone(_zone[0])


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _time(record).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _time(record).strftime("%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(level: str | None = None) -> None:
    chosen = (level or os.environ.get(LEVEL_ENV) or "INFO").upper()
    style = os.environ.get(FORMAT_ENV) or ("text" if sys.stderr.isatty() else "json")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if style == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(chosen if chosen in logging.getLevelNamesMapping() else "INFO")
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
