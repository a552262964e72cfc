"""`weibo`: the newest posts for a `keyword` (real-time search) or by one user (`uid`), from the
container API that m.weibo.cn's pages use. It needs a logged-in `cookie`; when Weibo no longer
accepts it (HTTP 432, `{"ok": -100}`, or a redirect to the log-in page) the error says that the
cookie expired. Post ids grow with time and order the posts; `created_at` is only what the page
shows ("06-14", "3分钟前", "昨天 12:00") and is read in the source's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from connectors.paging import Item, with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths
from watcher.errors import ItemError, SourceError
from watcher.http.client import HttpStatusError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response

ENDPOINT = "https://m.weibo.cn/api/container/getIndex"
POST_URL = "https://m.weibo.cn/status/"
EXPIRED = ("weibo no longer accepts the cookie: it expired or was logged out; log in to "
           "m.weibo.cn again and set a new cookie")


@dataclass(frozen=True, kw_only=True)
class WeiboOptions(Paged):
    cookie: str  # ${ENV}: the Cookie header of a logged-in m.weibo.cn session
    keyword: str | None = None
    uid: str | None = None
    page_delay: timedelta = timedelta(seconds=2)  # Weibo blocks quick successive requests


class WeiboConnector(JsonPreset):
    kind = "weibo"
    Options = WeiboOptions
    required_text = ("cookie",)
    fields = FieldPaths(id="mblog.mid", text="mblog.text", author="mblog.user.screen_name",
                        time="mblog.created_at")
    counts = Counts(likes="mblog.attitudes_count", reposts="mblog.reposts_count",
              replies="mblog.comments_count")
    # what m.weibo.cn's own pages send; without them the API answers less or not at all
    extra_headers: ClassVar[Mapping[str, str]] = {
        "Referer": "https://m.weibo.cn/", "X-Requested-With": "XMLHttpRequest", "MWeibo-Pwa": "1",
    }
    credential = ("Cookie", "cookie", "")
    refused = EXPIRED

    def check(self, options: WeiboOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if bool(options.keyword) == bool(options.uid):
            problems.append(("keyword", "set exactly one of keyword and uid"))
        if options.uid and not options.uid.isdigit():
            problems.append(("uid", "must be the user's number, as in m.weibo.cn/u/1669879400"))
        return problems

    def default_url(self, options: WeiboOptions) -> str:
        return ENDPOINT

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        return {"page": 1}

    def address(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        if options.uid:
            where = {"type": "uid", "value": options.uid, "containerid": f"107603{options.uid}"}
        else:  # type=61: real-time results, newest first
            where = {"containerid": f"100103type=61&q={options.keyword}&t=0",
                     "page_type": "searchall"}
        return with_query(self.endpoint(source), {**where, **request})

    def check_response(self, response: Response) -> None:
        if "passport" in (urlsplit(response.url).hostname or ""):
            raise HttpStatusError(EXPIRED + " (redirected to the log-in page)", 200, "auth")

    def envelope(self, document: Any) -> list[Any] | None:
        cards = _cards(document)
        return None if cards is None else list(_posts(cards))

    def next(self, document: Any, response: Response, request: dict[str, Any]) -> Any:
        """By `since_id` where Weibo gives one (user timelines), else by page number."""
        info = pick(document, "data.cardlistInfo")
        if since_id := pick(info, "since_id"):
            return {"since_id": since_id}
        number, said = request.get("page", 1), pick(info, "page")
        return {"page": said if isinstance(said, int) and said > number else number + 1}

    def item(self, source: SourceConfig, card: Any) -> Item:
        values = self.values(card)
        values["id"] = str(values["id"] or pick(card, "mblog.id") or "")
        if not values["id"].isdigit():
            raise ItemError(f"a post card without a numeric mblog id ({values['id']!r})")
        values["url"] = POST_URL + str(pick(card, "mblog.bid") or values["id"])
        pinned = pick(card, "mblog.isTop") == 1 or "置顶" in str(pick(card, "mblog.title.text"))
        return self.make(source, values, card, key=int(values["id"]), pinned=pinned)


def _cards(document: Any) -> list[Any] | None:
    """The answer's cards; None when Weibo found nothing. Raises for any other `ok`."""
    status, message = pick(document, "ok"), pick(document, "msg")
    cards = pick(document, "data.cards")
    if status == -100:
        raise HttpStatusError(EXPIRED + ' ({"ok": -100})', 200, "auth")
    if status == 0 and (cards == [] or "没有内容" in str(message)):
        return None
    if status == 0 and message:  # an error said in words: 请求过于频繁, 系统繁忙, …
        kind = "rate_limited" if "频繁" in str(message) else "http"
        raise SourceError(f"weibo answered ok=0: {message}", kind)
    if status != 1 or not isinstance(cards, list):
        raise SourceError(f"changed shape: ok={status!r}, msg={message!r}, "
                          f"data.cards is {type(cards).__name__}", "parse")
    return cards


def _posts(cards: list[Any]) -> Iterator[Any]:
    """The post cards (card_type 9), also those inside a search result's card_group."""
    for card in cards:
        if pick(card, "card_type") == 9:
            yield card
        group = pick(card, "card_group")
        if isinstance(group, list):
            yield from _posts(group)


CONNECTOR = WeiboConnector()
