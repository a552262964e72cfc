"""`mastodon`: a hashtag timeline of one instance, newest first, older pages by the `Link`
header. A status is identified by its `uri`, the same on every server; its `id` is the
instance's own and only orders the timeline (it grows as statuses arrive there, so a remote
status that arrives late still sorts as new)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors.paging import Item, next_link, with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths
from watcher.errors import ItemError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response


@dataclass(frozen=True, kw_only=True)
class MastodonOptions(Paged):
    tag: str
    instance: str = "https://mastodon.social"
    per_page: int = 40
    page_delay: timedelta = timedelta(seconds=1)  # 300 requests per 5 minutes per address


class MastodonConnector(JsonPreset):
    kind = "mastodon"
    Options = MastodonOptions
    max_per_page = 40
    required_text = ("tag",)
    url_keys = ("instance",)
    refused = "the instance refused the request: its hashtag timelines may be closed to guests"
    # a content warning (spoiler_text) reads like a subject line
    fields = FieldPaths(id="uri", title="spoiler_text", text="content", author="account.acct",
                        url="url", time="created_at")
    counts = Counts(likes="favourites_count", reposts="reblogs_count",
              replies="replies_count")

    def default_url(self, options: MastodonOptions) -> str:
        tag = quote(options.tag.strip().removeprefix("#"), safe="")
        return f"{options.instance.rstrip('/')}/api/v1/timelines/tag/{tag}"

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> str:
        return with_query(self.endpoint(source), {"limit": source.options.per_page})

    def address(self, source: SourceConfig, request: str) -> str:
        return request  # the first URL, then the Link header's, which carries every parameter

    def next(self, document: Any, response: Response, request: str) -> Any:
        return next_link(response)

    def item(self, source: SourceConfig, status: Any) -> Item:
        local_id = str(pick(status, "id") or "")
        if not local_id.isdigit():
            raise ItemError(f"no numeric id ({local_id!r})")
        return self.make(source, self.values(status), status, key=int(local_id))


CONNECTOR = MastodonConnector()
