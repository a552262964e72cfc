"""`weibo`: the newest posts for a `keyword` (real-time search) or by one user (`uid`), from the
container API that m.weibo.cn's pages use; the comments under one `post` (its `mid`); with `uid`
and `comments = N`, also the comments under the user's N newest posts. `provider = "direct"`
(default) needs a logged-in `cookie`; `"tikhub"` asks TikHub with a `token`.

Post and comment ids grow with time and order them; `created_at` is often only what the page
shows ("06-14", "3分钟前", "昨天 12:00") and is read in the source's time zone. Comments come from
m.weibo.cn's `comments/hotflow` (JSON, hottest first; CN-PLATFORMS.md section 3) or, where a relay
serves them, weibo.cn's HTML comment pages (connectors/weibocn.py). Refusals: HTTP 432 and
`{"ok": -100}` (the cookie expired: since 2025 m.weibo.cn answers 432 without a fresh logged-in
cookie, RSSHub #20512, weibo-crawler #565), a redirect to the log-in page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import urlsplit

from connectors import weibocn
from connectors.cnbase import CnOptions, CnPreset, blocked, items_of, read_items
from connectors.paging import Item, Page, with_query
from connectors.presets import Counts, pick
from watcher.errors import ItemError, SourceError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import HttpStatusError, Response

ENDPOINT = "https://m.weibo.cn/api/container/getIndex"
COMMENTS = "https://m.weibo.cn/comments/hotflow"
TIKHUB = "https://api.tikhub.io/api/v1/weibo"
POST_URL = "https://m.weibo.cn/status/"
EXPIRED = ("cookie expired: renew `cookie` (log in to m.weibo.cn again and copy the Cookie "
           "header; it may last only minutes)")
MAX_COMMENTS = 20  # `comments = N` reads at most this many threads a sweep


@dataclass(frozen=True, kw_only=True)
class WeiboOptions(CnOptions):
    keyword: str | None = None
    uid: str | None = None
    post: str | None = None  # a post's mid: the comments under it
    comments: int = 0  # with uid: also the comments under the N newest posts
    provider: Literal["direct", "tikhub"] = "direct"
    page_delay: timedelta = timedelta(seconds=2)  # Weibo blocks quick successive requests


class WeiboConnector(CnPreset):
    kind = "weibo"
    name = "weibo"
    Options = WeiboOptions
    target_keys = ("keyword", "uid", "post")
    cookie_needed = True
    counts = Counts(likes="mblog.attitudes_count", reposts="mblog.reposts_count",
                    replies="mblog.comments_count")
    # what m.weibo.cn's own pages send; without them the API answers less or not at all
    extra_headers: ClassVar[Mapping[str, str]] = {
        "Referer": "https://m.weibo.cn/", "X-Requested-With": "XMLHttpRequest", "MWeibo-Pwa": "1",
    }

    def check(self, options: WeiboOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if options.uid and not options.uid.isdigit():
            problems.append(("uid", "must be the user's number, as in m.weibo.cn/u/1669879400"))
        if options.post and not options.post.isdigit():
            problems.append(("post", "must be the post's mid (a number)"))
        if not 0 <= options.comments <= MAX_COMMENTS:
            problems.append(("comments", f"must be from 0 to {MAX_COMMENTS}"))
        if options.comments and not options.uid:
            problems.append(("comments", "needs uid: the comments under that user's posts"))
        return problems

    def default_url(self, options: WeiboOptions) -> str:
        return ENDPOINT

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        if source.options.post:
            return {"comments": source.options.post}
        return {"page": 1}

    def address(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        tikhub = self.provider(source) == "tikhub"
        if "comments" in request:
            mid, more = request["comments"], request.get("max_id")
            if "page" in request:  # weibo.cn's HTML pages, as a relay serves them
                return with_query(f"https://weibo.cn/comment/{mid}", {"page": request["page"]})
            if tikhub:
                return with_query(f"{TIKHUB}/web_v2/fetch_post_comments",
                                  {"id": mid, "count": 20, "max_id": more or ""})
            return with_query(COMMENTS, {"id": mid, "mid": mid, "max_id_type": 0, "max_id": more})
        if tikhub and options.uid:
            return with_query(f"{TIKHUB}/web_v2/fetch_user_posts",
                              {"uid": options.uid, "page": request.get("page", 1)})
        if tikhub:
            return with_query(f"{TIKHUB}/web/fetch_search_data", {
                "keyword": options.keyword, "page": request.get("page", 1), "search_type": 61})
        if options.uid:
            where = {"type": "uid", "value": options.uid, "containerid": f"107603{options.uid}"}
        else:  # type=61: real-time results, newest first
            where = {"containerid": f"100103type=61&q={options.keyword}&t=0",
                     "page_type": "searchall"}
        return with_query(source.url or ENDPOINT, {**where, **request})

    def check_response(self, response: Response) -> None:
        if "passport" in (urlsplit(response.url).hostname or ""):
            raise blocked(self.name, "redirected to the log-in page", EXPIRED)

    def refusal(self, source: SourceConfig, error: HttpStatusError) -> SourceError | None:
        if error.status in (401, 403, 432) and self.provider(source) == "direct":
            return blocked(self.name, f"HTTP {error.status}", EXPIRED)
        return super().refusal(source, error)

    def shut_out(self, source: SourceConfig, document: Any, response: Response) -> None:
        if pick(document, "ok") == -100:
            raise blocked(self.name, '{"ok": -100}', EXPIRED)

    def document(self, source: SourceConfig, response: Response,
                 warnings: list[str] | None = None) -> Any:
        head = response.content[:512].lstrip().lower()
        if head.startswith(b"<") and b"<html" in response.content[:2048].lower():
            self.check_response(response)
            return weibocn.comments(response.text())
        return super().document(source, response, warnings)

    def page(self, source: SourceConfig, document: Any, response: Response,
             request: dict[str, Any]) -> Page:
        if isinstance(document, tuple):
            return self._html_comments(source, document, request)
        if "comments" in request:
            return self._comments(source, document, request)
        page = Page()
        raws = _cards(document)
        read_items(page, raws or [], lambda card: self._post(source, card))
        if page.items and raws:
            page.next = self._next(document, request)
        if source.options.comments and request.get("page", 1) == 1 and "since_id" not in request:
            newest = sorted(page.items, key=lambda i: i.key or 0, reverse=True)
            for index, item in enumerate(page.items):
                if item in newest[: source.options.comments]:
                    page.items[index] = Item(item.mention, item.key, item.pinned,
                                             {"comments": item.mention.external_id, "aside": True},
                                             thread=True)
        return page

    def _next(self, document: Any, request: dict[str, Any]) -> dict[str, Any]:
        """By `since_id` where Weibo gives one (user timelines), else by page number."""
        info = pick(document, "data.cardlistInfo")
        if since_id := pick(info, "since_id") or pick(document, "data.since_id"):
            return {"since_id": since_id}
        number, said = request.get("page", 1), pick(info, "page")
        return {"page": said if isinstance(said, int) and said > number else number + 1}

    def _post(self, source: SourceConfig, card: Any) -> Item:
        blog = pick(card, "mblog") or card
        ident = str(pick(blog, "mid") or pick(blog, "id") or "")
        if not ident.isdigit():
            raise ItemError(f"a post card without a numeric mblog id ({ident!r})")
        user = pick(blog, "user")
        pinned = pick(blog, "isTop") == 1 or "置顶" in str(pick(blog, "title.text"))
        return self.post(
            source, card, id=ident, text=_with_quoted(blog), author=pick(user, "screen_name"),
            followers=pick(user, "followers_count"), verified=pick(user, "verified"),
            time=pick(blog, "created_at"), url=POST_URL + str(pick(blog, "bid") or ident),
            engagement={"likes": pick(blog, "attitudes_count"),
                        "reposts": pick(blog, "reposts_count"),
                        "replies": pick(blog, "comments_count")},
            key=int(ident), pinned=pinned)

    def _comments(self, source: SourceConfig, document: Any, request: dict[str, Any]) -> Page:
        """m.weibo.cn's hotflow (`data.data`) or weibo.com's buildComments (`data`), hottest
        first: every comment is out of order, so none ends the sweep."""
        if pick(document, "ok") == 0 and not pick(document, "data"):
            return Page(aside=bool(request.get("aside")))
        data = pick(document, "data")
        raws = items_of(data, "data", self.name) if isinstance(data, dict) else \
            items_of(document, "data", self.name)
        post = request["comments"]
        page = Page(aside=bool(request.get("aside")))
        read_items(page, raws, lambda raw: self._comment(source, raw, post))
        more = pick(data, "max_id") if isinstance(data, dict) else pick(document, "max_id")
        if more and page.items and not page.aside:
            page.next = {**request, "max_id": more}
        return page

    def _comment(self, source: SourceConfig, raw: Any, post: str) -> list[Item]:
        user, ident = pick(raw, "user"), str(pick(raw, "id") or pick(raw, "idstr") or "")
        if not ident.isdigit():
            raise ItemError(f"a comment without a numeric id ({ident!r})")
        parent = pick(raw, "reply_id") or pick(raw, "rootid") or post
        items = [self.post(
            source, raw, id=ident, text=pick(raw, "text"), author=pick(user, "screen_name"),
            followers=pick(user, "followers_count"), verified=pick(user, "verified"),
            time=pick(raw, "created_at"), parent=None if parent == ident else parent,
            url=f"{POST_URL}{post}#comment{ident}", key=int(ident), pinned=True,
            engagement={"likes": pick(raw, "like_count") or pick(raw, "like_counts"),
                        "replies": pick(raw, "total_number")})]
        for reply in pick(raw, "comments") or []:
            if isinstance(reply, dict):
                items += self._comment(source, reply | {"rootid": ident}, post)
        return items

    def _html_comments(self, source: SourceConfig, document: tuple[Any, Any],
                       request: dict[str, Any]) -> Page:
        records, pages = document
        post, number = request["comments"], request.get("page", 1)
        page = Page(aside=bool(request.get("aside")))
        read_items(page, records, lambda r: self.post(
            source, r, id=r["id"], text=r["text"], author=r["author"], verified=r["verified"],
            time=r["time"], parent=post, url=f"https://weibo.cn/comment/{post}#{r['id']}",
            engagement={"likes": r["likes"]}, key=int(r["id"]), pinned=r["hot"]))
        if isinstance(pages, int) and number < pages and page.items and not page.aside:
            page.next = {**request, "page": number + 1}
        return page


def _with_quoted(blog: Any) -> Any:
    """A repost's text as Weibo shows it: the reposter's words, then `//@author:` and the post it
    passes on (`retweeted_status`), so that a repost of a complaint reads as one and is linked to
    the complaint as its copy (watcher/intake/nearcopy.py)."""
    text, quoted = pick(blog, "text"), pick(blog, "retweeted_status")
    if not isinstance(quoted, dict) or not isinstance(pick(quoted, "text"), str):
        return text
    author = pick(quoted, "user.screen_name")
    mark = f"//@{author}: " if isinstance(author, str) and author else "// "
    return f"{text if isinstance(text, str) else ''} {mark}{pick(quoted, 'text')}"


def _cards(document: Any) -> list[Any] | None:
    """The post cards (also weibo.com's `data.list`); None when Weibo found nothing. Raises for
    any other `ok`."""
    status, message = pick(document, "ok"), pick(document, "msg")
    cards = pick(document, "data.cards")
    if cards is None and isinstance(pick(document, "data.list"), list):
        return list(pick(document, "data.list"))
    if status == 0 and (cards == [] or "没有内容" in str(message)):
        return None
    if status == 0 and message:  # an error said in words: 请求过于频繁, 系统繁忙, …
        kind = "rate_limited" if "频繁" in str(message) else "http"
        raise SourceError(f"weibo answered ok=0: {message}", kind)
    if status != 1 or not isinstance(cards, list):
        raise SourceError(f"changed shape: ok={status!r}, msg={message!r}, "
                          f"data.cards is {type(cards).__name__}", "parse")
    return list(_posts(cards))


def _posts(cards: list[Any]) -> Iterator[Any]:
    """The post cards (card_type 9), also those inside a search result's card_group."""
    for card in cards:
        if pick(card, "card_type") == 9:
            yield card
        group = pick(card, "card_group")
        if isinstance(group, list):
            yield from _posts(group)


CONNECTOR = WeiboConnector()
