"""Connectors: one module per kind of source, picked by the `kind` key of a `[[sources]]` table.

Owns: talking to platforms and reading their answers into `watcher.model.Mention`s. Imports only
the core's plain types, `watcher.config` and `watcher.http`; never the store, the scorer or the
scheduler (the layers are checked by `make lint`).

A connector module defines `CONNECTOR`, an instance of `connectors.base.Connector`. Modules are
imported only when a source of their kind is configured, so start-up stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from watcher.errors import UnknownKind

if TYPE_CHECKING:
    from connectors.base import Connector

KINDS: dict[str, str] = {
    "rss": "connectors.rss",
    "json": "connectors.jsonapi",
    "html": "connectors.htmlpage",
    "hackernews": "connectors.hackernews",
    "reddit": "connectors.reddit",
    "mastodon": "connectors.mastodon",
    "bluesky": "connectors.bluesky",
    "appstore": "connectors.appstore",
    "github": "connectors.github",
    "stackexchange": "connectors.stackexchange",
    "youtube": "connectors.youtube",
    "weibo": "connectors.weibo",
    "rsshub": "connectors.rsshub",
    "tousu": "connectors.tousu",
    "bilibili": "connectors.bilibili",
    "douyin": "connectors.douyin",
    "xiaohongshu": "connectors.xiaohongshu",
    "tmall": "connectors.tmall",
    "jd": "connectors.jd",
}


def connector_for(kind: str) -> Connector:
    """The connector of this kind (a `watcher.config.KindLookup`); raises UnknownKind."""
    if kind not in KINDS:
        raise UnknownKind(f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
    module = importlib.import_module(KINDS[kind])
    connector: Connector = module.CONNECTOR
    return connector
