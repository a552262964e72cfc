"""`appstore`: an app's newest customer reviews from Apple's customer-reviews feed (JSON), one
country's store at a time. Review ids grow with time, so they order the reviews (the 2020 feed
has no date on a review). The page number is part of the path (`/page=N/`); a `url` given
without one is read as a single page. Apple serves at most 10 pages of 50."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.paging import Item
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths
from watcher.errors import ItemError, SourceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response

ENDPOINT = ("https://itunes.apple.com/{country}/rss/customerreviews/page=1/id={app_id}"
            "/sortby=mostrecent/json")
LAST_PAGE = 10
_PAGE = re.compile(r"/page=(\d+)", re.I)


@dataclass(frozen=True, kw_only=True)
class AppStoreOptions(Paged):
    app_id: str
    country: str = "cn"


class AppStoreConnector(JsonPreset):
    kind = "appstore"
    Options = AppStoreOptions
    fields = FieldPaths(id="id.label", title="title.label", text="content.label",
                        author="author.name.label", url="link.attributes.href",
                        time="updated.label", rating="im:rating.label")
    counts = Counts(likes="im:voteSum.label")  # readers who found the review helpful
    plain_text = True

    def check(self, options: AppStoreOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if not options.app_id.removeprefix("id").isdigit():
            problems.append(("app_id", "must be the app's number, as in …/app/…/id1404176564"))
        if not re.fullmatch(r"[a-zA-Z]{2}", options.country):
            problems.append(("country", "must be a two-letter store code such as cn, us or jp"))
        return problems

    def default_url(self, options: AppStoreOptions) -> str:
        app_id = options.app_id.removeprefix("id")
        return ENDPOINT.format(country=options.country.lower(), app_id=app_id)

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> tuple[str, int]:
        return self.endpoint(source), 1  # the page after is only known from this one's path

    def address(self, source: SourceConfig, request: tuple[str, int]) -> str:
        endpoint, number = request
        return _PAGE.sub(f"/page={number}", endpoint, count=1)

    def envelope(self, document: Any) -> list[Any]:
        feed = pick(document, "feed")
        if not isinstance(feed, dict):
            raise SourceError("changed shape: no `feed` object in the answer", "parse")
        entries = feed.get("entry") or []
        return [entries] if isinstance(entries, dict) else entries  # one review: an object

    def next(self, document: Any, response: Response, request: tuple[str, int]) -> Any:
        endpoint, number = request
        last = min(LAST_PAGE, _last_page(pick(document, "feed.link")))
        return (endpoint, number + 1) if _PAGE.search(endpoint) and number < last else None

    def item(self, source: SourceConfig, entry: Any) -> Item | None:
        if pick(entry, "im:name"):  # older feeds open with the app itself: not a review
            return None
        review_id = str(pick(entry, "id.label") or "")
        if not review_id.isdigit():
            raise ItemError(f"no numeric review id ({review_id!r})")
        return self.make(source, self.values(entry), entry, key=int(review_id))


def _last_page(links: Any) -> int:
    """The page number of the feed's `rel="last"` link; 1 when it has none."""
    for link in links if isinstance(links, list) else [links]:
        if pick(link, "attributes.rel") == "last":
            found = _PAGE.search(str(pick(link, "attributes.href")))
            return int(found.group(1)) if found else 1
    return 1


CONNECTOR = AppStoreConnector()
