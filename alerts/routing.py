"""Who is told about a new ticket."""

from __future__ import annotations

from watcher.config import AlertsSection


def targets_for_new_ticket(level: int, alerts: AlertsSection) -> list[str]:
    """The on-duty targets; for level 1 also the duty manager (the supervisor if none is set)."""
    targets = list(alerts.on_duty)
    if level == 1:
        targets += alerts.manager or alerts.supervisor
    return list(dict.fromkeys(targets))
