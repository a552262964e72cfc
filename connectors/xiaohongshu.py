"""`xiaohongshu`: notes for a `keyword`, the comments under one `note` and their sub-comments,
or the newest notes of one account (`uid`) and the comments under them. Xiaohongshu signs every
web request with browser-computed headers (`x-s`, `x-t`, `x-s-common`), so only
`provider = "tikhub"` is offered (the default).

The same payloads are read in Xiaohongshu's own web shape (`edith…/v2/comment/page`,
`…/v1/search/notes`: `data.comments`, `data.items[].note_card`) and in the app shape TikHub's
search returns (`data.items[].note`); CN-PLATFORMS.md section 5. Note and comment ids are
MongoDB ObjectIds whose first 8 hex digits are the Unix time they were made, which dates a
search card that carries no time. Refusals: HTTP 461 (a verification is wanted), code 300011
(账号异常), 300012 (IP blocked), -100 (登录已过期), -104 (no permission); TikHub's 401/402/429.
"""

from __future__ import annotations

import re
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
    from watcher.http.client import HttpStatusError, Response

TIKHUB_WEB = "https://api.tikhub.io/api/v1/xiaohongshu/web"
NOTE_URL = "https://www.xiaohongshu.com/explore/"
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
REFUSALS = {
    300011: "account flagged (300011 检测到账号异常): the provider's account was flagged; "
            "try again later",
    300012: "IP blocked (300012 网络连接异常): slow down or change IP",
    -100: "log-in expired (-100 登录已过期): renew the provider's cookie",
    -104: "no permission (-104 您当前登录的账号没有权限访问): the account may not read this",
}
VERIFY = "verification wanted (HTTP 461): slow down, then pass the captcha with this account"


@dataclass(frozen=True, kw_only=True)
class XiaohongshuOptions(CnOptions):
    keyword: str | None = None
    note: str | None = None  # a note id: the 24 hex digits in xiaohongshu.com/explore/…
    uid: str | None = None  # the account's user id
    provider: Literal["tikhub"] = "tikhub"
    page_delay: timedelta = timedelta(seconds=3)  # 461 comes after a burst of requests


class XiaohongshuConnector(CnPreset):
    kind = "xiaohongshu"
    name = "xiaohongshu"
    Options = XiaohongshuOptions
    target_keys = ("keyword", "note", "uid")

    def check(self, options: XiaohongshuOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if options.note and not _OBJECT_ID.fullmatch(options.note):
            problems.append(("note", "must be the 24 hex digits of the note id"))
        return problems

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
        options = source.options
        if options.note:
            return {"comments": options.note, "cursor": ""}
        return {"notes": "search" if options.keyword else "uid", "cursor": "", "page": 1}

    def address(self, source: SourceConfig, request: dict[str, Any]) -> str:
        options = source.options
        if "comments" in request:
            return with_query(f"{TIKHUB_WEB}/get_note_comments", {
                "note_id": request["comments"], "lastCursor": request["cursor"]})
        if "root" in request:
            return with_query(f"{TIKHUB_WEB}/get_note_sub_comments", {
                "note_id": request["note"], "comment_id": request["root"], "lastCursor": ""})
        if request["notes"] == "search":
            return with_query(f"{TIKHUB_WEB}/search_notes", {
                "keyword": options.keyword, "page": request["page"],
                "sort": "time_descending", "noteType": "_0"})
        return with_query(f"{TIKHUB_WEB}/get_user_notes_v2", {
            "user_id": options.uid, "lastCursor": request["cursor"]})

    def refusal(self, source: SourceConfig, error: HttpStatusError) -> SourceError | None:
        if error.status == 461:
            return blocked(self.name, "HTTP 461", VERIFY)
        return super().refusal(source, error)

    def shut_out(self, source: SourceConfig, document: Any, response: Response) -> None:
        code = pick(document, "code")
        if code in REFUSALS:
            raise blocked(self.name, code, REFUSALS[code])

    def page(self, source: SourceConfig, document: Any, response: Response,
             request: dict[str, Any]) -> Page:
        code, data = pick(document, "code"), pick(document, "data")
        if code != 0 or pick(document, "success") is False or not isinstance(data, dict):
            raise SourceError(f"changed shape: xiaohongshu answered code={code!r}, "
                              f"msg={pick(document, 'msg')!r}", "parse")
        page = Page(aside="root" in request or bool(request.get("aside")))
        if "comments" in data:
            read_items(page, items_of(data, "comments", self.name),
                       lambda raw: self._thread(source, raw))
        else:
            notes = [n for n in items_of(data, "items", self.name) + items_of(
                data, "notes", self.name) if pick(n, "model_type") in ("note", None)]
            read_items(page, notes, lambda raw: self._note(source, raw))
        if not page.aside and pick(data, "has_more") in (True, 1):
            page.next = {**request, "cursor": pick(data, "cursor") or "",
                         "page": request.get("page", 1) + 1}
        return page

    def _note(self, source: SourceConfig, raw: Any) -> Item:
        card = pick(raw, "note_card") or pick(raw, "note") or raw
        ident = pick(raw, "id") or pick(card, "id") or pick(raw, "note_id")
        user = pick(card, "user")
        comments = {"comments": ident, "cursor": "", "aside": True} if source.options.uid \
            else None
        return self.post(
            source, raw, id=ident, title=pick(card, "display_title") or pick(card, "title"),
            text=pick(card, "desc"), author=pick(user, "nickname") or pick(user, "nick_name"),
            verified=pick(user, "red_official_verified"),
            time=pick(card, "timestamp") or pick(card, "time") or object_time(ident),
            url=f"{NOTE_URL}{ident}", pinned=True, replies=comments,
            thread=comments is not None,
            engagement={"likes": pick(card, "interact_info.liked_count")
                        or pick(card, "liked_count"),
                        "replies": pick(card, "comments_count"),
                        "reposts": pick(card, "shared_count")})

    def _thread(self, source: SourceConfig, raw: Any) -> list[Item]:
        """A comment and the sub-comments shown under it; the rest are asked for when
        Xiaohongshu says it has more."""
        shown = items_of(raw, "sub_comments", self.name)
        more = {"root": pick(raw, "id"), "note": pick(raw, "note_id")} \
            if pick(raw, "sub_comment_has_more") else None
        return [self._comment(source, raw, more)] + [self._comment(source, s, None)
                                                     for s in shown]

    def _comment(self, source: SourceConfig, raw: Any, more: Any) -> Item:
        user, ident = pick(raw, "user_info"), pick(raw, "id")
        return self.post(
            source, raw, id=ident, text=pick(raw, "content"), author=pick(user, "nickname"),
            time=pick(raw, "create_time") or object_time(ident),
            parent=pick(raw, "target_comment.id"),
            url=f"{NOTE_URL}{pick(raw, 'note_id')}#{ident}", pinned=True, replies=more,
            engagement={"likes": pick(raw, "like_count"),
                        "replies": pick(raw, "sub_comment_count")})


def object_time(ident: Any) -> int | None:
    """The Unix time in an ObjectId's first 4 bytes, or None for another kind of id."""
    text = str(ident or "")
    return int(text[:8], 16) if _OBJECT_ID.fullmatch(text) else None


CONNECTOR = XiaohongshuConnector()
