"""Reads the many ways platforms write a time into a timezone-aware datetime.

Epoch seconds or milliseconds, ISO 8601, RFC 2822, Weibo's `Sat Jun 15 10:38:22 +0800 2019`,
`2024-06-14 12:00`, `2024年6月14日`, and the relative Chinese forms (`刚刚`, `3分钟前`,
`昨天 12:00`, `06-14`). A time without an offset is read in the configured time zone.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta, tzinfo

_RELATIVE = re.compile(r"(\d+)\s*(秒|分钟|分鐘|小时|小時|天|周|週)前")
_RELATIVE_UNITS = {
    "秒": 1, "分钟": 60, "分鐘": 60, "小时": 3600, "小時": 3600, "天": 86400, "周": 604800,
    "週": 604800,
}
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}
_DAY_WORD = re.compile(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})?")
_FULL_DATE = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_MONTH_DAY = re.compile(r"(\d{1,2})[-/月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2}))?$")
_WEIBO_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def parse_time(value: object, tz: tzinfo, now: datetime | None = None) -> datetime | None:
    """`value` as an aware datetime, or None when it cannot be read as a time."""
    now = now or datetime.now(tz)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text))
    for parse in (_iso, _rfc2822, _weibo, _relative, _day_word, _full_date, _month_day):
        found = parse(text, tz, now)
        if found is not None:
            return found
    return None


def _from_epoch(number: float) -> datetime | None:
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _iso(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=tz)


def _rfc2822(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    if "," not in text and not re.match(r"\d{1,2} [A-Za-z]{3} \d{4}", text):
        return None
    try:
        found = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=tz)


def _weibo(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    try:
        return datetime.strptime(text, _WEIBO_FORMAT)
    except ValueError:
        return None


def _relative(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    if text in ("刚刚", "剛剛", "just now"):
        return now
    match = _RELATIVE.search(text)
    if not match:
        return None
    return now - timedelta(seconds=int(match.group(1)) * _RELATIVE_UNITS[match.group(2)])


def _day_word(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    match = _DAY_WORD.match(text)
    if not match:
        return None
    day = now.astimezone(tz) - timedelta(days=_DAY_WORDS[match.group(1)])
    return day.replace(hour=int(match.group(2)), minute=int(match.group(3) or 0), second=0,
                       microsecond=0)


def _full_date(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    match = _FULL_DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _month_day(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    """`06-14` or `06-14 12:00`: this year, or last year when that would be in the future."""
    match = _MONTH_DAY.match(text)
    if not match:
        return None
    month, day, hour, minute = (int(g or 0) for g in match.groups())
    local_now = now.astimezone(tz)
    try:
        found = datetime(local_now.year, month, day, hour, minute, tzinfo=tz)
        if found > local_now + timedelta(days=1):
            found = found.replace(year=local_now.year - 1)
    except ValueError:
        return None
    return found
