"""When each source runs: its patrol times and its sweep interval, as APScheduler triggers,
and the most recent slot that was due (for catching up a run missed while the daemon was down).

Sweep slots are counted from a fixed local midnight, not from when the daemon started, so every
replica computes the same slots.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from watcher.config import SourceConfig

ANCHOR = datetime(2000, 1, 1)  # local midnight the sweep slots are counted from


def anchor(tz: ZoneInfo) -> datetime:
    return ANCHOR.replace(tzinfo=tz)


def last_sweep_slot(every: timedelta, tz: ZoneInfo, now: datetime) -> datetime:
    start = anchor(tz)
    steps = (now - start) // every
    return start + steps * every


def last_patrol_slot(patrols: tuple[Any, ...], tz: ZoneInfo, now: datetime) -> datetime | None:
    local = now.astimezone(tz)
    candidates = [
        datetime.combine(local.date() - timedelta(days=back), at, tzinfo=tz)
        for back in (0, 1)
        for at in patrols
    ]
    due = [c for c in candidates if c <= now]
    return max(due) if due else None


def last_due_slot(source: SourceConfig, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The latest scheduled time at or before `now` among the source's schedules."""
    slots: list[datetime | None] = []
    if "sweep" in source.schedule and source.sweep_every:
        slots.append(last_sweep_slot(source.sweep_every, tz, now))
    if "patrols" in source.schedule and source.patrols:
        slots.append(last_patrol_slot(source.patrols, tz, now))
    found = [s for s in slots if s is not None]
    return max(found) if found else None


def next_slot(source: SourceConfig, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The source's next scheduled time after `now` (the same slots the daemon schedules)."""
    found = []
    if "sweep" in source.schedule and source.sweep_every:
        found.append(last_sweep_slot(source.sweep_every, tz, now) + source.sweep_every)
    if "patrols" in source.schedule and source.patrols:
        local = now.astimezone(tz)
        found += [slot for back in (0, 1) for at in source.patrols
                  if (slot := datetime.combine(local.date() + timedelta(days=back), at,
                                               tzinfo=tz)) > now]
    return min(found) if found else None


def needs_catch_up(source: SourceConfig, tz: ZoneInfo, now: datetime,
                   last_run: datetime | None) -> bool:
    """True for a source never run, or one whose last due slot passed without a run."""
    if last_run is None:
        return True
    due = last_due_slot(source, tz, now)
    return due is not None and last_run < due


def triggers(source: SourceConfig, tz: ZoneInfo) -> dict[str, Any]:
    """APScheduler triggers by job suffix: `patrol` and/or `sweep`."""
    found: dict[str, Any] = {}
    if "patrols" in source.schedule and source.patrols:
        crons = [CronTrigger(hour=t.hour, minute=t.minute, timezone=tz) for t in source.patrols]
        found["patrol"] = crons[0] if len(crons) == 1 else OrTrigger(crons)
    if "sweep" in source.schedule and source.sweep_every:
        found["sweep"] = IntervalTrigger(
            seconds=int(source.sweep_every.total_seconds()), start_date=anchor(tz), timezone=tz
        )
    return found
