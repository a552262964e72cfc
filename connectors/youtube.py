"""`youtube`: a channel's newest videos from its public Atom feed (the 15 latest; no key
needed). Read by the `rss` kind's parser; one request a sweep, conditional on the ETag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.paging import with_query
from connectors.presets import FeedPreset, count

if TYPE_CHECKING:
    from watcher.config import SourceConfig

ENDPOINT = "https://www.youtube.com/feeds/videos.xml"


@dataclass(frozen=True)
class YouTubeOptions:
    channel_id: str


class YouTubeConnector(FeedPreset):
    kind = "youtube"
    Options = YouTubeOptions

    def check(self, options: YouTubeOptions) -> list[tuple[str, str]]:
        if re.fullmatch(r"UC[\w-]{22}", options.channel_id):
            return []
        return [("channel_id", "must be a channel id (UC followed by 22 characters), as in "
                               "youtube.com/channel/UC…; a @handle is not one")]

    def default_url(self, options: YouTubeOptions) -> str:
        return ENDPOINT

    def endpoint(self, source: SourceConfig) -> str:
        return with_query(super().endpoint(source), {"channel_id": source.options.channel_id})

    def engagement(self, entry: Any) -> dict[str, int]:
        # starRating's count is taken as the like count, which YouTube has put there since star
        # ratings gave way to likes (the recorded feed only shows zeros: not verified live)
        likes = count((entry.get("media_starrating") or {}).get("count"))
        return {"likes": likes} if likes is not None else {}


CONNECTOR = YouTubeConnector()
