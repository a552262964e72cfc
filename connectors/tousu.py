"""`tousu`: complaints on 黑猫投诉 (tousu.sina.com.cn), newest first: those matching a `keyword`
(search, which needs a logged-in `cookie`) or those one `company` received (its `couid`). Each
complaint's text carries its demand (诉求), amount and status (处理中/已回复/已完成); its number is
the mention's id.

From public crawler code (CN-PLATFORMS.md section 1; no recorded body exists, so the tests build
theirs from these shapes): `GET /api/index/s` and `/api/company/received_complaints`, answered
`{"result": {"status": {"code": 0}, "data": {"lists" | "complaints": [{"main": {…},
"author": {…}}], "pager": {…}}}}`. Every request is signed: `ts` (milliseconds), `rs` (16 random
letters and digits) and `signature`, the SHA-256 of the sorted values (`sign` below). Refusals:
HTTP 456 (请求过快被封, past ~40-50 requests a minute), the log-in page instead of JSON, and an
empty page while the pager still counts complaints.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from connectors.cnbase import CnOptions, CnPreset, blocked, items_of, read_items
from connectors.paging import Item, Page, with_query
from connectors.presets import pick
from watcher.model import SourceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import HttpStatusError, Response

SITE = "https://tousu.sina.com.cn"
SALT = "$d6eb7ff91ee257475%"  # the constant the site's script mixes in (CN-PLATFORMS.md 1)
PAGE_SIZE = 10
LOGIN_PAGE = "log-in page instead of JSON: cookie expired: renew `cookie` (SUB/SUBP of a " \
             "logged-in tousu.sina.com.cn session)"
TOO_FAST = "risk control (HTTP 456 请求过快被封): slow down to under 40 requests a minute"
EMPTY = "risk control: an empty page while {total} complaints are counted; slow down"


def sign(values: list[str], ts: str, rs: str) -> str:
    """SHA-256 hex of the values with ts, rs and the salt, sorted (as JS sorts strings) and
    joined without a separator."""
    return hashlib.sha256("".join(sorted([*values, ts, rs, SALT])).encode()).hexdigest()


def signed(params: dict[str, Any], hashed: list[str], now: float | None = None,
           rs: str | None = None) -> dict[str, Any]:
    """`params` with ts, rs and their signature first."""
    ts = str(int((time.time() if now is None else now) * 1000))
    rs = rs or "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))
    return {"ts": ts, "rs": rs, "signature": sign(hashed, ts, rs), **params}


@dataclass(frozen=True, kw_only=True)
class TousuOptions(CnOptions):
    keyword: str | None = None
    company: str | None = None  # the company's couid, as in tousu.sina.com.cn/company/view?couid=
    provider: Literal["direct"] = "direct"
    page_delay: timedelta = timedelta(seconds=2)  # 30 a minute, under the ~40 that gets 456


class TousuConnector(CnPreset):
    kind = "tousu"
    name = "tousu"
    Options = TousuOptions
    target_keys = ("keyword", "company")
    extra_headers: ClassVar[Mapping[str, str]] = {"X-Requested-With": "XMLHttpRequest"}

    def needs_cookie(self, options: TousuOptions) -> bool:
        return bool(options.keyword)  # the search answers the log-in page without one

    def check(self, options: TousuOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if options.company and not options.company.isdigit():
            problems.append(("company", "must be the company's couid (a number)"))
        return problems

    def headers(self, source: SourceConfig) -> dict[str, str]:
        headers = super().headers(source)
        if source.options.keyword:
            headers.setdefault("Referer", with_query(f"{SITE}/index/search/", {
                "keywords": source.options.keyword, "t": 1}))
        return headers

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> int:
        return 1

    def address(self, source: SourceConfig, page: int) -> str:
        options, size = source.options, str(PAGE_SIZE)
        if options.keyword:
            params = {"keywords": options.keyword, "page_size": size, "page": str(page)}
            hashed = [options.keyword, size, str(page)]
            return with_query(f"{SITE}/api/index/s", signed(params, hashed))
        params = {"couid": options.company, "type": "1", "page_size": size, "page": str(page)}
        hashed = [options.company, "1", size, str(page)]
        return with_query(f"{SITE}/api/company/received_complaints", signed(params, hashed))

    def check_response(self, response: Response) -> None:
        head = response.content[:2048].lstrip().lower()
        if head.startswith((b"<!doctype", b"<html")) or "登录".encode() in head:
            raise blocked(self.name, "log-in page", LOGIN_PAGE)

    def refusal(self, source: SourceConfig, error: HttpStatusError) -> SourceError | None:
        if error.status == 456:
            return blocked(self.name, "HTTP 456", TOO_FAST)
        return super().refusal(source, error)

    def page(self, source: SourceConfig, document: Any, response: Response, request: int) -> Page:
        code, data = pick(document, "result.status.code"), pick(document, "result.data")
        if code != 0 or not isinstance(data, dict):
            raise SourceError(f"changed shape: tousu answered status {code!r} "
                              f"({pick(document, 'result.status.msg')!r})", "parse")
        raws = items_of(data, "lists" if "lists" in data else "complaints", self.name)
        total = pick(data, "pager.item_count")
        if not raws and isinstance(total, int | str) and str(total).isdigit() and int(total):
            raise blocked(self.name, "empty page", EMPTY.format(total=total))
        page = Page()
        read_items(page, raws, lambda raw: self._complaint(source, raw))
        pages = pick(data, "pager.page_amount")
        if isinstance(pages, int | str) and str(pages).isdigit() and request < int(pages):
            page.next = request + 1
        return page

    def _complaint(self, source: SourceConfig, raw: Any) -> Item:
        main = pick(raw, "main") or {}
        details = [f"{label}：{value}" for label, value in (
            ("诉求", pick(main, "appeal")), ("金额", pick(main, "cost")),
            ("状态", pick(main, "status"))) if value not in (None, "")]
        text = " ".join([str(pick(main, "summary") or pick(main, "title") or ""), *details])
        link = str(pick(main, "url") or f"//tousu.sina.com.cn/complaint/view/{pick(main, 'sn')}/")
        return self.post(
            source, raw, id=pick(main, "sn"), title=pick(main, "title"), text=text.strip(),
            author=pick(raw, "author.title"), time=pick(main, "timestamp"),
            url="https:" + link if link.startswith("//") else link,
            engagement={"likes": pick(main, "upvote_amount"),
                        "reposts": pick(main, "share_amount"),
                        "replies": pick(main, "comment_amount")})


CONNECTOR = TousuConnector()
