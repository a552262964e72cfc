"""`bluesky`: posts matching `query`, newest first, from `app.bsky.feed.searchPosts`, paged by
the response's `cursor`. Search needs a signed-in session: `token` is an access token (JWT),
sent to the account's PDS (bsky.social by default), which passes the call to the AppView."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from connectors.paging import Item, with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths
from watcher.timeparse import parse_time

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import Response

ENDPOINT = "https://bsky.social/xrpc/app.bsky.feed.searchPosts"
POST_URL = "https://bsky.app/profile/{handle}/post/{rkey}"


@dataclass(frozen=True, kw_only=True)
class BlueskyOptions(Paged):
    query: str
    token: str  # ${ENV}: an access token (accessJwt) of a signed-in session
    per_page: int = 25


class BlueskyConnector(JsonPreset):
    kind = "bluesky"
    Options = BlueskyOptions
    required_text = ("query", "token")
    items = "posts"
    fields = FieldPaths(id="uri", text="record.text", author="author.handle",
                        time="record.createdAt")
    counts = Counts(likes="likeCount", reposts="repostCount", replies="replyCount")
    plain_text = True
    credential = ("Authorization", "token", "Bearer ")
    # an expired access token is HTTP 400 `ExpiredToken` on Bluesky, not 401
    auth_statuses = frozenset({400, 401, 403})
    refused = ("Bluesky refused the request; the access token has most likely expired "
               "(ExpiredToken): set a new one")

    def default_url(self, options: BlueskyOptions) -> str:
        return ENDPOINT

    def address(self, source: SourceConfig, cursor: str | None) -> str:
        options = source.options
        return with_query(self.endpoint(source), {
            "q": options.query, "sort": "latest", "limit": options.per_page, "cursor": cursor,
        })

    def next(self, document: Any, response: Response, request: str | None) -> Any:
        return pick(document, "cursor")

    def item(self, source: SourceConfig, post: Any) -> Item:
        values = self.values(post)
        uri, handle = values["id"], values["author"]
        if uri and handle:
            values["url"] = POST_URL.format(handle=handle, rkey=str(uri).rsplit("/", 1)[-1])
        # ordered by indexedAt, the AppView's own clock: createdAt is whatever the client wrote
        # (imported and backdated posts), so it could hide newer posts behind an old one
        indexed = parse_time(pick(post, "indexedAt"), UTC)
        return self.make(source, values, post, key=indexed.timestamp() if indexed else "time")


CONNECTOR = BlueskyConnector()
