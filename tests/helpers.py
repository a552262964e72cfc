"""Small builders shared by the tests."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import httpx
import pytest
import respx

from connectors import connector_for
from watcher.config import SourceConfig, parse
from watcher.config.sections import HttpSection
from watcher.errors import SourceError
from watcher.http.client import HttpClient
from watcher.model import FetchResult
from watcher.reasons import Reason


def source_from(**table: Any) -> SourceConfig:
    """A validated SourceConfig from the keys of one [[sources]] table."""
    table.setdefault("name", "test-source")
    return parse({"sources": [table]}, None, connector_for).sources[0]


def fetch(source: SourceConfig, cursor: dict[str, Any] | None = None,
          settings: HttpSection | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(settings or HttpSection(retries=0)) as http:
            return await connector_for(source.kind).fetch(source, cursor or {}, http)

    return asyncio.run(go())


def fails(url: str, response: httpx.Response, source: SourceConfig, message: str, kind: str,
          settings: HttpSection | None = None) -> SourceError:
    """Serves `response` at `url` and checks that fetching `source` fails with a SourceError
    of `kind` whose message matches `message`."""
    respx.get(url).mock(return_value=response)
    with pytest.raises(SourceError, match=message) as caught:
        fetch(source, settings=settings)
    assert caught.value.kind == kind
    return caught.value


def legacy_reasons(*texts: str) -> tuple[Reason, ...]:
    """Reasons given as the English strings stored before reasons had codes, read the one way
    such a string is ever read: by the 'reasons' migration."""
    migration = importlib.import_module("migrations.versions.0003_reasons")
    return tuple(Reason.from_json(migration.structured(text)) for text in texts)


def feeds_config(platform_url: str, alerts_url: str, feeds: int, slot: int, lease: str) -> str:
    """Config tables for `feeds` RSS sources at {platform_url}/feed{i}.xml swept every `slot`
    seconds, with replica claims of `lease`, alerting `alerts_url` one ticket at a time."""
    sources = "".join(f'[[sources]]\nname = "feed{i}"\nkind = "rss"\n'
                      f'url = "{platform_url}/feed{i}.xml"\nschedule = ["sweep"]\n'
                      for i in range(feeds))
    return f"""
[monitor]
max_age = "3650d"
[schedule]
sweep_every = "{slot}s"
claim_lease = "{lease}"
[http]
retries = 0
[alerts]
on_duty = ["{alerts_url}"]
[incidents]
min_complaints = 1000
{sources}"""
