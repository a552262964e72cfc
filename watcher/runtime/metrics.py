"""Prometheus metrics: counters kept in this process, and gauges read from the store at each
scrape (tickets by level, pending alerts and the age of the oldest), so every replica reports
the shared store's truth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from watcher.store import outbox
from watcher.store import tickets as ticket_store

if TYPE_CHECKING:
    from watcher.intake.intake import SourceReport
    from watcher.runtime.dispatch import DispatchReport
    from watcher.store.db import Store


class Metrics:
    def __init__(self, store: Store) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.sweeps = Counter("watcher_sweeps", "Source sweeps run", ["source", "result"],
                              registry=r)
        self.fetched = Counter("watcher_items_fetched", "Items platforms returned", ["source"],
                               registry=r)
        self.new = Counter("watcher_items_new", "Mentions stored for the first time", ["source"],
                           registry=r)
        self.duplicates = Counter("watcher_items_duplicate", "Items already stored or reposts",
                                  ["source"], registry=r)
        self.errors = Counter("watcher_source_errors", "Failed sweeps by source and error kind",
                              ["source", "kind"], registry=r)
        self.tickets_made = Counter("watcher_tickets_created", "Tickets made", ["source"],
                                    registry=r)
        self.alerts = Counter("watcher_alerts", "Alert deliveries", ["result"], registry=r)
        self.duration = Histogram("watcher_sweep_duration_seconds", "Time one source sweep took",
                                  ["source"], registry=r,
                                  buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
        r.register(_StoreGauges(store))

    def observe_sweep(self, report: SourceReport, seconds: float) -> None:
        name = report.name
        self.sweeps.labels(name, "error" if report.error else "ok").inc()
        self.duration.labels(name).observe(seconds)
        if report.error:
            self.errors.labels(name, report.error_kind or "unknown").inc()
            return
        self.fetched.labels(name).inc(report.fetched)
        self.new.labels(name).inc(report.new)
        self.duplicates.labels(name).inc(report.duplicates)
        self.tickets_made.labels(name).inc(report.tickets)

    def observe_dispatch(self, report: DispatchReport) -> None:
        self.alerts.labels("sent").inc(report.sent)
        self.alerts.labels("failed").inc(report.failed)
        self.alerts.labels("held").inc(report.held)


class _StoreGauges:
    """Read at scrape time; the web server calls the scrape in a worker thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Any]:
        with self.store.engine.connect() as conn:
            by_level = ticket_store.open_counts_by_level(conn)
            pending, oldest = outbox.pending_stats(conn)
        tickets = GaugeMetricFamily("watcher_tickets_open", "Unresolved tickets by level",
                                    labels=["level"])
        for level in (1, 2, 3, 4):
            tickets.add_metric([str(level)], by_level.get(level, 0))
        yield tickets
        yield GaugeMetricFamily("watcher_alerts_pending", "Alerts waiting to be sent",
                                value=pending)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("watcher_alerts_oldest_pending_age_seconds",
                                "Age of the oldest alert waiting to be sent", value=age)
