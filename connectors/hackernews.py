"""`hackernews`: stories and comments matching `query`, newest first, from Algolia's Hacker News
search (`search_by_date`). Once the cursor knows the newest `created_at_i` read, only items at
or after it are asked for (`numericFilters`), so a sweep is usually one request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from connectors.paging import Item, with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response

ENDPOINT = "https://hn.algolia.com/api/v1/search_by_date"
ITEM_URL = "https://news.ycombinator.com/item?id="


@dataclass(frozen=True, kw_only=True)
class HackerNewsOptions(Paged):
    query: str
    tags: str = "(story,comment)"  # Algolia's tag filter: stories and comments
    per_page: int = 50
    page_delay: timedelta = timedelta(0)  # Algolia allows 10,000 requests an hour


class HackerNewsConnector(JsonPreset):
    kind = "hackernews"
    Options = HackerNewsOptions
    max_per_page = 1000
    required_text = ("query",)
    items = "hits"
    fields = FieldPaths(id="objectID", title="title", text="story_text", author="author",
                        time="created_at")
    counts = Counts(likes="points", replies="num_comments")

    def default_url(self, options: HackerNewsOptions) -> str:
        return ENDPOINT

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        newest = cursor.get("newest")
        since = f"created_at_i>={int(newest)}" if isinstance(newest, int | float) else None
        return {"page": 0, "numericFilters": since}

    def address(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        return with_query(self.endpoint(source), {
            "query": options.query, "tags": options.tags, "hitsPerPage": options.per_page,
            **request,
        })

    def next(self, document: Any, response: Response, request: dict[str, Any]) -> Any:
        pages = pick(document, "nbPages")
        if isinstance(pages, int) and request["page"] + 1 < pages:
            return {**request, "page": request["page"] + 1}
        return None

    def item(self, source: SourceConfig, hit: Any) -> Item:
        values = self.values(hit)
        values["title"] = values["title"] or pick(hit, "story_title")  # a comment: its story's
        values["text"] = pick(hit, "comment_text") or values["text"]
        values["url"] = f"{ITEM_URL}{values['id']}"  # the discussion, where staff can answer
        return self.make(source, values, hit, key=pick(hit, "created_at_i") or "time")


CONNECTOR = HackerNewsConnector()
