"""The `watcher` command line: the outermost edge. Nothing in the package imports it.

Standard output carries only each command's output; logs go to standard error. Exit codes: 0
success, 1 a source or lookup failed, 2 a bad config or usage.

One module per command group (`sources`, `daemon`, `score`, `tickets`, `report`, `users`);
what they share is in `common`. Each command imports what it needs when it runs, inside its
handler: a command should not pay for what another needs (`tickets list` for httpx and the
scorer), and the start-up of `watcher sweep` is part of the warm sweep that `make bench`
measures (bench/README.md).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from watcher.cli import daemon, learning, report, score, sources, tickets, users
from watcher.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK
from watcher.errors import ConfigError
from watcher.runtime import logs

__all__ = ["EXIT_CONFIG", "EXIT_FAILED", "EXIT_OK", "build_parser", "main"]

COMMAND_GROUPS = (sources, daemon, score, tickets, learning, report, users)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="watcher", description=__doc__.split("\n\n")[1])
    parser.add_argument("--config", help="config file (default: $WATCHER_CONFIG, ./config.toml)")
    parser.add_argument("--log-level", help="DEBUG, INFO (default), WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up (imports, config, the store) makes hundreds of thousands of objects that live
    # as long as the process, and little garbage: the collector's passes over them cost a
    # 1,000-source sweep ~0.1 s (bench/). It is off until `common.started()`.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_command(argv)
    finally:  # as the caller had it (tests call main() many times in one process)
        if collecting:
            gc.enable()
        else:
            gc.disable()


def _run_command(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logs.setup(args.log_level)
    try:
        result: int = args.handler(args)
        return result
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_FAILED
