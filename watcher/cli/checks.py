"""Checks of a parsed config that need more than its types (apprise URLs, the rules file), and
the summary `check-config` prints."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from alerts.senders import check_target
from watcher.config import Config
from watcher.errors import ConfigError, ScoringConfigError
from watcher.redaction import redact
from watcher.tickets.business_hours import workdays_of
from watcher.tickets.workdays import unknown_years
from watcher.units import format_duration

log = logging.getLogger(__name__)

ALERT_ROLES = ("on_duty", "supervisor", "manager", "operators")
# How far ahead start-up looks for a year the working calendar does not know: a deadline or a
# follow-up counted in working days reaches a few weeks ahead at most.
CALENDAR_HORIZON = timedelta(days=45)


def check_runtime(config: Config) -> None:
    """Raises ConfigError for alert targets apprise refuses and for an unusable rules file."""
    problems = []
    targets = [(f"alerts.{role}", i, url) for role in ALERT_ROLES
               for i, url in enumerate(getattr(config.alerts, role))]
    targets += [("reports.to", i, url) for i, url in enumerate(config.reports.to)]
    if targets:
        for where, index, url in targets:
            problem = check_target(url)
            if problem:
                problems.append(f"{config.label}: {where}[{index}]: {problem}")
    problems += _reply_names(config)
    rules = config.rules_path()
    if rules is not None:
        from watcher.scoring import Scorer  # lazy: the scorer's modules (~20 ms)

        try:
            Scorer(rules_files=[rules])
        except (ScoringConfigError, OSError) as exc:
            problems.append(f"{config.label}: scoring.rules: {exc}")
    if problems:
        raise ConfigError(problems)
    if not config.alerts.on_duty:
        log.warning("%s: [alerts] on_duty is empty: tickets will be made but nobody is alerted",
                    config.label)
    for problem in calendar_warnings(config, datetime.now(UTC).astimezone(config.tz).date()):
        log.warning("%s", problem)


def _reply_names(config: Config) -> list[str]:
    """[[replies]] for a category or risk the scorer never gives would never be used."""
    if not config.replies:
        return []
    from watcher.scoring import CATEGORIES, RISKS  # lazy: the scorer's modules

    found = []
    for index, reply in enumerate(config.replies):
        if reply.category is not None and reply.category not in CATEGORIES:
            found.append(f"{config.label}: replies[{index}].category: unknown category "
                         f"{reply.category!r} (known: {', '.join(CATEGORIES)})")
        if reply.risk is not None and reply.risk not in RISKS:
            found.append(f"{config.label}: replies[{index}].risk: unknown risk {reply.risk!r} "
                         f"(known: {', '.join(RISKS)})")
    return found


def calendar_warnings(config: Config, today: date) -> list[str]:
    """A warning per year ahead that `calendar = "cn"` has no official calendar for."""
    hours = config.sla.business_hours
    return [f"{config.label}: sla.business_hours.calendar: chinese-calendar has no official "
            f"calendar for {year} yet: its days will be counted by `days` alone, without public "
            "holidays or 调休 working days; upgrade the chinese-calendar package"
            for year in unknown_years(workdays_of(hours), today, CALENDAR_HORIZON)]


def summary(config: Config) -> str:
    schedule = config.schedule
    lines = [
        f"{config.label}: OK",
        f"  timezone {config.watcher.timezone}, database {redact(config.watcher.database)}",
        f"  schedule: patrols {', '.join(t.strftime('%H:%M') for t in schedule.patrols) or 'none'}"
        f"; sweep every {format_duration(schedule.sweep_every)}",
        f"  tickets for levels 1-{config.scoring.ticket_level}; respond within "
        + ", ".join(format_duration(d) for d in config.sla.respond_within),
        "  alerts: " + ", ".join(f"{role} {len(getattr(config.alerts, role))}"
                                 for role in ALERT_ROLES),
    ]
    enabled = sum(s.enabled for s in config.sources)
    lines.append(f"  {len(config.sources)} sources ({enabled} enabled):")
    for source in config.sources:
        plans = []
        if "patrols" in source.schedule and source.patrols:
            plans.append("patrols " + ", ".join(t.strftime("%H:%M") for t in source.patrols))
        if "sweep" in source.schedule and source.sweep_every:
            plans.append(f"sweep every {format_duration(source.sweep_every)}")
        state = "" if source.enabled else " [disabled]"
        where = redact(source.url) if source.url else "preset endpoint"
        lines.append(f"    {source.name} ({source.kind}, {where}): {'; '.join(plans)}{state}")
    return "\n".join(lines)
