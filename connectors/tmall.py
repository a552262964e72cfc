"""`tmall`: one product's newest reviews on Tmall (`item`, the `id=` of detail.tmall.com), from
`rate.tmall.com/list_detail_rate.htm` (`order=3`: newest first), answered as JSONP
`jsonpNNN({"rateDetail": {"rateList": […], "paginator": {"lastPage", "page", "items"}}})`; a page
past the last has an empty `rateList` (recorded in ../shared/fixtures/taobao/). CN-PLATFORMS.md
section 6; the review fields are read as the public crawlers there read them."""

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


class TmallConnector(ReviewPreset):
    kind = "tmall"
    name = "tmall"
    endpoint_url = "https://rate.tmall.com/list_detail_rate.htm"
    login = "log-in or slider captcha (提示登录，滑块验证): cookie expired: renew `cookie` " \
            "(a logged-in tmall.com session)"

    def address(self, source: SourceConfig, page: int) -> str:
        return with_query(self.endpoint(source), {
            "itemId": source.options.item, "order": 3, "currentPage": page, "append": 0,
            "content": 1, "callback": "jsonp928"})

    def page(self, source: SourceConfig, document: Any, response: Response, request: int) -> Page:
        detail = pick(document, "rateDetail")
        if not isinstance(detail, dict):
            raise SourceError("changed shape: tmall answer has no rateDetail", "parse")
        page = Page()
        read_items(page, items_of(detail, "rateList", self.name),
                   lambda raw: self._review(source, raw))
        last = pick(detail, "paginator.lastPage")
        if isinstance(last, int) and request < last:
            page.next = request + 1
        return page

    def _review(self, source: SourceConfig, raw: Any) -> Item:
        follow_up = pick(raw, "appendComment.content")
        text = " ".join(str(t) for t in (pick(raw, "rateContent"), follow_up) if t)
        return self.post(
            source, raw, id=pick(raw, "id"), text=text, author=pick(raw, "displayUserNick"),
            time=pick(raw, "rateDate"), rating=pick(raw, "star") or pick(raw, "score"),
            url=f"https://detail.tmall.com/item.htm?id={source.options.item}#rate{pick(raw, 'id')}",
            verified=None, engagement={"likes": pick(raw, "useful")})


CONNECTOR = TmallConnector()
