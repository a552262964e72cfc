"""Which days are working days: the weekdays `[sla.business_hours] days` names, and with
`calendar = "cn"` China's official calendar on top of them: public holidays closed, weekend days
made working days (调休) open.

The official calendar comes from the chinese-calendar package, which carries the State
Council's yearly notice (published each November for the next year) as explicit lists of
holidays and working days, and refuses a year it has no notice for. Such a year is counted by
the weekdays alone, and said so: once per year in the log, and at start-up
(`unknown_years`), never silently."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

log = logging.getLogger(__name__)

Calendar = Literal["cn"]
MONDAY_TO_FRIDAY = frozenset(range(5))
_warned: set[int] = set()  # years already reported as unknown by this process


@dataclass(frozen=True)
class Workdays:
    days: frozenset[int] = MONDAY_TO_FRIDAY  # weekday numbers, Monday = 0
    calendar: Calendar | None = None

    def is_open(self, day: date) -> bool:
        if self.calendar == "cn":
            official = china_says_open(day)
            if official is not None:
                return official
        return day.weekday() in self.days


def china_says_open(day: date) -> bool | None:
    """False on a public holiday, True on a 调休 working day, None on any other day (the
    weekdays decide) and on a day of a year the package has no notice for (logged once)."""
    import chinese_calendar  # lazy: ~100 ms, paid only by configs with calendar = "cn"

    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("chinese-calendar has no official calendar for %d: its days are "
                        "counted by [sla.business_hours] days alone, without public holidays "
                        "or 调休 working days; upgrade the chinese-calendar package", day.year)
        return None
    if name is None:  # an ordinary weekday or weekend
        return None
    return not off


def unknown_years(workdays: Workdays, start: date, span: timedelta) -> list[int]:
    """The years from `start` to `start + span` whose official calendar is unknown."""
    if workdays.calendar != "cn":
        return []
    import chinese_calendar  # lazy: as in china_says_open

    unknown = []
    for year in range(start.year, (start + span).year + 1):
        try:
            chinese_calendar.get_holiday_detail(date(year, 1, 1))
        except NotImplementedError:
            unknown.append(year)
    return unknown
