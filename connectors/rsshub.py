"""`rsshub`: any RSSHub route (`/weibo/keyword/客服`, `/bilibili/vsearch/…`) on an RSSHub
`instance`, read by the `rss` kind's parser; one request a sweep, conditional on the ETag. The
platform shown to staff is the route's own (`weibo`, `bilibili`), not RSSHub. Some routes need
cookies or a headless browser on the RSSHub side: see docs/platforms.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.presets import FeedPreset

if TYPE_CHECKING:
    from watcher.config import SourceConfig

# a route namespace that is not the platform's own name
PLATFORMS = {"baidu/tieba": "tieba", "twitter": "x"}


@dataclass(frozen=True)
class RssHubOptions:
    route: str
    instance: str = "https://rsshub.app"


class RssHubConnector(FeedPreset):
    kind = "rsshub"
    Options = RssHubOptions
    url_keys = ("instance",)

    def check(self, options: RssHubOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if not (options.route.startswith("/") and options.route.strip("/")):
            problems.append(("route", "must be a route path starting with /, such as "
                                      "/weibo/keyword/客服"))
        return problems

    def default_url(self, options: RssHubOptions) -> str:
        return options.instance.rstrip("/") + options.route

    def platform(self, source: SourceConfig) -> str:
        if source.platform:
            return source.platform
        parts = source.options.route.strip("/").split("/")
        return PLATFORMS.get("/".join(parts[:2])) or PLATFORMS.get(parts[0]) or parts[0]


CONNECTOR = RssHubConnector()
