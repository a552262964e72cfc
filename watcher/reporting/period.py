"""The periods a report covers: a calendar month (`2026-10`) or an ISO week (`2026-W41`), in the
configured time zone, and which period's report is due at a moment by `[reports] monthly` and
`weekly`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from watcher.config.sections import ReportsSection

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
FIRST_YEAR = 2000  # nothing was watched before; also keeps a typo from asking for year 1


@dataclass(frozen=True)
class Period:
    kind: Literal["month", "week"]
    first: date  # the first day
    end: date  # the day after the last

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        year, week, _ = self.first.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def label(self) -> str:
        """How the report names it: 2026年10月, 2026年第41周."""
        if self.kind == "month":
            return f"{self.first.year}年{self.first.month}月"
        year, week, _ = self.first.isocalendar()
        return f"{year}年第{week}周"

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.end - self.first).days)]

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: local midnights."""
        return (datetime.combine(self.first, time(0), tzinfo=tz),
                datetime.combine(self.end, time(0), tzinfo=tz))

    def previous(self) -> Period:
        if self.kind == "week":
            return week_of(self.first - timedelta(days=7))
        return month_of(self.first - timedelta(days=1))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, end)


def week_of(day: date) -> Period:
    first = day - timedelta(days=day.weekday())
    return Period("week", first, first + timedelta(days=7))


def parse_period(text: str) -> Period:
    """`2026-10` or `2026-W41`; raises ValueError otherwise."""
    if month := _MONTH.fullmatch(text.strip()):
        year, number = int(month[1]), int(month[2])
        if FIRST_YEAR <= year <= 9998 and 1 <= number <= 12:
            return month_of(date(year, number, 1))
    elif week := _WEEK.fullmatch(text.strip()):
        year, number = int(week[1]), int(week[2])
        if FIRST_YEAR <= year <= 9998:
            try:
                return week_of(date.fromisocalendar(year, number, 1))
            except ValueError:
                pass
    raise ValueError(f"not a month or a week: {text!r} (write e.g. 2026-10 or 2026-W41)")


def due(reports: ReportsSection, tz: tzinfo, now: datetime) -> list[tuple[Period, datetime]]:
    """The periods whose report is due by now, each with when it fell due: the one before the
    latest monthly (and weekly) send time at or before `now`."""
    local = now.astimezone(tz)
    found = []
    if reports.monthly is not None:
        slot = datetime.combine(local.date().replace(day=reports.monthly.day),
                                reports.monthly.at, tzinfo=tz)
        if slot > local:
            slot = datetime.combine(month_of(local.date()).previous().first.replace(
                day=reports.monthly.day), reports.monthly.at, tzinfo=tz)
        found.append((month_of(slot.date()).previous(), slot))
    if reports.weekly is not None:
        monday = week_of(local.date()).first
        slot = datetime.combine(monday + timedelta(days=reports.weekly.weekday),
                                reports.weekly.at, tzinfo=tz)
        if slot > local:
            slot -= timedelta(days=7)
        found.append((week_of(slot.date()).previous(), slot))
    return found
