"""Deadlines on a clock that runs only in business hours, for the levels configured so."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from watcher.config.sections import BusinessHours

MAX_DAYS = 400  # a roster with no business day at all would never finish; stop and say so


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours,
                      tz: tzinfo) -> datetime:
    """`start` plus `duration` counted only inside the business hours."""
    moment = start.astimezone(tz)
    left = duration
    for _ in range(MAX_DAYS * 2):
        day_start = moment.replace(hour=hours.start.hour, minute=hours.start.minute, second=0,
                                   microsecond=0)
        day_end = moment.replace(hour=hours.end.hour, minute=hours.end.minute, second=0,
                                 microsecond=0)
        if moment.weekday() not in hours.days or moment >= day_end:
            moment = _next_day_start(moment, hours)
            continue
        moment = max(moment, day_start)
        if moment + left <= day_end:
            return moment + left
        left -= day_end - moment
        moment = _next_day_start(moment, hours)
    raise ValueError("business hours never open: check [sla.business_hours] days")


def _next_day_start(moment: datetime, hours: BusinessHours) -> datetime:
    tomorrow = (moment + timedelta(days=1)).date()
    return datetime.combine(tomorrow, hours.start, tzinfo=moment.tzinfo)
