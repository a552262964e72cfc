"""Weibo's comment pages as HTML: the old WAP site weibo.cn (`/comment/<bid>?page=N`), whose
comments are `div.c` with an id `C_<comment id>`, the author's link first (a `V` image when the
account is verified), the text in `span.ctt`, `赞[N]` and the time in `span.ct`; `[热门]` marks the
hot comments shown first. Recorded in ../shared/fixtures/weibo/ (dataabc/weiboSpider's test data).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

_LIKES = re.compile(r"赞\[(\d+)\]")
_PAGES = re.compile(r"(\d+)/(\d+)页")


def comments(markup: str) -> tuple[list[dict[str, Any]], int | None]:
    """The comments of a page as plain records, and the number of pages it says there are."""
    with warnings.catch_warnings():  # weibo.cn serves XHTML with an XML declaration
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    found = []
    for div in soup.select("div.c[id^=C_]"):
        author = next((a for a in div.find_all("a", recursive=False)), None)
        text, when = div.select_one("span.ctt"), div.select_one("span.ct")
        likes = _LIKES.search(div.get_text())
        found.append({
            "id": str(div["id"]).removeprefix("C_"),
            "author": author.get_text(strip=True) if author else None,
            "verified": any(img.get("alt") == "V" for img in div.find_all("img", recursive=False)),
            "text": text.decode_contents() if text else None,
            "time": when.get_text(" ", strip=True).split("\xa0")[0].split(" 来自")[0]
            .replace("\xa0", " ").strip() if when else None,
            "likes": int(likes.group(1)) if likes else None,
            "hot": div.select_one("span.kt") is not None,
        })
    pagelist = soup.select_one("#pagelist")
    pages = _PAGES.search(pagelist.get_text() if pagelist else "")
    return found, int(pages.group(2)) if pages else None
