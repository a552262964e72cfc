"""Turns a TOML table into a typed, frozen dataclass, collecting every problem with its key path.

A config section is declared as a dataclass; the annotation of each field says how its value is
read: `timedelta` from a duration (`30s`), `time` from `HH:MM`, `ByteSize` from a size (`20MB`),
`Url` from an http(s) URL, `Weekdays` from `mon-fri`, `tuple[X, ...]` from a list, a nested
dataclass from a sub-table. A field without a default is required. Unknown keys are errors, so a
typo never passes silently.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import types
import typing
from collections.abc import Callable, Collection, Mapping
from datetime import time, timedelta
from typing import Any, Literal, NewType, TypeVar
from urllib.parse import urlsplit

from watcher.units import (
    MonthlyAt,
    Span,
    WeeklyAt,
    parse_duration,
    parse_monthly,
    parse_size,
    parse_span,
    parse_time_of_day,
    parse_weekdays,
    parse_weekly,
)

ByteSize = NewType("ByteSize", int)
Weekdays = NewType("Weekdays", frozenset[int])
Url = NewType("Url", str)

T = TypeVar("T")


class Problems(list[str]):
    """Problems found so far, each already prefixed with where it was found."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def parse_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not a valid URL (expected http:// or https:// with a host)")
    return text


_STRING_PARSERS: dict[Any, Callable[[str], Any]] = {
    timedelta: parse_duration,
    time: parse_time_of_day,
    ByteSize: parse_size,
    Url: parse_url,
    Weekdays: parse_weekdays,
    Span: parse_span,
    MonthlyAt: parse_monthly,
    WeeklyAt: parse_weekly,
}


def unknown(what: str, name: str, allowed: Collection[str]) -> str:
    """"unknown key; did you mean 'url'? (allowed: kind, name, url)": every name the place
    takes, and the nearest spelling of `name` among them when one is close."""
    near = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown {what}{hint} (allowed: {', '.join(sorted(allowed)) or 'none'})"


def build(cls: type[T], table: Mapping[str, Any], where: str, problems: Problems,
          shared: Collection[str] = ()) -> T | None:
    """An instance of dataclass `cls` from `table`, recording every problem on the way.

    A value with a problem is replaced by its default, so that later checks still see the rest;
    None when a required key is missing. Callers treat any recorded problem as fatal. `shared`:
    keys the same table takes that another dataclass reads (a source's common keys beside its
    kind's own), named with the allowed ones when a key is unknown.
    """
    if not isinstance(table, Mapping):
        problems.add(where, f"expected a table, got {_type_name(table)}")
        return None
    shape: Any = cls  # a dataclass type is hashable; mypy cannot tell for type[T]
    hints, known = _shape(shape)
    for key in table:
        if key not in known:
            problems.add(f"{where}.{key}", unknown("key", str(key), {*known, *shared}))
    values, complete = {}, True
    for name, field in known.items():
        if name in table:
            before = len(problems)
            value = convert(hints[name], table[name], f"{where}.{name}", problems)
            if len(problems) == before:
                values[name] = value
            elif _required(field):
                complete = False
        elif _required(field):
            problems.add(f"{where}.{name}", "missing required key")
            complete = False
    return cls(**values) if complete else None


@functools.cache
def _shape(cls: Any) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    """Type hints and fields of a dataclass: typing.get_type_hints costs ~0.3 ms, once per
    class instead of once per [[sources]] table."""
    return typing.get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)}


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def convert(hint: Any, value: Any, where: str, problems: Problems) -> Any:
    """`value` read as `hint`; records a problem and returns None when it cannot be."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return convert(options[0], value, where, problems)
    if origin is Literal:
        allowed = typing.get_args(hint)
        if value not in allowed:
            problems.add(where, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value
    if origin is tuple:
        return _convert_list(typing.get_args(hint)[0], value, where, problems)
    if origin is dict:
        return _convert_table(typing.get_args(hint)[1], value, where, problems)
    if hint in _STRING_PARSERS:  # before dataclasses: a Span is one, written as a string
        return _convert_string(_STRING_PARSERS[hint], value, where, problems)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where, problems)  # type: ignore[arg-type]
    return _convert_scalar(hint, value, where, problems)


def _convert_list(item: Any, value: Any, where: str, problems: Problems) -> tuple[Any, ...]:
    if not isinstance(value, list):
        problems.add(where, f"expected a list, got {_type_name(value)}")
        return ()
    return tuple(convert(item, v, f"{where}[{i}]", problems) for i, v in enumerate(value))


def _convert_table(item: Any, value: Any, where: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        problems.add(where, f"expected a table, got {_type_name(value)}")
        return {}
    return {k: convert(item, v, f"{where}.{k}", problems) for k, v in value.items()}


def _convert_string(parse: Callable[[str], Any], value: Any, where: str, problems: Problems) -> Any:
    if not isinstance(value, str):
        problems.add(where, f"expected a string, got {_type_name(value)}")
        return None
    try:
        return parse(value)
    except ValueError as exc:
        problems.add(where, str(exc))
        return None


def _convert_scalar(hint: Any, value: Any, where: str, problems: Problems) -> Any:
    if hint is Any:
        return value
    # TOML booleans are ints in Python; an int is fine where a float is wanted.
    ok = isinstance(value, hint) and not (hint is int and isinstance(value, bool))
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        problems.add(where, f"expected {_type_name(hint())}, got {_type_name(value)}")
        return None
    return value


def _type_name(value: Any) -> str:
    names = {
        str: "a string",
        bool: "true or false",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
