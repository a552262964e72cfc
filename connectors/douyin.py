"""`douyin`: videos for a `keyword`, the comments under one `video` (an `aweme_id`) and their
replies, or the newest videos of one account (`uid`, its `sec_uid`) and the comments under
them. Douyin signs every web request with values a browser computes (`a_bogus`, `msToken`), so
only `provider = "tikhub"` is offered (the default): TikHub's answers carry Douyin's own JSON
(`aweme/v1/web/comment/list`, `general/search/single`; CN-PLATFORMS.md section 4).

Comments come hottest first, not newest first: every comment page is read up to `max_pages`,
and the cursor keeps the newest comment time, so a later sweep keeps only what was written
since. Refusals: Douyin's empty 200 body (a refused signature or cookie; MediaCrawler #113,
TikTokDownloader #225), TikHub's 401/402/429.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from connectors.cnbase import CnOptions, CnPreset, blocked, items_of, read_items
from connectors.paging import Item, Page, with_query
from connectors.presets import pick
from watcher.model import SourceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response

TIKHUB_WEB = "https://api.tikhub.io/api/v1/douyin/web"
VIDEO_URL = "https://www.douyin.com/video/"
EMPTY = ("empty answer (HTTP 200 with no body): Douyin refused the signature or the cookie "
         "behind the provider; try again later, or renew the provider's cookie")


@dataclass(frozen=True, kw_only=True)
class DouyinOptions(CnOptions):
    keyword: str | None = None
    video: str | None = None  # an aweme_id
    uid: str | None = None  # the account's sec_uid (MS4wLjABAAAA…)
    provider: Literal["tikhub"] = "tikhub"
    page_delay: timedelta = timedelta(seconds=2)  # TikHub allows 10 a second; Douyin far fewer


class DouyinConnector(CnPreset):
    kind = "douyin"
    name = "douyin"
    Options = DouyinOptions
    target_keys = ("keyword", "video", "uid")

    def check(self, options: DouyinOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if options.video and not options.video.isdigit():
            problems.append(("video", "must be the aweme_id, the number in douyin.com/video/…"))
        return problems

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        options = source.options
        if options.video:
            return {"comments": options.video, "cursor": 0}
        return {"videos": "search" if options.keyword else "uid", "cursor": 0}

    def address(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        if "comments" in request:
            return with_query(f"{TIKHUB_WEB}/fetch_video_comments", {
                "aweme_id": request["comments"], "cursor": request["cursor"], "count": 20})
        if "root" in request:
            return with_query(f"{TIKHUB_WEB}/fetch_video_comment_replies", {
                "item_id": request["video"], "comment_id": request["root"], "cursor": 0,
                "count": 20})
        if request["videos"] == "search":  # sort_type 2: newest first
            return with_query(f"{TIKHUB_WEB}/fetch_general_search_result", {
                "keyword": options.keyword, "offset": request["cursor"], "count": 20,
                "sort_type": 2, "publish_time": 0, "filter_duration": 0})
        return with_query(f"{TIKHUB_WEB}/fetch_user_post_videos", {
            "sec_user_id": options.uid, "max_cursor": request["cursor"], "count": 20})

    def check_response(self, response: Response) -> None:
        if response.status == 200 and not response.content.strip():
            raise blocked(self.name, "empty body", EMPTY)

    def page(self, source: SourceConfig, document: Any, response: Response,
             request: dict[str, Any]) -> Page:
        status = pick(document, "status_code")
        if status not in (0, None) or not isinstance(document, dict):
            raise SourceError(f"changed shape: douyin answered status_code={status!r}, "
                              f"{pick(document, 'status_msg')!r}", "parse")
        page = Page(aside="root" in request or bool(request.get("aside")))
        if "comments" in document:
            read_items(page, items_of(document, "comments", self.name),
                       lambda raw: self._comment(source, raw))
        elif "aweme_list" in document:
            read_items(page, items_of(document, "aweme_list", self.name),
                       lambda raw: self._video(source, raw))
        elif "data" in document:
            cards = [c for c in items_of(document, "data", self.name) if pick(c, "aweme_info")]
            read_items(page, cards, lambda card: self._video(source, card["aweme_info"]))
        else:
            raise SourceError("changed shape: douyin answer has no comments, aweme_list or "
                              "data", "parse")
        cursor = pick(document, "cursor") if "max_cursor" not in document \
            else pick(document, "max_cursor")
        if not page.aside and pick(document, "has_more") in (1, True) and cursor:
            page.next = {**request, "cursor": cursor}
        return page

    def _video(self, source: SourceConfig, raw: Any) -> Item:
        aweme = pick(raw, "aweme_id")
        author = pick(raw, "author")
        comments = {"comments": aweme, "cursor": 0, "aside": True} if source.options.uid \
            else None
        return self.post(
            source, raw, id=aweme, text=pick(raw, "desc"), time=pick(raw, "create_time"),
            author=pick(author, "nickname"), followers=_followers(author),
            verified=_verified(author), url=f"{VIDEO_URL}{aweme}",
            engagement={"likes": pick(raw, "statistics.digg_count"),
                        "replies": pick(raw, "statistics.comment_count"),
                        "reposts": pick(raw, "statistics.share_count")},
            pinned=True, replies=comments, thread=comments is not None)

    def _comment(self, source: SourceConfig, raw: Any) -> Item:
        user, video = pick(raw, "user"), pick(raw, "aweme_id")
        root = pick(raw, "reply_id")
        more = None
        if (pick(raw, "reply_comment_total") or 0) and root in (None, "0"):
            more = {"root": pick(raw, "cid"), "video": video}
        return self.post(
            source, raw, id=pick(raw, "cid"), text=pick(raw, "text"),
            time=pick(raw, "create_time"), author=pick(user, "nickname"),
            followers=_followers(user), verified=_verified(user),
            parent=pick(raw, "reply_to_reply_id") if pick(raw, "reply_to_reply_id")
            not in (None, "0") else root,
            url=f"{VIDEO_URL}{video}", pinned=True, replies=more,
            engagement={"likes": pick(raw, "digg_count"),
                        "replies": pick(raw, "reply_comment_total")})


def _followers(user: Any) -> int | None:
    """Douyin's web answers write 0 for an audience they do not disclose: 0 is not given."""
    value = pick(user, "follower_count")
    return value if isinstance(value, int) and value > 0 else None


def _verified(user: Any) -> bool | None:
    """A blue or yellow V: a custom or enterprise verification text."""
    if not isinstance(user, dict) or not {"custom_verify", "enterprise_verify_reason"} & set(user):
        return None
    return bool(pick(user, "custom_verify") or pick(user, "enterprise_verify_reason"))


CONNECTOR = DouyinConnector()
