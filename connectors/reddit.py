"""`reddit`: posts matching `query`, newest first, from Reddit's search (in one `subreddit` when
given). With a `token` (an OAuth bearer token) it asks oauth.reddit.com, which allows more
requests; without one, the public JSON of www.reddit.com. Pages follow the listing's `after`.
When `x-ratelimit-remaining` reaches 0 the sweep stops and waits out `x-ratelimit-reset`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors.paging import spent, with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import Response

PUBLIC = "https://www.reddit.com"
OAUTH = "https://oauth.reddit.com"


@dataclass(frozen=True, kw_only=True)
class RedditOptions(Paged):
    query: str
    subreddit: str | None = None
    token: str | None = None  # ${ENV}; without it, anonymous access (fewer requests allowed)
    per_page: int = 100
    page_delay: timedelta = timedelta(seconds=2)  # anonymous clients get about 10 a minute


class RedditConnector(JsonPreset):
    kind = "reddit"
    Options = RedditOptions
    required_text = ("query",)
    items = "data.children"
    # `name` (t3_…) is unique across posts and comments. Without raw_json=1 Reddit escapes &, <
    # and > in text, which is then decoded like any HTML.
    fields = FieldPaths(id="data.name", title="data.title", text="data.selftext",
                        author="data.author", url="data.permalink", time="data.created_utc")
    counts = Counts(likes="data.score", replies="data.num_comments")
    link_base = PUBLIC  # permalinks are paths, also on oauth.reddit.com
    credential = ("Authorization", "token", "Bearer ")
    refused = "reddit refused the token; it may have expired, or the client is blocked"

    def default_url(self, options: RedditOptions) -> str:
        where = f"/r/{quote(options.subreddit.removeprefix('r/'))}" if options.subreddit else ""
        return f"{OAUTH}{where}/search" if options.token else f"{PUBLIC}{where}/search.json"

    def address(self, source: SourceConfig, after: str | None) -> str:
        options = source.options
        return with_query(self.endpoint(source), {
            "q": options.query, "sort": "new", "limit": options.per_page, "after": after,
            "restrict_sr": "on" if options.subreddit else None,
        })

    def next(self, document: Any, response: Response, request: str | None) -> Any:
        return pick(document, "data.after")

    def limit(self, document: Any, response: Response) -> tuple[str | None, float]:
        return spent(response.headers, "x-ratelimit-remaining", "x-ratelimit-reset", epoch=False)


CONNECTOR = RedditConnector()
