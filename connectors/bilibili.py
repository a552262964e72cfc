"""`bilibili`: videos for a `keyword` (search, newest first), the comments under one `video` (a
`BV…` id or an `av` number) and their replies, or the newest videos of one account (`uid`) and
the comments under them. `provider = "direct"` (default) asks api.bilibili.com, with an optional
`cookie`; `"tikhub"` asks TikHub, whose answers carry Bilibili's own JSON.

Shapes and walls from SocialSisterYi/bilibili-API-collect (CN-PLATFORMS.md section 2): comments
`/x/v2/reply?type=1&oid=<aid>&sort=0` (sort 0: newest first, paged by `pn`), their replies
`/x/v2/reply/reply?root=<rpid>`, search `/x/web-interface/wbi/search/type`, an account's videos
`/x/space/wbi/arc/search`; the two `wbi` paths are signed (connectors/wbi.py). Refusals: `-352`
risk control (also `data.v_voucher` with code 0), `-412` request intercepted (also as HTTP 412),
`-799` too frequent, `-509` over the limit, `-101` not logged in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from connectors import wbi
from connectors.cnbase import CnOptions, CnPreset, blocked, items_of, read_items, rebase
from connectors.jsonapi import parse_json
from connectors.paging import Item, Page, with_query
from connectors.presets import pick
from watcher.http.client import HttpStatusError
from watcher.model import SourceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import HttpClient, Response

API = "https://api.bilibili.com"
TIKHUB_WEB = "https://api.tikhub.io/api/v1/bilibili/web"
VIDEO_URL = "https://www.bilibili.com/video/"
REFUSALS = {
    -352: "risk control -352 (风控校验失败): open bilibili.com with this cookie in a browser, "
          "pass the check, renew `cookie`, and slow down",
    -412: "risk control -412 (请求被拦截): slow down or change IP",
    -799: "too frequent -799 (请求过于频繁): slow down (raise page_delay)",
    -509: "over the limit -509 (超出限制): slow down (raise page_delay)",
    -101: "not logged in -101 (账号未登录): cookie expired: renew `cookie`",
}


@dataclass(frozen=True, kw_only=True)
class BilibiliOptions(CnOptions):
    keyword: str | None = None
    video: str | None = None  # BV1xx411c7mD or av170001
    uid: str | None = None  # the account's mid
    provider: Literal["direct", "tikhub"] = "direct"
    # Bilibili answers -412 and -799 to quick successive requests (bilibili-API-collect errcode)
    page_delay: timedelta = timedelta(seconds=3)


class BilibiliConnector(CnPreset):
    kind = "bilibili"
    name = "bilibili"
    Options = BilibiliOptions
    target_keys = ("keyword", "video", "uid")
    # what a browser on www.bilibili.com sends; without them -412 comes sooner
    extra_headers: ClassVar[Mapping[str, str]] = {
        "Referer": "https://www.bilibili.com/", "Origin": "https://www.bilibili.com",
    }

    def check(self, options: BilibiliOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if options.video and wbi.video_aid(options.video) is None:
            problems.append(("video", "must be a BV id (BV1…) or an av number (av170001)"))
        if options.uid and not options.uid.isdigit():
            problems.append(("uid", "must be the account's number (space.bilibili.com/<uid>)"))
        return problems

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        options = source.options
        if options.video:
            return {"comments": wbi.video_aid(options.video), "pn": 1}
        return {"videos": "search" if options.keyword else "uid", "pn": 1}

    async def context(self, source: SourceConfig, http: HttpClient,
                      headers: Mapping[str, str]) -> str | None:
        """The wbi mixin key, for the signed paths of the direct provider."""
        if self.provider(source) == "tikhub" or source.options.video:
            return None
        nav = rebase_nav(source)
        return await wbi.mixin_key(nav, lambda url: self._nav(source, http, url, headers))

    async def _nav(self, source: SourceConfig, http: HttpClient, url: str,
                   headers: Mapping[str, str]) -> Any:
        response = await self.get(source, http, url, headers)
        return parse_json(response)  # answered with -101 when logged out: not a refusal

    def locate(self, source: SourceConfig, request: dict[str, Any], key: str | None) -> str:
        if self.provider(source) == "tikhub":
            return self._tikhub(source, request)
        options = source.options
        if "comments" in request:
            return with_query(f"{API}/x/v2/reply", {"type": 1, "oid": request["comments"],
                                                    "sort": 0, "ps": 20, "pn": request["pn"]})
        if "root" in request:
            return with_query(f"{API}/x/v2/reply/reply", {
                "type": 1, "oid": request["oid"], "root": request["root"], "ps": 20, "pn": 1})
        if request["videos"] == "search":
            path, params = "/x/web-interface/wbi/search/type", {
                "search_type": "video", "keyword": options.keyword, "order": "pubdate",
                "page": request["pn"]}
        else:
            path, params = "/x/space/wbi/arc/search", {
                "mid": options.uid, "order": "pubdate", "ps": 30, "pn": request["pn"]}
        assert key is not None, "the signed paths have their key"
        return with_query(API + path, wbi.sign(params, key))

    def _tikhub(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        if "comments" in request:
            return with_query(f"{TIKHUB_WEB}/fetch_video_comments",
                              {"bv_id": wbi.bvid(request["comments"]), "pn": request["pn"]})
        if "root" in request:
            return with_query(f"{TIKHUB_WEB}/fetch_comment_reply", {
                "bv_id": wbi.bvid(request["oid"]), "rpid": request["root"], "pn": 1})
        if request["videos"] == "search":
            return with_query(f"{TIKHUB_WEB}/fetch_general_search", {
                "keyword": options.keyword, "order": "pubdate", "page": request["pn"],
                "page_size": 20})
        return with_query(f"{TIKHUB_WEB}/fetch_user_post_videos",
                          {"uid": options.uid, "order": "pubdate", "pn": request["pn"]})

    def refusal(self, source: SourceConfig, error: HttpStatusError) -> SourceError | None:
        if error.status == 412:
            return blocked(self.name, "HTTP 412", REFUSALS[-412])
        return super().refusal(source, error)

    def shut_out(self, source: SourceConfig, document: Any, response: Response) -> None:
        code = pick(document, "code")
        if code in REFUSALS:
            raise blocked(self.name, code, REFUSALS[code])
        if code == 0 and pick(document, "data.v_voucher"):  # wbi.md: a bad signature
            raise blocked(self.name, "v_voucher", REFUSALS[-352])

    def page(self, source: SourceConfig, document: Any, response: Response,
             request: dict[str, Any]) -> Page:
        code, data = pick(document, "code"), pick(document, "data")
        if code != 0 or not isinstance(data, dict):
            raise SourceError(f"changed shape: bilibili answered code={code!r}, "
                              f"message={pick(document, 'message')!r}", "parse")
        page = Page(aside="root" in request or bool(request.get("aside")))
        if "result" in data or "list" in data:
            read_items(page, _videos(data), lambda raw: self._video(source, raw))
        else:
            ordered = self.provider(source) == "direct"
            read_items(page, items_of(data, "replies", self.name),
                       lambda raw: self._thread(source, raw, pinned=not ordered or page.aside))
            read_items(page, items_of(data, "top_replies", self.name),
                       lambda raw: self._thread(source, raw, pinned=True))
        if not page.aside:
            page.next = _next(data, request)
        return page

    def _video(self, source: SourceConfig, raw: Any) -> Item:
        aid, bvid = pick(raw, "aid"), pick(raw, "bvid")
        ident = bvid or (f"av{aid}" if aid else None)
        comments = {"comments": aid, "pn": 1, "aside": True} if source.options.uid and aid \
            else None
        return self.post(
            source, raw, id=ident, title=pick(raw, "title"), text=pick(raw, "description"),
            author=pick(raw, "author"), time=pick(raw, "pubdate") or pick(raw, "created"),
            url=VIDEO_URL + str(ident),
            engagement={"likes": pick(raw, "like"), "replies": pick(raw, "review")
                        or pick(raw, "comment")},
            replies=comments, thread=comments is not None)

    def _thread(self, source: SourceConfig, raw: Any, pinned: bool) -> list[Item]:
        """A comment and the replies Bilibili shows under it (the first three); the rest of its
        replies are asked for when it has more."""
        shown = items_of(raw, "replies", self.name)
        rest = None
        if (count_of(raw, "rcount") or 0) > len(shown):
            rest = {"root": pick(raw, "rpid"), "oid": pick(raw, "oid")}
        items = [self._comment(source, raw, pinned, rest)]
        for reply in shown:
            items.append(self._comment(source, reply, True, None))
        return items

    def _comment(self, source: SourceConfig, raw: Any, pinned: bool, rest: Any) -> Item:
        member = pick(raw, "member")
        rpid = pick(raw, "rpid_str") or pick(raw, "rpid")
        official = pick(member, "official_verify.type") if member else None
        return self.post(
            source, raw, id=rpid, text=pick(raw, "content.message"),
            author=pick(member, "uname") or pick(raw, "mid"),
            verified=None if official is None else official >= 0,
            time=pick(raw, "ctime"), parent=pick(raw, "parent_str") or pick(raw, "parent"),
            url=f"{VIDEO_URL}av{pick(raw, 'oid')}#reply{rpid}",
            engagement={"likes": pick(raw, "like"), "replies": pick(raw, "rcount")},
            pinned=pinned, replies=rest)


def rebase_nav(source: SourceConfig) -> str:
    """Where the wbi keys are read: `/x/web-interface/nav`, through `base_url`."""
    return rebase(f"{API}/x/web-interface/nav", source.options.base_url)


def count_of(raw: Any, path: str) -> int | None:
    value = pick(raw, path)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _videos(data: dict[str, Any]) -> list[Any]:
    """The videos of a search (also inside the grouped `result` of a general search) or of an
    account's list (`list.vlist`)."""
    if "list" in data:
        return items_of(data, "list.vlist", "bilibili")
    found = []
    for entry in items_of(data, "result", "bilibili"):
        group = pick(entry, "data")
        if pick(entry, "result_type") is not None and isinstance(group, list):
            found += [v for v in group if pick(v, "type") == "video"]
        elif pick(entry, "type") in ("video", None):
            found.append(entry)
    return found


def _next(data: dict[str, Any], request: dict[str, Any]) -> dict[str, Any] | None:
    """The next page: by `cursor` (lazy comment lists), by page counts, else the page after."""
    following = {**request, "pn": request["pn"] + 1}
    if isinstance(cursor := pick(data, "cursor"), dict):
        return None if cursor.get("is_end") else following
    number = pick(data, "page.num") or pick(data, "page.pn")
    size, total = pick(data, "page.size") or pick(data, "page.ps"), pick(data, "page.count")
    if all(isinstance(v, int) for v in (number, size, total)):
        return following if number * size < total else None
    pages = pick(data, "numPages")
    if isinstance(pages, int) and request["pn"] >= pages:
        return None
    return following


CONNECTOR = BilibiliConnector()
