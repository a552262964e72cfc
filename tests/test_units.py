from datetime import time, timedelta

import pytest

from watcher.units import format_duration, parse_duration, parse_size, parse_time_of_day


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("2h", 7200), ("7d", 604800), ("1h30m", 5400), ("1d2h3m4s", 93784)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)
    assert parse_duration(format_duration(timedelta(seconds=seconds))).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "20", "2x", "h", "1.5h", "-5m", "m10", "2 hours"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a valid duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [("20MB", 20_000_000), ("512KB", 512_000), ("1GiB", 1024**3), ("100", 100), ("1.5MB", 1_500_000)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "20 TB", "MB", "-1MB"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(ValueError, match="not a valid size"):
        parse_size(text)


def test_times_of_day() -> None:
    assert parse_time_of_day("09:00") == time(9, 0)
    assert parse_time_of_day("9:05") == time(9, 5)
    assert parse_time_of_day("23:59") == time(23, 59)
    for bad in ("24:00", "12:60", "noon", "0900"):
        with pytest.raises(ValueError, match="not a valid time of day"):
            parse_time_of_day(bad)
