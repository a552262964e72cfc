"""Loads and validates config.toml into the frozen dataclasses of `watcher.config.document`.

Every key has a default except a source's `name`, `kind` and what its kind requires, so any
table may be left out. All problems are collected and reported together, one line each, naming
the file, the table and the key; the CLI exits 2 on them.

The kinds of source are the connectors' business, and connectors sit above the config in the
flow; so the caller hands in `kinds`, the lookup that knows each kind's own keys
(`connectors.connector_for`), instead of the config importing the connectors.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from watcher import redaction
from watcher.config.document import COMMON_SOURCE_KEYS, Config, SourceConfig
from watcher.config.env import expand_env
from watcher.config.schema import Problems, build, convert, unknown
from watcher.config.sections import (
    SECTIONS,
    Reply,
    ScheduleSection,
    WatcherSection,
    WebSection,
    check_sections,
    reply_problems,
    valid_zone,
)
from watcher.errors import ConfigError, UnknownKind


class SourceKind(Protocol):
    """What the config needs of a kind of source: its own keys and their checks."""

    @property
    def Options(self) -> type: ...  # a class attribute on the connectors

    @property
    def requires_url(self) -> bool: ...

    def check(self, options: Any) -> list[tuple[str, str]]: ...


KindLookup = Callable[[str], SourceKind]
"""Returns the kind called so, or raises `UnknownKind`."""


DEFAULT_CONFIG_NAME = "config.toml"
DATABASE_ENV = "WATCHER_DATABASE_URL"
CONFIG_ENV = "WATCHER_CONFIG"
WEB_PORT_ENV = "WATCHER_WEB_PORT"
WEB_BIND_ENV = "WATCHER_WEB_BIND"


def resolve_path(explicit: str | None) -> tuple[Path | None, bool]:
    """The config file to read and whether it must exist: --config, $WATCHER_CONFIG, then
    ./config.toml (which may be absent: built-in defaults)."""
    if explicit:
        return Path(explicit), True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    default = Path(DEFAULT_CONFIG_NAME)
    return (default, False) if default.exists() else (None, False)


def load(explicit: str | None, kinds: KindLookup) -> Config:
    path, required = resolve_path(explicit)
    if path is None:
        return parse({}, None, kinds)
    label = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ConfigError([f"{path}: file not found"]) from None
        return parse({}, None, kinds)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{label}: not valid TOML: {exc}"]) from None
    return parse(raw, path, kinds)


def parse(raw: Mapping[str, Any], path: Path | None, kinds: KindLookup) -> Config:
    """A validated Config from a parsed TOML document; raises ConfigError listing every problem."""
    label = path.name if path else "config"
    problems = Problems()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in SECTIONS:
            values[key] = build(SECTIONS[key], expand_env(value, key, problems), key, problems)
        elif key == "replies":
            values[key] = _build_replies(expand_env(value, key, problems), problems)
        elif key != "sources":
            problems.add(key, unknown("table", key, [*SECTIONS, "sources", "replies"]))
    values = {k: v for k, v in values.items() if v is not None}
    check_sections(values, problems)
    sources = _build_sources(raw.get("sources", []), values, problems, kinds)
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


def _build_replies(tables: Any, problems: Problems) -> tuple[Reply, ...]:
    replies = convert(tuple[Reply, ...], tables, "replies", problems) or ()
    for index, reply in enumerate(replies):
        for key, message in reply_problems(reply) if reply else ():
            problems.add(f"replies[{index}].{key}", message)
    return tuple(r for r in replies if r is not None)


def _web_port(text: str, label: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise ConfigError([f"{label}: {WEB_PORT_ENV}: not a TCP port: {text!r}"])
    return int(text)


def _build_sources(tables: Any, values: dict[str, Any], problems: Problems,
                   kinds: KindLookup) -> list[SourceConfig]:
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
                               problems, kinds)
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
    table: Any, where: str, schedule: ScheduleSection, timezone: str, problems: Problems,
    kinds: KindLookup,
) -> SourceConfig | None:
    if not isinstance(table, Mapping):
        problems.add(where, "expected a table")
        return None
    common = {k: v for k, v in table.items() if k in COMMON_SOURCE_KEYS}
    own = {k: v for k, v in table.items() if k not in COMMON_SOURCE_KEYS}
    before = len(problems)
    source = build(SourceConfig, common, where, problems)
    kind = table.get("kind")
    try:
        connector = kinds(kind) if isinstance(kind, str) else None
    except UnknownKind as exc:
        problems.add(f"{where}.kind", str(exc))
        return None
    options = (build(connector.Options, own, where, problems, shared=COMMON_SOURCE_KEYS)
               if connector else None)
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
        redaction.register(value)
    return dataclasses.replace(
        source,
        timezone=source.timezone or timezone,
        patrols=source.patrols if source.patrols is not None else schedule.patrols,
        sweep_every=source.sweep_every or schedule.sweep_every,
        options=options,
    )
