"""The parsed configuration: one frozen dataclass per table, the sources with their kind's own
options, and the error that lists every problem found."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from watcher.config.schema import Url
from watcher.config.sections import (
    AlertsSection,
    DutySection,
    FollowupSection,
    HealthSection,
    HttpSection,
    IncidentsSection,
    MonitorSection,
    Reply,
    ReportsSection,
    ScheduleSection,
    ScoringSection,
    SlaSection,
    TicketsSection,
    WatcherSection,
    WebSection,
)


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
    followup: FollowupSection = field(default_factory=FollowupSection)
    reports: ReportsSection = field(default_factory=ReportsSection)
    incidents: IncidentsSection = field(default_factory=IncidentsSection)
    health: HealthSection = field(default_factory=HealthSection)
    web: WebSection = field(default_factory=WebSection)
    sources: tuple[SourceConfig, ...] = ()
    replies: tuple[Reply, ...] = ()  # the config's own; the shipped ones fill the rest

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
