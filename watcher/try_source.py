"""`watcher try-source NAME`: fetch one configured source now, store nothing, and show what it
found and how each item would score. What an admin runs after adding a platform."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from connectors import connector_for
from watcher.config import Config, SourceConfig
from watcher.dedup import identify
from watcher.httpclient import HttpClient
from watcher.model import FetchResult, SourceError
from watcher.text import excerpt


async def _fetch(config: Config, source: SourceConfig) -> FetchResult:
    async with HttpClient(config.http) as http:
        return await connector_for(source.kind).fetch(source, {}, http)


def try_source(config: Config, source: SourceConfig, limit: int, as_json: bool) -> int:
    from watcher.cli import scorer_for
    from watcher.scoring import score_to_dict

    try:
        result = asyncio.run(_fetch(config, source))
    except SourceError as exc:
        print(f"{source.name}: {exc.kind} error: {exc}", file=sys.stderr)
        return 1
    scorer = scorer_for(config)()
    shown = []
    for mention in result.mentions[:limit]:
        score = scorer.score(mention.text, title=mention.title or "", threshold=source.threshold)
        shown.append({
            "id": identify(mention), "author": mention.author, "url": mention.url,
            "created_at": mention.created_at.isoformat() if mention.created_at else None,
            "rating": mention.rating, "engagement": mention.engagement,
            **score_to_dict(mention.text, score),
        })
    if as_json:
        print(json.dumps({"source": source.name, "fetched": len(result.mentions),
                          "warnings": result.warnings, "items": shown}, ensure_ascii=False,
                         indent=2))
    else:
        _print(source, result, shown)
    return 0


def _print(source: SourceConfig, result: FetchResult, shown: list[dict[str, Any]]) -> None:
    print(f"{source.name} ({source.kind}): {len(result.mentions)} items"
          + (f", showing {len(shown)}" if len(shown) < len(result.mentions) else ""))
    for warning in result.warnings:
        print(f"  warning: {warning}")
    for item in shown:
        verdict = (f"level {item['level']} {item['category']}" if item["level"] else "no ticket")
        risks = f" risks {','.join(item['risks'])}" if item["risks"] else ""
        print(f"\n- {item['id']}  {item['author'] or '-'}  {item['created_at'] or 'no date'}")
        print(f"  {item['url'] or ''}")
        print(f"  {excerpt(item['text'], 120)}")
        print(f"  complaint {item['complaint']} (p={item['probability']:.2f}), {verdict}{risks}")
