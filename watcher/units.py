"""Parsers for the value syntaxes of config.toml: durations, sizes and times of day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

_DURATION_PART = re.compile(r"(\d+)(d|h|m|s)")
_DURATION_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def parse_duration(text: str) -> timedelta:
    """`30s`, `10m`, `2h`, `7d` or combined (`1h30m`); raises ValueError otherwise."""
    compact = text.strip().replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"not a valid duration: {text!r} (write e.g. 30s, 10m, 2h, 7d, 1h30m)")
    return timedelta(seconds=sum(int(n) * _DURATION_UNITS[u] for n, u in parts))


@dataclass(frozen=True)
class Span:
    """Time allowed for something: a plain duration, or a number of whole working days."""

    duration: timedelta = timedelta(0)
    workdays: int = 0

    def __str__(self) -> str:
        return f"{self.workdays} workdays" if self.workdays else format_duration(self.duration)


_WORKDAYS = re.compile(r"(\d+)\s*workdays?", re.IGNORECASE)


def parse_span(text: str) -> Span:
    """`3 workdays` or a duration (`24h`); raises ValueError otherwise."""
    match = _WORKDAYS.fullmatch(text.strip())
    if match:
        return Span(workdays=int(match.group(1)))
    try:
        return Span(duration=parse_duration(text))
    except ValueError:
        raise ValueError(f"not a valid time allowed: {text!r} (write e.g. 3 workdays, 24h, "
                         "48h)") from None


def parse_size(text: str) -> int:
    """`20MB`, `512KB`, `1GiB` or a plain number of bytes; raises ValueError otherwise."""
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a valid size: {text!r} (write e.g. 512KB, 20MB)")
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[(unit or "b").lower()])


def parse_time_of_day(text: str) -> time:
    """`09:00` (24-hour clock); raises ValueError otherwise."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a valid time of day: {text!r} (write HH:MM, e.g. 09:00)")
    return time(int(match.group(1)), int(match.group(2)))


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration, for summaries: 5400 s -> `1h30m`."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    out = []
    for unit, size in _DURATION_UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class MonthlyAt:
    """A day of the month (1-28, so that every month has it) and a time of day."""

    day: int
    at: time


@dataclass(frozen=True)
class WeeklyAt:
    """A weekday (Monday = 0) and a time of day."""

    weekday: int
    at: time


def parse_monthly(text: str) -> MonthlyAt | None:
    """`1 09:00` (day of month, time), or `off`; raises ValueError otherwise."""
    if text.strip().lower() == "off":
        return None
    day, _, moment = text.strip().partition(" ")
    if not day.isdigit() or not 1 <= int(day) <= 28:
        raise ValueError(f"not a valid day and time: {text!r} (write e.g. \"1 09:00\": a day of "
                         "the month from 1 to 28 and a time, or \"off\")")
    return MonthlyAt(int(day), parse_time_of_day(moment))


def parse_weekly(text: str) -> WeeklyAt | None:
    """`mon 09:00` (weekday, time), or `off`; raises ValueError otherwise."""
    if text.strip().lower() == "off":
        return None
    day, _, moment = text.strip().lower().partition(" ")
    if day not in WEEKDAYS:
        raise ValueError(f"not a valid weekday and time: {text!r} (write e.g. \"mon 09:00\", or "
                         "\"off\")")
    return WeeklyAt(WEEKDAYS.index(day), parse_time_of_day(moment))


def parse_weekdays(text: str) -> frozenset[int]:
    """`mon-fri`, `sat,sun`, `mon,wed-fri` or `daily` -> weekday numbers (Monday = 0)."""
    found: set[int] = set()
    spec = text.strip().lower()
    if spec in ("daily", "*", "every day"):
        return frozenset(range(7))
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"not a valid list of days: {text!r} (write e.g. mon-fri, sat,sun)")
        start = WEEKDAYS.index(first)
        end = WEEKDAYS.index(last) if last else start
        found.update(day % 7 for day in range(start, end + (7 if end < start else 0) + 1))
    return frozenset(found)
