"""Loads and validates config.toml into frozen dataclasses.

Every key has a default except a source's `name`, `kind` and what its kind requires, so any
table may be left out. All problems are collected and reported together, one line each, naming
the file, the table and the key; the CLI exits 2 on them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher import secrets
from watcher.schema import ByteSize, Problems, Url, build

DEFAULT_CONFIG_NAME = "config.toml"
DATABASE_ENV = "WATCHER_DATABASE_URL"
CONFIG_ENV = "WATCHER_CONFIG"


class ConfigError(Exception):
    """A config that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class WatcherSection:
    timezone: str = "Asia/Shanghai"
    database: str = "sqlite:///watcher.db"


@dataclass(frozen=True)
class ScheduleSection:
    patrols: tuple[time, ...] = (time(9), time(13), time(18))
    sweep_every: timedelta = timedelta(hours=2)


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


@dataclass(frozen=True)
class SlaSection:
    respond_within: tuple[timedelta, ...] = (
        timedelta(minutes=10),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=24),
    )


@dataclass(frozen=True)
class AlertsSection:
    on_duty: tuple[str, ...] = ()
    supervisor: tuple[str, ...] = ()
    manager: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    url: Url | None = None
    enabled: bool = True
    schedule: tuple[Literal["patrols", "sweep"], ...] = ("patrols", "sweep")
    patrols: tuple[time, ...] | None = None  # None: [schedule] patrols (filled in on load)
    sweep_every: timedelta | None = None  # None: [schedule] sweep_every (filled in on load)
    headers: dict[str, str] = field(default_factory=dict)
    threshold: float | None = None
    platform: str | None = None  # shown in alerts; defaults to the kind or the URL's host
    timezone: str | None = None  # for times the platform writes without an offset
    options: Any = None  # the kind's own keys, as the connector's Options dataclass

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")


COMMON_SOURCE_KEYS = frozenset(f.name for f in dataclasses.fields(SourceConfig)) - {"options"}


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    watcher: WatcherSection = WatcherSection()
    schedule: ScheduleSection = ScheduleSection()
    monitor: MonitorSection = MonitorSection()
    http: HttpSection = HttpSection()
    scoring: ScoringSection = ScoringSection()
    sla: SlaSection = SlaSection()
    alerts: AlertsSection = AlertsSection()
    sources: tuple[SourceConfig, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.watcher.timezone)

    @property
    def label(self) -> str:
        return self.path.name if self.path else "built-in defaults"

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def rules_path(self) -> Path | None:
        if not self.scoring.rules:
            return None
        base = self.path.parent if self.path else Path.cwd()
        return base / self.scoring.rules


SECTIONS: dict[str, type] = {
    "watcher": WatcherSection,
    "schedule": ScheduleSection,
    "monitor": MonitorSection,
    "http": HttpSection,
    "scoring": ScoringSection,
    "sla": SlaSection,
    "alerts": AlertsSection,
}


def resolve_path(explicit: str | None) -> tuple[Path | None, bool]:
    """The config file to read and whether it must exist: --config, $WATCHER_CONFIG, then
    ./config.toml (which may be absent: built-in defaults)."""
    if explicit:
        return Path(explicit), True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    default = Path(DEFAULT_CONFIG_NAME)
    return (default, False) if default.exists() else (None, False)


def load(explicit: str | None = None) -> Config:
    path, required = resolve_path(explicit)
    if path is None:
        return parse({}, None)
    label = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ConfigError([f"{path}: file not found"]) from None
        return parse({}, None)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{label}: not valid TOML: {exc}"]) from None
    return parse(raw, path)


def parse(raw: Mapping[str, Any], path: Path | None) -> Config:
    """A validated Config from a parsed TOML document; raises ConfigError listing every problem."""
    label = path.name if path else "config"
    problems = Problems()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in SECTIONS:
            values[key] = build(SECTIONS[key], expand_env(value, key, problems), key, problems)
        elif key != "sources":
            allowed = ", ".join([*SECTIONS, "sources"])
            problems.add(key, f"unknown table (allowed: {allowed})")
    values = {k: v for k, v in values.items() if v is not None}
    _check_sections(values, problems)
    sources = _build_sources(raw.get("sources", []), values, problems)
    if problems:
        raise ConfigError([f"{label}: {p}" for p in problems])
    if os.environ.get(DATABASE_ENV):
        values["watcher"] = dataclasses.replace(
            values.get("watcher") or WatcherSection(), database=os.environ[DATABASE_ENV]
        )
    return Config(path=path, sources=tuple(sources), **values)


_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(value: Any, where: str, problems: Problems) -> Any:
    """`value` with `${NAME}` and `${NAME:-default}` in every string taken from the environment."""
    if isinstance(value, str):
        return _expand_string(value, where, problems)
    if isinstance(value, list):
        return [expand_env(v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {k: expand_env(v, f"{where}.{k}", problems) for k, v in value.items()}
    return value


def _expand_string(text: str, where: str, problems: Problems) -> str:
    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            secrets.register(os.environ[name])
            return os.environ[name]
        if default is not None:
            return default
        problems.add(where, f"environment variable {name} is not set (referenced as ${{{name}}})")
        return ""

    return _ENV_REFERENCE.sub(substitute, text)


def _check_sections(values: dict[str, Any], problems: Problems) -> None:
    """Checks beyond types: ranges and names, one small check per section."""
    for name, check in _SECTION_CHECKS.items():
        if values.get(name) is not None:
            for key, message in check(values[name]):
                problems.add(f"{name}.{key}", message)


def _check_watcher(section: WatcherSection) -> list[tuple[str, str]]:
    if _valid_zone(section.timezone):
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
    return found


def _check_sla(section: SlaSection) -> list[tuple[str, str]]:
    if len(section.respond_within) == 4:
        return []
    return [("respond_within", "must list four durations, for levels 1 to 4")]


def _check_schedule(section: ScheduleSection) -> list[tuple[str, str]]:
    if section.sweep_every.total_seconds() >= 1:
        return []
    return [("sweep_every", "must be at least 1s")]


_SECTION_CHECKS: dict[str, Any] = {
    "watcher": _check_watcher,
    "http": _check_http,
    "scoring": _check_scoring,
    "sla": _check_sla,
    "schedule": _check_schedule,
}


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _build_sources(tables: Any, values: dict[str, Any], problems: Problems) -> list[SourceConfig]:
    if not isinstance(tables, list):
        problems.add("sources", "expected [[sources]] tables")
        return []
    schedule = values.get("schedule") or ScheduleSection()
    watcher = values.get("watcher") or WatcherSection()
    timezone = watcher.timezone if _valid_zone(watcher.timezone) else "UTC"
    sources: list[SourceConfig] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        name = table.get("name") if isinstance(table, Mapping) else None
        where = f"sources[{index}]" + (f" ({name})" if isinstance(name, str) else "")
        if isinstance(name, str):
            if name in seen:
                problems.add(f"{where}.name", f"duplicate source name (also sources[{seen[name]}])")
            seen.setdefault(name, index)
        source = _build_source(expand_env(table, where, problems), where, schedule, timezone,
                               problems)
        if source is not None:
            sources.append(source)
    return sources


def _check_source(source: SourceConfig) -> list[tuple[str, str]]:
    found = []
    if source.threshold is not None and not 0 < source.threshold < 1:
        found.append(("threshold", "must be between 0 and 1"))
    if not source.schedule and source.enabled:
        found.append(("schedule", "must name patrols, sweep or both"))
    if source.timezone is not None and not _valid_zone(source.timezone):
        found.append(("timezone", f"unknown time zone {source.timezone!r}"))
    if source.sweep_every is not None and source.sweep_every.total_seconds() < 1:
        found.append(("sweep_every", "must be at least 1s"))
    if len(source.name) > 200 or not source.name.strip():
        found.append(("name", "must be 1 to 200 characters"))
    return found


def _build_source(
    table: Any, where: str, schedule: ScheduleSection, timezone: str, problems: Problems
) -> SourceConfig | None:
    from connectors import UnknownKind, connector_for

    if not isinstance(table, Mapping):
        problems.add(where, "expected a table")
        return None
    common = {k: v for k, v in table.items() if k in COMMON_SOURCE_KEYS}
    own = {k: v for k, v in table.items() if k not in COMMON_SOURCE_KEYS}
    before = len(problems)
    source = build(SourceConfig, common, where, problems)
    kind = table.get("kind")
    try:
        connector = connector_for(kind) if isinstance(kind, str) else None
    except UnknownKind as exc:
        problems.add(f"{where}.kind", str(exc))
        return None
    options = build(connector.Options, own, where, problems) if connector else None
    if source is None or options is None or connector is None:
        return None
    if connector.requires_url and not source.url and "url" not in common:
        problems.add(f"{where}.url", f"missing required key (kind {kind!r} needs a url)")
    for key, message in _check_source(source):
        problems.add(f"{where}.{key}", message)
    for key, problem in connector.check(options):
        problems.add(f"{where}.{key}", problem)
    if len(problems) > before:
        return None
    for value in source.headers.values():
        secrets.register(value)
    return dataclasses.replace(
        source,
        timezone=source.timezone or timezone,
        patrols=source.patrols if source.patrols is not None else schedule.patrols,
        sweep_every=source.sweep_every or schedule.sweep_every,
        options=options,
    )
