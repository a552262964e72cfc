"""`watcher run`, `watcher healthcheck` and `watcher sla`: the daemon, its health as the
container asks for it, and one SLA pass by hand."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from watcher.cli.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    load_config,
    open_store,
    read_config,
    scorer_for,
)
from watcher.config.sections import WebUser
from watcher.errors import ConfigError, WebServerError

SLA_ALERT_TIME_LIMIT = 30.0  # seconds `sla` spends sending the alerts it made before it exits


def add_commands(commands: Any) -> None:
    run = commands.add_parser("run", help="run the daemon")
    run.set_defaults(handler=cmd_run)
    health = commands.add_parser("healthcheck", help="exit 0 when the local daemon's /healthz "
                                 "answers 200 (the container's HEALTHCHECK)")
    health.add_argument("--url", help="default: http://127.0.0.1:[web] port/healthz")
    health.set_defaults(handler=cmd_healthcheck)
    sla = commands.add_parser("sla", help="run one SLA pass: reminders, escalations, progress")
    sla.add_argument("--at", metavar="ISO-TIME", help="as of this time (default: now)")
    sla.add_argument("--json", action="store_true")
    sla.set_defaults(handler=cmd_sla)


def cmd_run(args: argparse.Namespace) -> int:
    from watcher.http.client import preload_ssl_context  # lazy: see the package docstring

    preload_ssl_context()
    config = load_config(args)
    store = open_store(config)
    from watcher.runtime.daemon import Daemon  # lazy: see the package docstring
    from watcher.web.server import serve

    def read_users() -> tuple[WebUser, ...]:  # `watcher user remove` works without a restart
        return read_config(args).web.users

    try:
        asyncio.run(Daemon(config, store, scorer_for(config, store),
                           serve=functools.partial(serve, read_users=read_users)).run())
    except WebServerError as exc:
        raise ConfigError([f"{config.label}: web: {exc}"]) from None
    finally:
        store.close()
    return EXIT_OK


def cmd_healthcheck(args: argparse.Namespace) -> int:
    url = args.url or f"http://127.0.0.1:{read_config(args).web.port}/healthz"
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
    from watcher.runtime.dispatch import dispatch_for  # lazy: see the package docstring
    from watcher.tickets.sla import sla_pass

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
                                          time_limit=SLA_ALERT_TIME_LIMIT))
    finally:
        store.close()
    result = {"reminded": report.reminded, "escalated": report.escalated,
              "progress": report.progress, "followup_reminded": report.followup_reminded,
              "followup_escalated": report.followup_escalated,
              "alerts": {"sent": alerts.sent, "failed": alerts.failed}}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"reminded {report.reminded}, escalated {report.escalated}, progress reminders "
              f"{report.progress}, follow-ups reminded {report.followup_reminded} and escalated "
              f"{report.followup_escalated}; alerts: {alerts.sent} sent, {alerts.failed} failed")
    return EXIT_OK
