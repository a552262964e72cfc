from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.helpers import source_from
from watcher.runtime.schedule import last_due_slot, needs_catch_up, triggers

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_slots_of_both_schedules() -> None:
    source = source_from(kind="rss", url="https://x.test/f")
    assert last_due_slot(source, SHANGHAI, at(9, 30)) == at(9)  # the 09:00 patrol
    assert last_due_slot(source, SHANGHAI, at(10, 30)) == at(10)  # the 10:00 sweep
    assert last_due_slot(source, SHANGHAI, at(0, 30)) == at(0)  # sweeps count from midnight


def test_patrols_only_look_back_to_yesterday() -> None:
    source = source_from(kind="rss", url="https://x.test/f", schedule=["patrols"])
    assert last_due_slot(source, SHANGHAI, at(8, 59)) == at(18, day=22)


def test_slots_do_not_depend_on_start_time() -> None:
    source = source_from(kind="rss", url="https://x.test/f", schedule=["sweep"],
                         sweep_every="45m")
    first = last_due_slot(source, SHANGHAI, at(10, 7))
    assert first == last_due_slot(source, SHANGHAI, at(10, 20))
    assert first is not None and (first - at(0)) % timedelta(minutes=45) == timedelta(0)


def test_catch_up_once_for_a_missed_slot_or_a_new_source() -> None:
    source = source_from(kind="rss", url="https://x.test/f")
    assert needs_catch_up(source, SHANGHAI, at(9, 30), None)
    assert needs_catch_up(source, SHANGHAI, at(9, 30), at(8, 59))
    assert not needs_catch_up(source, SHANGHAI, at(9, 30), at(9, 0))
    assert not needs_catch_up(source, SHANGHAI, at(9, 30), at(9, 1).astimezone(UTC))


def test_apscheduler_triggers_fire_at_the_slots() -> None:
    source = source_from(kind="rss", url="https://x.test/f", patrols=["09:00", "13:30"],
                         sweep_every="2h")
    found = triggers(source, SHANGHAI)
    assert set(found) == {"patrol", "sweep"}
    assert found["patrol"].get_next_fire_time(None, at(9, 1)) == at(13, 30)
    assert found["sweep"].get_next_fire_time(None, at(9, 1)) == at(10)
    assert source.patrols == (time(9), time(13, 30))
