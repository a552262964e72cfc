"""Every error Watcher raises on purpose, in one tree rooted at `WatcherError`.

A library's errors are mapped to these where they enter (httpcore's in `watcher.http.client`,
SQLAlchemy's in `watcher.store.db`, socket errors in `watcher.web.server`, TOML's in the config
and the rules loaders), so a caller catches what Watcher means, not what a dependency raised:

    WatcherError
    ├── ConfigError          the config cannot be used; one line per problem (the CLI exits 2)
    ├── UnknownKind          a source kind no connector has (a config problem)
    ├── ScoringConfigError   a rules file or threshold the scorer cannot use
    ├── BotUrlError          a chat-bot URL that cannot be sent to (a config problem)
    ├── SourceError          one source's fetch failed; `kind` is a SourceErrorKind
    │   └── HttpStatusError  (watcher.http.models) an answer with an error status
    ├── ItemError            one item of a page cannot be used: a warning, the page goes on
    ├── StoreError           the store cannot be opened or used
    ├── TicketActionError    an action a ticket's status does not allow
    └── WebServerError       the web server cannot start

A plain shared module: it imports nothing of Watcher's.
"""

from __future__ import annotations

from enum import StrEnum


class WatcherError(Exception):
    """The root: anything Watcher raises on purpose."""


class ConfigError(WatcherError):
    """A config that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class UnknownKind(WatcherError, ValueError):
    """A source of a kind no connector has."""


class ScoringConfigError(WatcherError, ValueError):
    """A rules file is unreadable or wrong; the message names the file and the key."""


class BotUrlError(WatcherError, ValueError):
    """What is wrong with a chat-bot URL, fit to show at config validation."""


class SourceErrorKind(StrEnum):
    """Why a fetch failed, for counting (metrics, the sources' state, health alerts). A StrEnum:
    each kind is its own value wherever it is written, and compares equal to it."""

    TIMEOUT = "timeout"  # no answer within the deadline
    HTTP = "http"  # an error status or a redirect loop
    RATE_LIMITED = "rate_limited"  # the platform asks us to slow down
    TOO_LARGE = "too_large"  # the answer is over the size cap
    PARSE = "parse"  # the answer is not what the connector reads (changed shape, bad JSON)
    AUTH = "auth"  # a rejected or expired token or cookie
    NETWORK = "network"  # the connection failed (refused, DNS, TLS)
    BLOCKED = "blocked"  # the platform refuses the client itself (a captcha, a ban page)
    INTERNAL = "internal"  # a bug in Watcher or a connector


class SourceError(WatcherError):
    """A fetch that failed for this source only; `kind` groups errors for counting. The kind may
    be given as the enum or as its value ("timeout")."""

    def __init__(self, message: str, kind: SourceErrorKind | str = SourceErrorKind.HTTP) -> None:
        super().__init__(message)
        self.kind = SourceErrorKind(kind)


class ItemError(WatcherError, ValueError):
    """One item that cannot be used; it becomes a warning, the rest of the page goes on."""


class StoreError(WatcherError):
    """The store cannot be opened or used: a bad URL, an unreachable server, a locked file."""


class TicketActionError(WatcherError):
    """An action that cannot be applied: no such ticket, or not from its current status."""


class WebServerError(WatcherError):
    """The server cannot start: the port is taken or the address is not this machine's."""
