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
from zoneinfo import ZoneInfo

from watcher import secrets
from watcher.schema import Problems, Url, build
from watcher.sections import (
    SECTIONS,
    AlertsSection,
    DutySection,
    HealthSection,
    HttpSection,
    IncidentsSection,
    MonitorSection,
    ScheduleSection,
    ScoringSection,
    SlaSection,
    TicketsSection,
    WatcherSection,
    WebSection,
    check_sections,
    valid_zone,
)

DEFAULT_CONFIG_NAME = "config.toml"
DATABASE_ENV = "WATCHER_DATABASE_URL"
CONFIG_ENV = "WATCHER_CONFIG"
WEB_PORT_ENV = "WATCHER_WEB_PORT"
WEB_BIND_ENV = "WATCHER_WEB_BIND"


class ConfigError(Exception):
    """A config that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
    watcher: WatcherSection = field(default_factory=WatcherSection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    monitor: MonitorSection = field(default_factory=MonitorSection)
    http: HttpSection = field(default_factory=HttpSection)
    scoring: ScoringSection = field(default_factory=ScoringSection)
    sla: SlaSection = field(default_factory=SlaSection)
    alerts: AlertsSection = field(default_factory=AlertsSection)
    duty: DutySection = field(default_factory=DutySection)
    tickets: TicketsSection = field(default_factory=TicketsSection)
    incidents: IncidentsSection = field(default_factory=IncidentsSection)
    health: HealthSection = field(default_factory=HealthSection)
    web: WebSection = field(default_factory=WebSection)
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
    check_sections(values, problems)
    sources = _build_sources(raw.get("sources", []), values, problems)
    if problems:
        raise ConfigError([f"{label}: {p}" for p in problems])
    if os.environ.get(DATABASE_ENV):
        values["watcher"] = dataclasses.replace(
            values.get("watcher") or WatcherSection(), database=os.environ[DATABASE_ENV]
        )
    if os.environ.get(WEB_PORT_ENV):
        values["web"] = dataclasses.replace(values.get("web") or WebSection(),
                                            port=_web_port(os.environ[WEB_PORT_ENV], label))
    if os.environ.get(WEB_BIND_ENV):  # the container image listens on 0.0.0.0 whatever the file
        values["web"] = dataclasses.replace(values.get("web") or WebSection(),
                                            bind=os.environ[WEB_BIND_ENV])
    return Config(path=path, sources=tuple(sources), **values)


def _web_port(text: str, label: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise ConfigError([f"{label}: {WEB_PORT_ENV}: not a TCP port: {text!r}"])
    return int(text)


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


def _build_sources(tables: Any, values: dict[str, Any], problems: Problems) -> list[SourceConfig]:
    if not isinstance(tables, list):
        problems.add("sources", "expected [[sources]] tables")
        return []
    schedule = values.get("schedule") or ScheduleSection()
    watcher = values.get("watcher") or WatcherSection()
    timezone = watcher.timezone if valid_zone(watcher.timezone) else "UTC"
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
    if source.timezone is not None and not valid_zone(source.timezone):
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
