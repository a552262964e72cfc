"""The `watcher` command line. Standard output carries only each command's output; logs go to
standard error. Exit codes: 0 success, 1 a source or lookup failed, 2 a bad config or usage."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from watcher import config as config_module
from watcher import logs
from watcher.config import Config, ConfigError

if TYPE_CHECKING:
    from watcher.scoring import Scorer
    from watcher.store.db import Store

log = logging.getLogger("watcher")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
SWEEP_ALERT_TIME_LIMIT = 30.0  # seconds `sweep` spends sending pending alerts before it exits


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="watcher", description=__doc__)
    parser.add_argument("--config", help="config file (default: $WATCHER_CONFIG, ./config.toml)")
    parser.add_argument("--log-level", help="DEBUG, INFO (default), WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("check-config", help="validate the config and summarize it")
    sweep = commands.add_parser("sweep", help="sweep sources once now")
    sweep.add_argument("--source", action="append", default=[], metavar="NAME")
    sweep.add_argument("--json", action="store_true", help="print one JSON document")
    commands.add_parser("run", help="run the daemon")
    health = commands.add_parser("healthcheck", help="exit 0 when the local daemon's /healthz "
                                 "answers 200 (the container's HEALTHCHECK)")
    health.add_argument("--url", help="default: http://127.0.0.1:[web] port/healthz")
    sla = commands.add_parser("sla", help="run one SLA pass: reminders, escalations, progress")
    sla.add_argument("--at", metavar="ISO-TIME", help="as of this time (default: now)")
    sla.add_argument("--json", action="store_true")
    trial = commands.add_parser("try-source", help="fetch one source now, store nothing, "
                                "show what it found and how each item would score")
    trial.add_argument("name", metavar="NAME")
    trial.add_argument("--limit", type=int, default=10, metavar="N", help="items shown (10)")
    trial.add_argument("--json", action="store_true")
    score = commands.add_parser("score", help="score texts (arguments, or one per line on stdin)")
    score.add_argument("texts", nargs="*", metavar="TEXT")
    from watcher.ticket_cli import add_ticket_commands

    add_ticket_commands(commands)
    from watcher.user_cli import add_user_commands

    add_user_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up (imports, config, the store) makes hundreds of thousands of objects that live
    # as long as the process, and little garbage: the collector's passes over them cost a
    # 1,000-source sweep ~0.1 s (bench/). It is off until `started()`.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_command(argv)
    finally:  # as the caller had it (tests call main() many times in one process)
        if collecting:
            gc.enable()
        else:
            gc.disable()


def started() -> None:
    """The end of start-up: what exists now is kept out of the collector's passes (gc.freeze),
    and collecting resumes for what the command makes from here on."""
    gc.freeze()
    gc.enable()


def _run_command(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logs.setup(args.log_level)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "check-config": cmd_check_config,
        "sweep": cmd_sweep,
        "run": cmd_run,
        "score": cmd_score,
        "sla": cmd_sla,
        "try-source": cmd_try_source,
        "healthcheck": cmd_healthcheck,
        "tickets": _tickets,
        "user": _user,
    }
    try:
        return handlers[args.command](args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_FAILED


def _tickets(args: argparse.Namespace) -> int:
    from watcher.ticket_cli import run_ticket_command

    return run_ticket_command(args)


def _user(args: argparse.Namespace) -> int:
    from watcher.user_cli import run_user_command

    return run_user_command(args)


def load_config(args: argparse.Namespace) -> Config:
    config = config_module.load(args.config)
    from watcher.checks import check_runtime

    check_runtime(config)
    return config


def open_store(config: Config) -> Store:
    from watcher.store.db import StoreError, open_store

    try:
        store = open_store(config.watcher.database)
    except StoreError as exc:
        raise ConfigError([f"{config.label}: watcher.database: {exc}"]) from None
    started()
    return store


def scorer_for(config: Config) -> Callable[[], Scorer]:
    """A function returning the one shared Scorer, built on first use: loading the model costs
    time and memory that a sweep with nothing new should not pay."""
    lock = threading.Lock()
    built: list[Scorer] = []

    def get() -> Scorer:
        with lock:
            if not built:
                from watcher.scoring import Scorer

                rules = config.rules_path()
                built.append(Scorer(threshold=config.scoring.threshold,
                                    rules_files=[rules] if rules else []))
        return built[0]

    return get


def cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(args)
    from watcher.checks import summary

    print(summary(config))
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from watcher.httpclient import preload_ssl_context

    preload_ssl_context()  # on another core while the config is read and the store opened
    config = load_config(args)
    chosen = _chosen_sources(config, args.source)
    store = open_store(config)
    try:
        reports, alerts = asyncio.run(_sweep(config, store, chosen))
    finally:
        store.close()
    if args.json:
        document = {"sources": [r.as_dict() for r in reports],
                    "alerts": {"sent": alerts.sent, "failed": alerts.failed}}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        from watcher.ticket_cli import print_table

        columns = ("name", "fetched", "new", "duplicates", "complaints", "tickets", "error")
        print_table(columns, [[getattr(r, c) if c != "error" else (r.error or "-")
                               for c in columns] for r in reports])
        print(f"alerts: {alerts.sent} sent, {alerts.failed} failed")
    # The process ends next. Freezing what the sweep left behind spares the interpreter's exit
    # its garbage collections through all of it: 0.2 s of a 1,000-source sweep (bench/).
    gc.freeze()
    return EXIT_FAILED if any(r.error for r in reports) else EXIT_OK


def _chosen_sources(config: Config, names: list[str]) -> list[Any]:
    if not names:
        return [s for s in config.sources if s.enabled]
    known = {s.name for s in config.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError([f"{config.label}: no source named {n!r} (configured: "
                           f"{', '.join(sorted(known)) or 'none'})" for n in unknown])
    return [config.source(n) for n in names]


async def _sweep(config: Config, store: Store, chosen: list[Any]) -> tuple[list[Any], Any]:
    from watcher.dispatch import dispatch_for
    from watcher.httpclient import HttpClient
    from watcher.pipeline import Pipeline

    async with HttpClient(config.http) as http:
        reports = await Pipeline(config, store, http, scorer_for(config)).sweep(chosen)
    alerts = await dispatch_for(config, store, ignore_backoff=True,
                                time_limit=SWEEP_ALERT_TIME_LIMIT)
    return reports, alerts


def cmd_run(args: argparse.Namespace) -> int:
    from watcher.httpclient import preload_ssl_context

    preload_ssl_context()
    config = load_config(args)
    store = open_store(config)
    from watcher.daemon import Daemon
    from watcher.web.server import WebServerError

    scorer = scorer_for(config)
    try:
        asyncio.run(Daemon(config, store, scorer).run())
    except WebServerError as exc:
        raise ConfigError([f"{config.label}: web: {exc}"]) from None
    finally:
        store.close()
    return EXIT_OK


def cmd_healthcheck(args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request

    if args.url:
        url = args.url
    else:
        port = config_module.load(args.config).web.port
        url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            print(answer.read().decode())
            return EXIT_OK
    except urllib.error.HTTPError as exc:
        print(exc.read().decode() or f"HTTP {exc.code}", file=sys.stderr)
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
    return EXIT_FAILED


def cmd_sla(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from watcher.dispatch import dispatch_for
    from watcher.sla import sla_pass

    config = load_config(args)
    try:
        now = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    except ValueError:
        print(f"--at: not an ISO 8601 time: {args.at!r} (e.g. 2026-11-23T09:30:00+08:00)",
              file=sys.stderr)
        return EXIT_CONFIG
    if now.tzinfo is None:
        now = now.replace(tzinfo=config.tz)
    store = open_store(config)
    try:
        report = sla_pass(store, config, now)
        alerts = asyncio.run(dispatch_for(config, store, ignore_backoff=True,
                                          time_limit=SWEEP_ALERT_TIME_LIMIT))
    finally:
        store.close()
    result = {"reminded": report.reminded, "escalated": report.escalated,
              "progress": report.progress, "alerts": {"sent": alerts.sent,
                                                      "failed": alerts.failed}}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"reminded {report.reminded}, escalated {report.escalated}, progress reminders "
              f"{report.progress}; alerts: {alerts.sent} sent, {alerts.failed} failed")
    return EXIT_OK


def cmd_try_source(args: argparse.Namespace) -> int:
    from watcher.try_source import try_source

    config = load_config(args)
    (source,) = _chosen_sources(config, [args.name])
    return try_source(config, source, max(0, args.limit), args.json)


def cmd_score(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    from watcher.scoring import score_to_dict

    scorer = scorer_for(config)()
    started()  # texts may stream in on stdin for as long as the caller likes
    texts = args.texts or (line.rstrip("\n") for line in sys.stdin)
    for text in texts:
        if text.strip():
            print(json.dumps(score_to_dict(text, scorer.score(text)), ensure_ascii=False),
                  flush=not args.texts)
    return EXIT_OK
