"""Who is told: the duty roster and the alert roles of config.toml. Pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from watcher.config.sections import AlertsSection, DutySection, Shift


def _covers(shift: Shift, local: datetime) -> bool:
    moment = local.time()
    if shift.start < shift.end:
        return local.weekday() in shift.days and shift.start <= moment < shift.end
    # runs past midnight: from `start` on one of its days until `end` the next morning
    if local.weekday() in shift.days and moment >= shift.start:
        return True
    return (local - timedelta(days=1)).weekday() in shift.days and moment < shift.end


def on_duty(duty: DutySection, when: datetime, tz: tzinfo) -> Shift | None:
    """The first shift, in config order, that covers `when`; None when nobody is on duty."""
    local = when.astimezone(tz)
    return next((shift for shift in duty.shifts if _covers(shift, local)), None)


def person_targets(name: str | None, duty: DutySection, alerts: AlertsSection) -> list[str]:
    """Where to reach a ticket's assignee: their shifts' notify URLs; `[alerts] on_duty` stands
    for the assignee of an unassigned ticket and for anyone the roster has no URLs for."""
    found = [url for shift in duty.shifts if shift.name == name for url in shift.notify]
    return list(dict.fromkeys(found or alerts.on_duty))


def new_ticket_targets(level: int, assignee: str | None, duty: DutySection,
                       alerts: AlertsSection) -> list[str]:
    """The assignee (or on-duty targets); for level 1 also the duty manager (the supervisor
    when no manager is set)."""
    targets = person_targets(assignee, duty, alerts)
    if level == 1:
        targets += alerts.manager or alerts.supervisor
    return list(dict.fromkeys(targets))


def escalation_targets(alerts: AlertsSection) -> list[str]:
    return list(dict.fromkeys(alerts.supervisor or alerts.manager))
