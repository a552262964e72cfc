"""The shop-review kinds' shared part (`tmall`, `jd`): one product (`item`), its newest reviews
with their star rating, from one JSONP endpoint that `url` replaces. Both need a logged-in
`cookie`; without a valid one the shops answer a log-in or slider-captcha page (CN-PLATFORMS.md
section 6), which is `blocked`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from connectors.cnbase import CnOptions, CnPreset, blocked, jsonp

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import Response

# what a shop says instead of reviews when it wants a log-in or a slider captcha
_CHALLENGES = (b"<!doctype", b"<html", "登录".encode(), "滑块".encode(), b"rgv587_flag",
               b"punish", b"login")


@dataclass(frozen=True, kw_only=True)
class ReviewOptions(CnOptions):
    item: str  # the product id in the item's address
    provider: Literal["direct"] = "direct"
    page_delay: timedelta = timedelta(seconds=5)  # shops captcha quick readers soonest


class ReviewPreset(CnPreset):
    """A shop's review list: subclasses give the endpoint and read the answer."""

    Options = ReviewOptions
    required_text = ("item",)
    cookie_needed = True
    endpoint_url: ClassVar[str] = ""
    login: ClassVar[str] = ""  # what to do when the shop wants a log-in

    def check(self, options: ReviewOptions) -> list[tuple[str, str]]:
        problems = super().check(options)
        if options.item and not options.item.strip().isdigit():
            problems.append(("item", "must be the product's number"))
        return problems

    def default_url(self, options: ReviewOptions) -> str:
        return self.endpoint_url

    def first(self, source: SourceConfig, cursor: Any) -> int:
        return 1

    def check_response(self, response: Response) -> None:
        head = response.content[:4096].lstrip().lower()
        if not head or any(mark in head for mark in _CHALLENGES):
            raise blocked(self.name, "log-in or captcha page" if head else "empty body",
                          self.login)

    def document(self, source: SourceConfig, response: Response,
                 warnings: list[str] | None = None) -> Any:
        self.check_response(response)
        return jsonp(response, self.name, warnings)
