"""Logging to standard error: JSON lines for log collectors when not on a terminal, readable
lines on one. Every message passes through `redact`, so secrets never reach a log."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from watcher.redaction import redact

LEVEL_ENV = "WATCHER_LOG_LEVEL"
FORMAT_ENV = "WATCHER_LOG_FORMAT"  # json | text; default: text on a terminal, json elsewhere


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

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
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "apprise", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
