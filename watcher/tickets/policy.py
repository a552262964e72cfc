"""How a ticket is decided: which scored mentions become tickets, and their deadlines (on the
business-hours clock where configured)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from watcher.config import Config
from watcher.config.sections import BusinessHours
from watcher.tickets.business_hours import add_business_time


@dataclass(frozen=True)
class TicketPolicy:
    ticket_level: int
    respond_within: tuple[timedelta, ...]
    max_age: timedelta
    business_hours: BusinessHours | None
    tz: tzinfo

    @classmethod
    def from_config(cls, config: Config) -> TicketPolicy:
        return cls(config.scoring.ticket_level, config.sla.respond_within,
                   config.monitor.max_age, config.sla.business_hours, config.tz)

    def qualifies(self, level: int | None, created_at: datetime, now: datetime,
                  first_sweep: bool) -> bool:
        """A mention at level 1..ticket_level becomes a ticket, unless it is old news found on
        a source's first sweep (stored, but nobody needs to be woken for last month's post)."""
        if level is None or level > self.ticket_level:
            return False
        return not (first_sweep and created_at < now - self.max_age)

    def deadline(self, level: int, start: datetime) -> datetime:
        """First-response deadline; the clock pauses outside business hours where configured."""
        return self.later(level, start, self.respond_within[level - 1])

    def later(self, level: int, start: datetime, duration: timedelta) -> datetime:
        """`start` + `duration` on the level's clock (business hours only, where configured)."""
        hours = self.business_hours
        if hours is not None and level in hours.levels:
            return add_business_time(start, duration, hours, self.tz)
        return start + duration
