"""`watcher report`: the complaint report (《投诉分析报告》) of a month or a week, written as one
self-contained HTML file, its summary printed, and with --send sent to `[reports] to`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from watcher.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, load_config, open_store

REPORT_SEND_TIME_LIMIT = 60.0  # seconds `report --send` spends delivering before it exits


def add_commands(commands: Any) -> None:
    report = commands.add_parser("report", help="write the complaint report of a month (by "
                                 "default the last one) or a week as one HTML file")
    which = report.add_mutually_exclusive_group()
    which.add_argument("--month", metavar="YYYY-MM", type=_period("month"))
    which.add_argument("--week", metavar="YYYY-Www", type=_period("week"))
    report.add_argument("--out", metavar="DIR", default=".",
                        help="where to write it (default: the current directory)")
    report.add_argument("--send", action="store_true",
                        help="also send the summary with the file to [reports] to")
    report.set_defaults(handler=cmd_report)


def _period(kind: str) -> Any:
    def parse(text: str) -> Any:
        from watcher.reporting.period import parse_period  # lazy: see the package docstring

        try:
            period = parse_period(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if period.kind != kind:
            raise argparse.ArgumentTypeError(f"not a {kind}: {text!r}")
        return period

    return parse


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime  # lazy: see the package docstring

    from watcher.reporting import render
    from watcher.reporting.period import month_of
    from watcher.reporting.sending import build, console_base, report_link

    config = load_config(args)
    now = datetime.now(UTC)
    period = args.month or args.week or month_of(now.astimezone(config.tz).date()).previous()
    if period.first > now.astimezone(config.tz).date():
        print(f"{period.key} has not begun yet", file=sys.stderr)
        return EXIT_CONFIG
    store = open_store(config)
    try:
        report = build(store, config, period, now)
        path = Path(args.out) / render.file_name(report)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render.html(report, config.tz, console_base(config)),
                            encoding="utf-8")
        except OSError as exc:
            print(f"cannot write the report: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(path)
        print(render.summary(report, report_link(config, period))[1])
        return _send(store, config, report, now) if args.send else EXIT_OK
    finally:
        store.close()


def _send(store: Any, config: Any, report: Any, now: Any) -> int:
    from watcher.reporting.sending import queue  # lazy: see the package docstring
    from watcher.runtime.dispatch import dispatch_for

    if not config.reports.to:
        print("[reports] to is empty: nothing was sent", file=sys.stderr)
        return EXIT_FAILED
    queue(store, config, report, by=os.environ.get("USER") or "operator", now=now, again=True)
    alerts = asyncio.run(dispatch_for(config, store, ignore_backoff=True,
                                      time_limit=REPORT_SEND_TIME_LIMIT))
    print(f"sent: {alerts.sent}, failed: {alerts.failed}")
    return EXIT_OK
