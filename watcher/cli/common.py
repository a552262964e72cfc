"""What the command groups share: the config with its runtime checks, the store, the scorer
built on first use, the end of start-up, and plain-text tables."""

from __future__ import annotations

import argparse
import gc
import logging
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors import connector_for
from watcher import config as config_module
from watcher.cli.checks import check_runtime
from watcher.config import Config, SourceConfig
from watcher.errors import ConfigError, StoreError
from watcher.runtime import logs

if TYPE_CHECKING:
    from watcher.scoring import Scorer
    from watcher.scoring.adjust import AdjustedScorer
    from watcher.store.db import Store

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
log = logging.getLogger(__name__)


def read_config(args: argparse.Namespace) -> Config:
    """The config file, parsed and validated; no checks that need more than its types. Log times
    are in its timezone from here on."""
    config = config_module.load(args.config, connector_for)
    logs.use_timezone(config.tz)
    return config


def load_config(args: argparse.Namespace) -> Config:
    """The config file, validated including its alert URLs and rules file."""
    config = read_config(args)
    check_runtime(config)
    return config


def open_store(config: Config) -> Store:
    from watcher.store.db import open_store  # lazy: SQLAlchemy (~200 ms)

    try:
        store = open_store(config.watcher.database)
    except StoreError as exc:
        raise ConfigError([f"{config.label}: watcher.database: {exc}"]) from None
    started()
    return store


def stored_adjustments(config: Config) -> Store | None:
    """The store, for a command that works without one (`watcher score`): None when the config
    names a SQLite file that does not exist (nothing to read, and none is made) or the store
    cannot be opened."""
    url = config.watcher.database
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    from watcher.store.db import open_store  # lazy: SQLAlchemy (~200 ms)

    try:
        return open_store(url)
    except StoreError as exc:
        log.warning("scoring without the deployment's adjustment: %s", exc)
        return None


def started() -> None:
    """The end of start-up: what exists now is kept out of the collector's passes (gc.freeze),
    and collecting resumes for what the command makes from here on."""
    gc.freeze()
    gc.enable()


def scorer_for(config: Config, store: Store | None = None) -> Callable[[], Scorer]:
    """A function returning the one shared Scorer, built on first use: loading the model costs
    time and memory that a sweep with nothing new should not pay. With the store, the scorer
    applies the deployment's adjustment kept there (`watcher retrain`), taking up a new one
    within a minute."""
    lock = threading.Lock()
    built: list[Scorer] = []

    def get() -> Scorer:
        with lock:
            if not built:
                built.append(build_scorer(config, store))
        return built[0]

    return get


def build_scorer(config: Config, store: Store | None = None) -> AdjustedScorer:
    """The scorer as config.toml sets it, with the store's adjustment when a store is given."""
    from watcher.scoring.adjust import AdjustedScorer  # lazy: the model's modules
    from watcher.tickets.learning import AdjustmentSource

    rules = config.rules_path()
    current = AdjustmentSource(store) if store is not None else (lambda: None)
    return AdjustedScorer(current=current, threshold=config.scoring.threshold,
                          rules_files=[rules] if rules else [])


def chosen_sources(config: Config, names: list[str]) -> list[SourceConfig]:
    """The named sources (an unknown name is a config error), or every enabled one."""
    if not names:
        return [s for s in config.sources if s.enabled]
    known = {s.name for s in config.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError([f"{config.label}: no source named {n!r} (configured: "
                           f"{', '.join(sorted(known)) or 'none'})" for n in unknown])
    return [config.source(n) for n in names]


# Control characters shown as what they are instead of done: C0 as their Control Pictures
# (ESC as ␛, BEL as ␇), DEL as ␡, C1 as U+FFFD. Stored text may predate intake's stripping.
_VISIBLE = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421} | {c: 0xFFFD for c in
                                                                  range(0x80, 0xA0)}
_ONE_LINE = _VISIBLE | {ord("\n"): " ", ord("\t"): " "}
_LINES = _VISIBLE | {ord("\n"): "\n", ord("\t"): "\t"}


def printable(value: Any, *, lines: bool = False) -> str:
    """`value` as text safe to print to a terminal; newlines and tabs kept with `lines`."""
    return str(value).translate(_LINES if lines else _ONE_LINE)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain text table whose columns line up with Chinese (double-width) text too."""
    cells = [[printable(c) for c in columns]] + [[printable(v) for v in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        print("  ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths, strict=True))
              .rstrip())
