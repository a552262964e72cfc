"""The configuration: `config.toml` loaded, `${ENV}` expanded, validated into frozen dataclasses.

Owns: the file's tables and keys, their defaults and every problem message. Imports only the
plain shared modules (`watcher.units`, `watcher.redaction`); the kinds of source are handed in
by the caller (see `load`).
"""

from watcher.config.document import Config, SourceConfig
from watcher.config.loading import KindLookup, SourceKind, load, parse
from watcher.errors import ConfigError, UnknownKind  # the config's errors, named here too

__all__ = ["Config", "ConfigError", "KindLookup", "SourceConfig", "SourceKind", "UnknownKind",
           "load", "parse"]
