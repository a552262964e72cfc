"""`jd`: one product's newest reviews on JD (`item`, the number in item.jd.com/<item>.html),
from `club.jd.com/comment/productPageComments.action` (`sortType=6`: newest first, `page` from
0), answered as JSONP `fetchJSON_comment98({"comments": [...], "maxPage": N, …})`, often in GBK
without saying so. CN-PLATFORMS.md section 6 (no recorded body: the tests build theirs from these
shapes); `score` is the star rating (1-5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.cnbase import items_of, read_items
from connectors.paging import Item, Page, with_query
from connectors.presets import pick
from connectors.reviews import ReviewPreset
from watcher.model import SourceError

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import Response


class JdConnector(ReviewPreset):
    kind = "jd"
    name = "jd"
    endpoint_url = "https://club.jd.com/comment/productPageComments.action"
    login = "log-in or captcha page: cookie expired: renew `cookie` (a logged-in jd.com session)"

    def first(self, source: SourceConfig, cursor: Any) -> int:
        return 0

    def address(self, source: SourceConfig, page: int) -> str:
        return with_query(self.endpoint(source), {
            "callback": "fetchJSON_comment98", "productId": source.options.item, "score": 0,
            "sortType": 6, "page": page, "pageSize": 10, "isShadowSku": 0, "fold": 1})

    def page(self, source: SourceConfig, document: Any, response: Response, request: int) -> Page:
        if not isinstance(document, dict) or "comments" not in document:
            raise SourceError("changed shape: jd answer has no comments", "parse")
        page = Page()
        read_items(page, items_of(document, "comments", self.name),
                   lambda raw: self._review(source, raw))
        last = pick(document, "maxPage")
        if isinstance(last, int) and request + 1 < last:
            page.next = request + 1
        return page

    def _review(self, source: SourceConfig, raw: Any) -> Item:
        follow_up = pick(raw, "afterUserComment.content")
        text = " ".join(str(t) for t in (pick(raw, "content"), follow_up) if t)
        return self.post(
            source, raw, id=pick(raw, "id"), text=text, author=pick(raw, "nickname"),
            time=pick(raw, "creationTime"), rating=pick(raw, "score"),
            url=f"https://item.jd.com/{source.options.item}.html#comment-{pick(raw, 'id')}",
            engagement={"likes": pick(raw, "usefulVoteCount"), "replies": pick(raw, "replyCount")})


CONNECTOR = JdConnector()
