import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from tests.flow import SHANGHAI, at
from watcher.config.sections import BusinessHours
from watcher.tickets.business_hours import add_business_time, add_workdays
from watcher.tickets.policy import TicketPolicy
from watcher.tickets.workdays import MONDAY_TO_FRIDAY, Workdays, unknown_years
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


# China's working calendar, 2026: National Day 10-01 (Thu) to 10-07 (Wed) off; Sunday 09-20 and
# Saturday 10-10 are working days (调休); Mid-Autumn Festival 09-25 (Fri) off.
OFFICIAL = Workdays(MONDAY_TO_FRIDAY, "cn")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "open_"),
    [(date(2026, 10, 1), False), (date(2026, 10, 5), False),  # National Day, a Monday
     (date(2026, 10, 10), True), (date(2026, 9, 20), True),  # 调休: a Saturday and a Sunday
     (date(2026, 9, 25), False),  # Mid-Autumn Festival, a Friday
     (date(2026, 10, 12), True), (date(2026, 10, 17), False)],  # an ordinary Monday, Saturday
)
def test_the_official_calendar(day: date, open_: bool) -> None:
    assert OFFICIAL.is_open(day) is open_
    assert Workdays().is_open(day) is (day.weekday() < 5)  # without it: the weekdays alone


def test_the_official_calendar_on_top_of_other_days() -> None:
    six_days = Workdays(parse_weekdays("mon-sat"), "cn")
    assert six_days.is_open(date(2026, 10, 17))  # an ordinary Saturday: `days` say open
    assert not six_days.is_open(date(2026, 10, 3))  # a holiday Saturday stays closed


def test_business_hours_skip_the_national_day_week() -> None:
    hours = BusinessHours(levels=(4,), days=MONDAY_TO_FRIDAY, start=time(9), end=time(18),
                          calendar="cn")
    # 24 business hours from Wednesday 09-30 17:00: 1 h that day, 9 h on Thursday 10-08 and on
    # Friday 10-09, 5 h on the 调休 Saturday 10-10
    assert add_business_time(local(9, 30, 17), timedelta(hours=24), hours,
                             SHANGHAI) == local(10, 10, 14)
    plain = replace(hours, calendar=None)
    assert add_business_time(local(9, 30, 17), timedelta(hours=24), plain,
                             SHANGHAI) == local(10, 5, 14)


def test_workdays_count_whole_working_days() -> None:
    # resolved on Wednesday 09-30 at 15:00: three working days on is the 调休 Saturday, 15:00
    assert add_workdays(local(9, 30, 15), 3, OFFICIAL, SHANGHAI) == local(10, 10, 15)
    # found on a holiday: counting starts at the next working day's midnight
    assert add_workdays(local(10, 3, 11), 1, OFFICIAL, SHANGHAI) == local(10, 9, 0)
    assert add_workdays(local(9, 30, 15), 3, Workdays(), SHANGHAI) == local(10, 5, 15)


def test_a_year_the_package_does_not_know_is_said_not_guessed(
        caplog: pytest.LogCaptureFixture) -> None:
    from watcher.tickets import workdays

    far = date(2300, 1, 2)  # a Tuesday of a year no notice covers
    workdays._warned.discard(2300)
    with caplog.at_level(logging.WARNING):
        assert OFFICIAL.is_open(far) is True  # counted by the weekdays
        assert OFFICIAL.is_open(far + timedelta(days=1)) is True
    assert len([r for r in caplog.records if "for 2300" in r.getMessage()]) == 1
    assert unknown_years(OFFICIAL, date(2299, 12, 20), timedelta(days=45)) == [2299, 2300]
    assert unknown_years(OFFICIAL, date(2026, 6, 1), timedelta(days=45)) == []
    assert unknown_years(Workdays(), date(2299, 12, 20), timedelta(days=45)) == []


def test_start_up_warns_about_a_year_ahead_it_cannot_count() -> None:
    from connectors import connector_for
    from watcher.cli.checks import calendar_warnings
    from watcher.config import parse

    config = parse({"sla": {"business_hours": {"levels": [4], "calendar": "cn"}}}, None,
                   connector_for)
    first, second = calendar_warnings(config, date(2299, 12, 1))
    assert "sla.business_hours.calendar" in first and "2299" in first and "2300" in second
    assert calendar_warnings(config, date(2026, 6, 1)) == []
    assert calendar_warnings(parse({}, None, connector_for), date(2299, 12, 1)) == []


def test_an_unknown_calendar_is_a_config_error() -> None:
    from connectors import connector_for
    from watcher.config import ConfigError, parse

    with pytest.raises(ConfigError, match=r"sla\.business_hours\.calendar: must be one of 'cn'"):
        parse({"sla": {"business_hours": {"calendar": "jp"}}}, None, connector_for)
