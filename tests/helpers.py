"""Small builders shared by the tests."""

from __future__ import annotations

import asyncio
from typing import Any

from connectors import connector_for
from watcher.config import HttpSection, SourceConfig, parse
from watcher.httpclient import HttpClient
from watcher.model import FetchResult


def source_from(**table: Any) -> SourceConfig:
    """A validated SourceConfig from the keys of one [[sources]] table."""
    table.setdefault("name", "test-source")
    return parse({"sources": [table]}, None).sources[0]


def fetch(source: SourceConfig, cursor: dict[str, Any] | None = None,
          settings: HttpSection | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(settings or HttpSection(retries=0)) as http:
            return await connector_for(source.kind).fetch(source, cursor or {}, http)

    return asyncio.run(go())
