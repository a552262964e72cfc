"""Sending a period's report: the period is claimed in the store (whichever replica, or
`watcher report --send`, comes first sends it) and the summary queued to `[reports] to` with
the HTML attached, in one transaction; the dispatcher delivers it like any alert."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from watcher.config.targets import alert_targets
from watcher.reporting import figures, render
from watcher.reporting.period import Period, due
from watcher.store import analysis, outbox

if TYPE_CHECKING:
    from watcher.config import Config
    from watcher.store.db import Store


def build(store: Store, config: Config, period: Period, now: datetime) -> figures.Report:
    return figures.build(store, period, config.tz, now, config.reports.flag_share)


def console_base(config: Config) -> str | None:
    """The console's address, for the links in a report read outside the console."""
    base = config.web.public_url
    return base.rstrip("/") if base else None


def report_link(config: Config, period: Period) -> str | None:
    base = console_base(config)
    return f"{base}/reports/{period.key}" if base else None


def queue(store: Store, config: Config, report: figures.Report, *, by: str, now: datetime,
          again: bool = False) -> bool:
    """Claims the report's period and queues it to `[reports] to`; False, queuing nothing, when
    the period was claimed before, unless `again` (a person asking to send it once more)."""
    title, body = render.summary(report, report_link(config, report.period))
    attachment = {"name": render.file_name(report),
                  "content": render.html(report, config.tz, console_base(config))}
    key = report.period.key
    with store.begin() as conn:
        first = analysis.claim_report(store, conn, key, by=by, now=now)
        if not (first or again):
            return False
        outbox.enqueue(store, conn, alert_key=f"report:{key}" + ("" if first else
                                                                 f":{now.isoformat()}"),
                       targets=config.reports.to, book=alert_targets(config), title=title,
                       body=body, now=now,
                       attachment=attachment)
    return True


def send_due(store: Store, config: Config, now: datetime, *, by: str) -> list[str]:
    """Queues the report of each period due by now that nobody sent yet; returns their keys.
    Cheap when there is nothing to do: one lookup per schedule."""
    if not config.reports.to:
        return []
    sent = []
    for period, _ in due(config.reports, config.tz, now):
        with store.engine.connect() as conn:
            if analysis.report_sent(conn, period.key):
                continue
        if queue(store, config, build(store, config, period, now), by=by, now=now):
            sent.append(period.key)
    return sent
