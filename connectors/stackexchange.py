"""`stackexchange`: questions matching `query` on one Stack Exchange `site` (`stackoverflow`,
`superuser`, …), newest first, from API 2.3's `search/advanced`. Once the cursor knows the
newest creation date read, only questions from then on are asked for (`fromdate`).

The API may answer with `backoff: N`: no request to that method for N seconds. A short one
(up to 10 s) is waited out before the next page; a longer one ends the sweep, and sweeps are
skipped while it lasts (`not_before` in the cursor). `quota_remaining: 0` (the daily quota per
address, 300 without an app key) ends the sweep the same way until midnight UTC renews it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from connectors.paging import with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response

ENDPOINT = "https://api.stackexchange.com/2.3/search/advanced"


@dataclass(frozen=True, kw_only=True)
class StackExchangeOptions(Paged):
    query: str
    site: str
    per_page: int = 50
    page_delay: timedelta = timedelta(milliseconds=500)  # the API's limit is 30 a second


class StackExchangeConnector(JsonPreset):
    kind = "stackexchange"
    Options = StackExchangeOptions
    required_text = ("query", "site")
    items = "items"
    # titles come HTML-encoded (`&lt;div&gt;`) and are decoded like any HTML
    fields = FieldPaths(id="question_id", title="title", text="body",
                        author="owner.display_name", url="link", time="creation_date")
    counts = Counts(likes="score", replies="answer_count")

    def default_url(self, options: StackExchangeOptions) -> str:
        return ENDPOINT

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        newest = cursor.get("newest")
        return {"page": 1, "fromdate": int(newest) if isinstance(newest, int | float) else None}

    def address(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        return with_query(self.endpoint(source), {
            "q": options.query, "site": options.site, "sort": "creation", "order": "desc",
            "pagesize": options.per_page, "filter": "withbody", **request,
        })

    def next(self, document: Any, response: Response, request: dict[str, Any]) -> Any:
        return {**request, "page": request["page"] + 1} if pick(document, "has_more") else None

    def limit(self, document: Any, response: Response) -> tuple[str | None, float]:
        backoff = pick(document, "backoff")
        wait = float(backoff) if isinstance(backoff, int | float) else 0.0
        if pick(document, "quota_remaining") != 0:
            return None, wait
        said = f"quota_remaining: 0 of quota_max: {pick(document, 'quota_max')}"
        return said, max(wait, _until_quota_resets())


def _until_quota_resets() -> float:
    """Seconds until the daily quota is renewed, at midnight UTC."""
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), UTC)
    return (midnight - now).total_seconds()


CONNECTOR = StackExchangeConnector()
