"""`watcher check-config`, `watcher sweep` and `watcher try-source`: the sources, checked,
swept once, or tried without storing anything."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from typing import TYPE_CHECKING, Any

from connectors import connector_for
from watcher.cli.checks import summary
from watcher.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    chosen_sources,
    load_config,
    open_store,
    print_table,
    printable,
    scorer_for,
    stored_adjustments,
)
from watcher.errors import SourceError
from watcher.intake.dedup import identify
from watcher.text import excerpt

if TYPE_CHECKING:
    from watcher.config import Config, SourceConfig
    from watcher.intake.intake import SourceReport
    from watcher.model import FetchResult
    from watcher.runtime.dispatch import DispatchReport
    from watcher.store.db import Store

SWEEP_ALERT_TIME_LIMIT = 30.0  # seconds `sweep` spends sending pending alerts before it exits
SWEEP_COLUMNS = ("name", "fetched", "new", "duplicates", "complaints", "tickets", "error")


def add_commands(commands: Any) -> None:
    check = commands.add_parser("check-config", help="validate the config and summarize it")
    check.set_defaults(handler=cmd_check_config)
    sweep = commands.add_parser("sweep", help="sweep sources once now")
    sweep.add_argument("--source", action="append", default=[], metavar="NAME")
    sweep.add_argument("--json", action="store_true", help="print one JSON document")
    sweep.set_defaults(handler=cmd_sweep)
    trial = commands.add_parser("try-source", help="fetch one source now, store nothing, "
                                "show what it found and how each item would score")
    trial.add_argument("name", metavar="NAME")
    trial.add_argument("--limit", type=int, default=10, metavar="N", help="items shown (10)")
    trial.add_argument("--json", action="store_true")
    trial.set_defaults(handler=cmd_try_source)


def cmd_check_config(args: argparse.Namespace) -> int:
    print(summary(load_config(args)))
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from watcher.http.client import preload_ssl_context  # lazy: see the package docstring

    preload_ssl_context()  # on another core while the config is read and the store opened
    config = load_config(args)
    chosen = chosen_sources(config, args.source)
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
        print_table(SWEEP_COLUMNS, [[getattr(r, c) if c != "error" else (r.error or "-")
                                     for c in SWEEP_COLUMNS] for r in reports])
        print(f"alerts: {alerts.sent} sent, {alerts.failed} failed")
    # The process ends next. Freezing what the sweep left behind spares the interpreter's exit
    # its garbage collections through all of it: 0.2 s of a 1,000-source sweep (bench/).
    gc.freeze()
    return EXIT_FAILED if any(r.error for r in reports) else EXIT_OK


async def _sweep(config: Config, store: Store, chosen: list[SourceConfig]
                 ) -> tuple[list[SourceReport], DispatchReport]:
    from watcher.http.client import HttpClient  # lazy: see the package docstring
    from watcher.intake.pipeline import Pipeline
    from watcher.runtime.dispatch import dispatch_for

    async with HttpClient(config.http) as http:
        reports = await Pipeline(config, store, http, scorer_for(config, store)).sweep(chosen)
    alerts = await dispatch_for(config, store, ignore_backoff=True,
                                time_limit=SWEEP_ALERT_TIME_LIMIT)
    return reports, alerts


def cmd_try_source(args: argparse.Namespace) -> int:
    """Fetches one configured source now, stores nothing, and shows what it found and how each
    item would score: what an admin runs after adding a platform."""
    config = load_config(args)
    (source,) = chosen_sources(config, [args.name])
    from watcher.scoring import score_to_dict  # lazy: see the package docstring
    from watcher.scoring.reach import ReachLine, with_reach

    try:
        result = asyncio.run(_fetch(config, source))
    except SourceError as exc:
        print(printable(f"{source.name}: {exc.kind} error: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    store = stored_adjustments(config)  # the deployment's adjustment, where there is a store
    scorer = scorer_for(config, store)()
    line = ReachLine(config.scoring.reach_followers, config.scoring.viral_engagement)
    shown = []
    for mention in result.mentions[:max(0, args.limit)]:
        score = with_reach(scorer.score(mention.text, title=mention.title or "",
                                        threshold=source.threshold), line,
                           followers=mention.author_followers, engagement=mention.engagement)
        shown.append({
            "id": identify(mention), "author": mention.author, "url": mention.url,
            "created_at": (mention.created_at.isoformat(timespec="seconds")
                           if mention.created_at else None),
            "rating": mention.rating, "engagement": mention.engagement,
            **score_to_dict(mention.text, score),
        })
    if store is not None:
        store.close()
    if args.json:
        print(json.dumps({"source": source.name, "fetched": len(result.mentions),
                          "warnings": result.warnings, "items": shown}, ensure_ascii=False,
                         indent=2))
    else:
        _print_trial(source, result, shown)
    return EXIT_OK


async def _fetch(config: Config, source: SourceConfig) -> FetchResult:
    from watcher.http.client import HttpClient  # lazy: see the package docstring

    async with HttpClient(config.http) as http:
        return await connector_for(source.kind).fetch(source, {}, http)


def _print_trial(source: SourceConfig, result: FetchResult, shown: list[dict[str, Any]]) -> None:
    _say(f"{source.name} ({source.kind}): {len(result.mentions)} items"
         + (f", showing {len(shown)}" if len(shown) < len(result.mentions) else ""))
    for warning in result.warnings:
        _say(f"  warning: {warning}")
    for item in shown:
        verdict = (f"level {item['level']} {item['category']}" if item["level"] else "no ticket")
        risks = f" risks {','.join(item['risks'])}" if item["risks"] else ""
        _say(f"\n- {item['id']}  {item['author'] or '-'}  {item['created_at'] or 'no date'}")
        _say(f"  {item['url'] or ''}")
        _say(f"  {excerpt(item['text'], 120)}")
        _say(f"  complaint {item['complaint']} (p={item['probability']:.2f}), {verdict}{risks}")


def _say(line: str) -> None:
    print(printable(line, lines=True))
