"""The tables of config.toml other than [[sources]], as frozen dataclasses with their defaults,
and the checks each needs beyond its types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.config.schema import ByteSize, Problems, Weekdays, parse_url
from watcher.passwords import password_hash_problem, token_hash_problem
from watcher.units import MonthlyAt, Span, WeeklyAt


@dataclass(frozen=True)
class WatcherSection:
    timezone: str = "Asia/Shanghai"
    database: str = "sqlite:///watcher.db"


@dataclass(frozen=True)
class ScheduleSection:
    patrols: tuple[time, ...] = (time(9), time(13), time(18))
    sweep_every: timedelta = timedelta(hours=2)
    # A replica polling a slot holds its claim this long, renewing it while it works; a replica
    # that dies leaves a claim that expires, and another takes the slot over.
    claim_lease: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class WebUser:
    """One person who may log in to the staff console (`watcher user add` prints the entry)."""

    name: str  # also the actor recorded in ticket history
    role: Literal["staff", "viewer", "admin"]  # viewer reads; staff acts; admin also sees sources
    password_hash: str  # scrypt$N$r$p$salt$hash
    token_hash: str | None = None  # sha256$hex of the user's API token; None: no API access


@dataclass(frozen=True)
class WebSection:
    bind: str = "127.0.0.1"
    port: int = 8080  # WATCHER_WEB_PORT overrides; 0 = any free port (logged)
    public_url: str | None = None  # the console's address as staff reach it, for alert links
    language: Literal["zh_CN", "en"] = "zh_CN"  # the console's language until a user picks one
    session_lifetime: timedelta = timedelta(hours=12)  # a login lasts this long (a long shift)
    users: tuple[WebUser, ...] = ()
    # Hostile clients: a request head must arrive within this (idle connections close too),
    # a request body (a form, at most 1 MiB) within body_timeout once the head is in; at most
    # this many connections from one address, and in all (watcher.web.limits).
    header_timeout: timedelta = timedelta(seconds=10)
    body_timeout: timedelta = timedelta(seconds=30)
    max_client_connections: int = 64
    max_connections: int = 512


@dataclass(frozen=True)
class MonitorSection:
    keywords: tuple[str, ...] = ()
    max_age: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class HttpSection:
    timeout: timedelta = timedelta(seconds=20)
    max_bytes: ByteSize = ByteSize(20_000_000)
    concurrency: int = 100
    per_host: int = 8
    retries: int = 2
    follow_redirects: bool = True
    user_agent: str = "Watcher/0.1 (+https://github.com/watcher-cs/watcher)"


@dataclass(frozen=True)
class ScoringSection:
    ticket_level: int = 3
    threshold: float | None = None  # None: the model's tuned default
    rules: str | None = None  # an extra rules file, relative to config.toml
    # A complaint by an author with this many followers, or with this many likes + reposts +
    # replies, is at least level 2 (the `reach` risk; watcher.scoring.reach).
    reach_followers: int = 100_000
    viral_engagement: int = 1_000


@dataclass(frozen=True)
class BusinessHours:
    """The SLA clock of the `levels` named runs only within these hours, on the working days:
    `days`, and with `calendar = "cn"` China's official calendar on top of them (public
    holidays closed, 调休 weekend days open). A follow-up due in `N workdays` counts the same
    working days."""

    levels: tuple[int, ...] = ()
    days: Weekdays = Weekdays(frozenset(range(5)))
    start: time = time(9)
    end: time = time(18)
    calendar: Literal["cn"] | None = None


@dataclass(frozen=True)
class SlaSection:
    respond_within: tuple[timedelta, ...] = (
        timedelta(minutes=10),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=24),
    )
    escalate_after: timedelta = timedelta(minutes=30)  # after a breach, tell the supervisor
    progress_every: timedelta = timedelta(hours=2)  # open level 1-2 tickets want a note this often
    business_hours: BusinessHours | None = None


@dataclass(frozen=True)
class Shift:
    name: str  # the staff member
    days: Weekdays
    start: time
    end: time  # before `start`: the shift runs past midnight
    notify: tuple[str, ...] = ()  # apprise URLs


@dataclass(frozen=True)
class DutySection:
    shifts: tuple[Shift, ...] = ()


@dataclass(frozen=True)
class TicketsSection:
    repeat_window: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class FollowupSection:
    """The call back (回访) after a ticket is resolved, and what a low satisfaction score does."""

    within: Span = Span(workdays=3)  # the assignee calls back within this of resolving
    low_score: int = 3  # a score (1-5) at or below this reopens the ticket to a supervisor
    supervisor_within: Span = Span(duration=timedelta(hours=48))  # ... who answers within this


@dataclass(frozen=True)
class ReportsSection:
    """The complaint report (《投诉分析报告》): who gets it, when, and which share of all
    complaints flags a category for review (001: above 15%)."""

    to: tuple[str, ...] = ()  # apprise URLs; none: the daemon sends nothing
    monthly: MonthlyAt | None = MonthlyAt(1, time(9))  # "1 09:00": last month's, on the 1st
    weekly: WeeklyAt | None = None  # e.g. "mon 09:00": last week's, every Monday
    flag_share: float = 0.15


# What a suggested reply may name, filled in for each ticket (watcher.tickets.replies).
REPLY_PLACEHOLDERS = ("author", "platform", "category", "ticket")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_REPLY = 1000  # characters: a first reply, not a letter


@dataclass(frozen=True)
class Reply:
    """A suggested first reply ([[replies]]) for tickets of a category, or with a risk."""

    text: str
    category: str | None = None
    risk: str | None = None


def reply_problems(reply: Reply) -> list[tuple[str, str]]:
    """What is wrong with one [[replies]] table beyond its types (its category or risk is
    checked against the scorer's names where those are known: watcher.cli.checks)."""
    found = []
    if (reply.category is None) == (reply.risk is None):
        found.append(("category", "give either category or risk"))
    if not reply.text.strip() or len(reply.text) > MAX_REPLY:
        found.append(("text", f"must be 1 to {MAX_REPLY} characters"))
    unknown = [name for name in PLACEHOLDER.findall(reply.text)
               if name not in REPLY_PLACEHOLDERS]
    if unknown:
        known = ", ".join("{" + name + "}" for name in REPLY_PLACEHOLDERS)
        found.append(("text", f"unknown placeholder {{{unknown[0]}}} (known: {known})"))
    elif reply.text.count("{") != reply.text.count("}"):
        found.append(("text", "a { without its } (or the reverse)"))
    return found


@dataclass(frozen=True)
class IncidentsSection:
    min_complaints: int = 5
    window: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class HealthSection:
    alert_after: int = 3  # failed sweeps in a row before the operators are told


@dataclass(frozen=True)
class AlertsSection:
    on_duty: tuple[str, ...] = ()
    supervisor: tuple[str, ...] = ()
    manager: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    digest_over: int = 30  # alerts to one target in a minute beyond which the rest are digested


SECTIONS: dict[str, type] = {
    "watcher": WatcherSection,
    "schedule": ScheduleSection,
    "monitor": MonitorSection,
    "http": HttpSection,
    "scoring": ScoringSection,
    "sla": SlaSection,
    "alerts": AlertsSection,
    "duty": DutySection,
    "tickets": TicketsSection,
    "followup": FollowupSection,
    "reports": ReportsSection,
    "incidents": IncidentsSection,
    "health": HealthSection,
    "web": WebSection,
}


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_sections(values: dict[str, Any], problems: Problems) -> None:
    """Checks beyond types: ranges and names, one small check per section."""
    for name, check in _SECTION_CHECKS.items():
        if values.get(name) is not None:
            for key, message in check(values[name]):
                problems.add(f"{name}.{key}", message)


def _check_watcher(section: WatcherSection) -> list[tuple[str, str]]:
    if valid_zone(section.timezone):
        return []
    return [("timezone", f"unknown time zone {section.timezone!r}")]


def _check_http(section: HttpSection) -> list[tuple[str, str]]:
    found = [(key, "must be at least 1") for key in ("concurrency", "per_host")
             if getattr(section, key) < 1]
    if section.retries < 0:
        found.append(("retries", "must not be negative"))
    if section.timeout.total_seconds() <= 0:
        found.append(("timeout", "must be longer than 0s"))
    return found


def _check_scoring(section: ScoringSection) -> list[tuple[str, str]]:
    found = []
    if not 1 <= section.ticket_level <= 4:
        found.append(("ticket_level", "must be a level from 1 to 4"))
    if section.threshold is not None and not 0 < section.threshold < 1:
        found.append(("threshold", "must be between 0 and 1"))
    found += [(key, "must be at least 1") for key in ("reach_followers", "viral_engagement")
              if getattr(section, key) < 1]
    return found


def _check_sla(section: SlaSection) -> list[tuple[str, str]]:
    found = []
    if len(section.respond_within) != 4:
        found.append(("respond_within", "must list four durations, for levels 1 to 4"))
    hours = section.business_hours
    if hours is not None:
        if any(not 1 <= level <= 4 for level in hours.levels):
            found.append(("business_hours.levels", "levels are 1 to 4"))
        if hours.end <= hours.start:
            found.append(("business_hours.end", "must be later than business_hours.start"))
    return found


def _check_followup(section: FollowupSection) -> list[tuple[str, str]]:
    found = [(key, "must be longer than 0s") for key in ("within", "supervisor_within")
             if not (getattr(section, key).workdays or getattr(section, key).duration)]
    if not 1 <= section.low_score <= 4:
        found.append(("low_score", "must be a score from 1 to 4 (scores are 1 to 5)"))
    return found


def _check_reports(section: ReportsSection) -> list[tuple[str, str]]:
    if 0 < section.flag_share < 1:
        return []
    return [("flag_share", "must be a share between 0 and 1, e.g. 0.15")]


def _check_duty(section: DutySection) -> list[tuple[str, str]]:
    return [(f"shifts[{i}].end", "must differ from start")
            for i, shift in enumerate(section.shifts) if shift.start == shift.end]


def _check_positive(name: str) -> Any:
    def check(section: Any) -> list[tuple[str, str]]:
        return [] if getattr(section, name) >= 1 else [(name, "must be at least 1")]

    return check


def _check_schedule(section: ScheduleSection) -> list[tuple[str, str]]:
    found = []
    if section.sweep_every.total_seconds() < 1:
        found.append(("sweep_every", "must be at least 1s"))
    if section.claim_lease.total_seconds() < 1:
        found.append(("claim_lease", "must be at least 1s"))
    return found


def _check_web(section: WebSection) -> list[tuple[str, str]]:
    found = []
    if not 0 <= section.port <= 65535:
        found.append(("port", "must be a TCP port, 0 to 65535"))
    if section.public_url is not None:
        try:
            parse_url(section.public_url)
        except ValueError as exc:
            found.append(("public_url", str(exc)))
    if section.session_lifetime < timedelta(minutes=1):
        found.append(("session_lifetime", "must be at least 1m"))
    for key in ("header_timeout", "body_timeout"):
        if getattr(section, key) < timedelta(seconds=1):
            found.append((key, "must be at least 1s"))
    for key in ("max_client_connections", "max_connections"):
        if getattr(section, key) < 1:
            found.append((key, "must be at least 1"))
    return found + _check_web_users(section.users)


def _check_web_users(users: tuple[WebUser, ...]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    names: dict[str, int] = {}
    tokens: dict[str, int] = {}
    for i, user in enumerate(users):
        if not user.name.strip() or len(user.name) > 200:
            found.append((f"users[{i}].name", "must be 1 to 200 characters"))
        if user.name in names:
            found.append((f"users[{i}].name",
                          f"duplicate user name (also users[{names[user.name]}])"))
        names.setdefault(user.name, i)
        problem = password_hash_problem(user.password_hash)
        if problem:
            found.append((f"users[{i}].password_hash", problem))
        if user.token_hash is not None:
            problem = token_hash_problem(user.token_hash)
            if user.token_hash in tokens:
                problem = f"the same token as users[{tokens[user.token_hash]}]"
            if problem:
                found.append((f"users[{i}].token_hash", problem))
            tokens.setdefault(user.token_hash, i)
    return found


_SECTION_CHECKS: dict[str, Any] = {
    "watcher": _check_watcher,
    "http": _check_http,
    "scoring": _check_scoring,
    "sla": _check_sla,
    "schedule": _check_schedule,
    "duty": _check_duty,
    "followup": _check_followup,
    "reports": _check_reports,
    "incidents": _check_positive("min_complaints"),
    "health": _check_positive("alert_after"),
    "alerts": _check_positive("digest_over"),
    "web": _check_web,
}
