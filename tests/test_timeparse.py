from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from watcher.timeparse import parse_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 15, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2024-06-14T12:00:00Z", datetime(2024, 6, 14, 12, tzinfo=UTC)),
        ("2024-06-14T12:00:00+08:00", datetime(2024, 6, 14, 4, tzinfo=UTC)),
        ("2024-06-14 12:00", datetime(2024, 6, 14, 12, tzinfo=SHANGHAI)),
        ("2024/06/14", datetime(2024, 6, 14, tzinfo=SHANGHAI)),
        ("2024年6月14日 08:05", datetime(2024, 6, 14, 8, 5, tzinfo=SHANGHAI)),
        ("Tue, 11 Jun 2019 12:00:00 GMT", datetime(2019, 6, 11, 12, tzinfo=UTC)),
        ("Sat Jun 15 10:38:22 +0800 2019", datetime(2019, 6, 15, 2, 38, 22, tzinfo=UTC)),
        ("刚刚", NOW),
        ("3分钟前", NOW - timedelta(minutes=3)),
        ("2小时前", NOW - timedelta(hours=2)),
        ("5天前", NOW - timedelta(days=5)),
        ("昨天 12:00", datetime(2026, 11, 22, 12, tzinfo=SHANGHAI)),
        ("今天 08:01", datetime(2026, 11, 23, 8, 1, tzinfo=SHANGHAI)),
        ("06-14", datetime(2026, 6, 14, tzinfo=SHANGHAI)),
        ("12-25", datetime(2025, 12, 25, tzinfo=SHANGHAI)),  # would be in the future: last year
        ("11-20 09:15", datetime(2026, 11, 20, 9, 15, tzinfo=SHANGHAI)),
    ],
)
def test_parses(value: object, expected: datetime) -> None:
    found = parse_time(value, SHANGHAI, NOW)
    assert found == expected
    assert found is not None and found.tzinfo is not None


@pytest.mark.parametrize("value", [None, "", "soon", True, {"a": 1}, "13-45", "2024-02-30"])
def test_unreadable_is_none(value: object) -> None:
    assert parse_time(value, SHANGHAI, NOW) is None
