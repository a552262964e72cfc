"""Deadlines on a clock that runs only on working days: inside business hours for the levels
configured so, and whole working days for a follow-up due in `N workdays`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from watcher.config.sections import BusinessHours
from watcher.tickets.workdays import Workdays

MAX_DAYS = 400  # a roster with no business day at all would never finish; stop and say so


def workdays_of(hours: BusinessHours | None) -> Workdays:
    """The working days `[sla.business_hours]` names (Monday to Friday without the table)."""
    return Workdays(hours.days, hours.calendar) if hours is not None else Workdays()


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours,
                      tz: tzinfo) -> datetime:
    """`start` plus `duration` counted only inside the business hours."""
    return _add_open_time(start, duration, workdays_of(hours), tz, hours.start, hours.end)


def add_workdays(start: datetime, count: int, workdays: Workdays, tz: tzinfo) -> datetime:
    """`start` plus `count` whole working days: the same time of day `count` working days on;
    a start on a closed day counts from the next working day's midnight."""
    return _add_open_time(start, timedelta(days=count), workdays, tz, time(0), None)


def _add_open_time(start: datetime, duration: timedelta, workdays: Workdays, tz: tzinfo,
                   opens: time, closes: time | None) -> datetime:
    """`start` plus `duration` counted only from `opens` to `closes` (None: midnight) on the
    open days."""
    moment = start.astimezone(tz)
    left = duration
    for _ in range(MAX_DAYS * 2):
        today = moment.date()
        day_start = _at(today, opens, tz)
        day_end = _at(today, closes, tz) if closes else _at(today + timedelta(days=1), time(0), tz)
        if not workdays.is_open(today) or moment >= day_end:
            moment = _at(today + timedelta(days=1), opens, tz)
            continue
        moment = max(moment, day_start)
        if moment + left <= day_end:
            return moment + left
        left -= day_end - moment
        moment = _at(today + timedelta(days=1), opens, tz)
    raise ValueError("business hours never open: check [sla.business_hours] days")


def _at(day: date, moment: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz)
