"""Source health for the operators (never the on-duty staff): one alert when a source has failed
`[health] alert_after` sweeps in a row, repeated at most daily while it stays broken, and one
when it works again. A source the platform blocks (an error of kind `blocked`: an expired
cookie, risk control) is told at once, on its first failure, once, and again when it works:
waiting for more failures would only wait for someone to renew a cookie."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.render import render_source_health
from watcher.config.targets import alert_targets
from watcher.errors import SourceErrorKind
from watcher.store import outbox
from watcher.store import sources as source_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store
    from watcher.store.sources import SourceState

REPEAT_AFTER = timedelta(days=1)


def after_failure(store: Store, conn: Connection, config: Config, state: SourceState,
                  now: datetime) -> bool:
    """Queues the "broken" alert when due; True when it did."""
    is_blocked = state.last_error_kind == SourceErrorKind.BLOCKED  # see connectors/cnbase.py
    if not _due(state, config, now, is_blocked):
        return False
    title, body = render_source_health(state.name, broken=True,
                                       errors_in_row=state.errors_in_row, error=state.last_error,
                                       blocked=is_blocked)
    outbox.enqueue(store, conn, alert_key=f"source:{state.name}:down:{now.isoformat()}",
                   targets=list(config.alerts.operators), book=alert_targets(config),
                   title=title, body=body, now=now)
    source_store.set_down_alerted(conn, state.name, now)
    return True


def _due(state: SourceState, config: Config, now: datetime, is_blocked: bool) -> bool:
    """A blocked source: on its first failure, once; any other: after `alert_after` failures,
    then at most daily."""
    if is_blocked:
        return state.down_alerted_at is None
    if state.errors_in_row < config.health.alert_after:
        return False
    return state.down_alerted_at is None or now - state.down_alerted_at >= REPEAT_AFTER


def after_success(store: Store, conn: Connection, config: Config, before: SourceState,
                  now: datetime) -> bool:
    """Queues the "works again" alert for a source the operators were told was broken."""
    if before.down_alerted_at is None:
        return False
    title, body = render_source_health(before.name, broken=False, errors_in_row=0, error=None)
    key = f"source:{before.name}:up:{before.down_alerted_at.isoformat()}"
    outbox.enqueue(store, conn, alert_key=key, targets=list(config.alerts.operators),
                   book=alert_targets(config), title=title, body=body, now=now)
    source_store.set_down_alerted(conn, before.name, None)
    return True
