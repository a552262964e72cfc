from datetime import time, timedelta

import pytest

from tests.flow import SHANGHAI, at
from watcher.config.sections import BusinessHours
from watcher.tickets.business_hours import add_business_time
from watcher.tickets.policy import TicketPolicy
from watcher.units import parse_weekdays

OFFICE = BusinessHours(levels=(4,), days=parse_weekdays("mon-fri"), start=time(9), end=time(18))


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (at(23, 10), timedelta(hours=2), at(23, 12)),  # inside hours: plain addition
        (at(23, 17), timedelta(hours=2), at(24, 10)),  # the clock stops at 18:00
        (at(23, 20), timedelta(hours=1), at(24, 10)),  # found at night: starts at 09:00
        # Friday night, 24 business hours: Monday 9 h, Tuesday 9 h, Wednesday until 15:00
        (at(27, 20), timedelta(hours=24), at(30, 15) + timedelta(days=2)),
        (at(28, 12), timedelta(minutes=30), at(30, 9, 30)),  # Saturday counts from Monday
    ],
)
def test_business_time(start: object, duration: timedelta, due: object) -> None:
    found = add_business_time(start, duration, OFFICE, SHANGHAI)  # type: ignore[arg-type]
    assert found == due


def test_only_the_levels_named_pause() -> None:
    policy = TicketPolicy(4, (timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=2),
                              timedelta(hours=24)), timedelta(days=7), OFFICE, SHANGHAI)
    friday_night = at(27, 23)
    assert policy.deadline(1, friday_night) == friday_night + timedelta(minutes=10)
    level_four = policy.deadline(4, friday_night)
    assert level_four.weekday() < 5 and time(9) <= level_four.astimezone(SHANGHAI).time() <= time(18)
    assert policy.later(4, level_four, timedelta(minutes=30)).astimezone(SHANGHAI).time() <= time(18)


def test_days_parse() -> None:
    assert parse_weekdays("mon-fri") == frozenset(range(5))
    assert parse_weekdays("sat,sun") == frozenset({5, 6})
    assert parse_weekdays("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_weekdays("daily") == frozenset(range(7))
    with pytest.raises(ValueError, match="not a valid list of days"):
        parse_weekdays("weekdays")
