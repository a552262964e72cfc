"""The text of an alert. Mention text and author names are data: their markup characters are
swapped for full-width look-alikes, so a post cannot inject links, bold or HTML into the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import quote, urlsplit

from watcher.text import excerpt

LEVEL_NAMES = {1: "红色", 2: "橙色", 3: "黄色", 4: "绿色"}
CATEGORY_NAMES = {
    "product_quality": "产品质量",
    "product_function": "产品功能",
    "service": "服务体验",
    "logistics": "物流配送",
    "after_sales": "售后",
    "price": "价格费用",
    "inquiry": "咨询",
    "suggestion": "建议",
    "other": "其他",
}
# ASCII characters that mean something in Markdown, HTML or chat markup -> full-width forms.
_NEUTRAL = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "<>[]()*_`#|~\\!{}"} | {"&": "＆"})
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"  # everything else (brackets, quotes, spaces) is escaped


@dataclass(frozen=True)
class TicketAlert:
    ticket_id: int
    level: int
    category: str
    department: str
    platform: str
    source: str
    author: str | None
    text: str
    url: str | None
    deadline: datetime
    reasons: tuple[str, ...]
    link: str | None = None  # the ticket's page in the console, when one is served


def neutralize(text: str) -> str:
    """Untrusted text made inert: markup characters become full-width, lines are joined."""
    return " ".join(text.translate(_NEUTRAL).split())


def safe_link(url: str | None) -> str | None:
    """An http(s) URL with every character that could break out of a link escaped."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return quote(url, safe=_URL_SAFE)


def render_new_ticket(alert: TicketAlert, tz: tzinfo) -> tuple[str, str]:
    """(title, body) of the alert for a new ticket."""
    level = f"L{alert.level} {LEVEL_NAMES.get(alert.level, '')}"
    category = CATEGORY_NAMES.get(alert.category, alert.category)
    title = f"[工单 #{alert.ticket_id}] {level} {category} · {neutralize(alert.platform)}"
    deadline = alert.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        f"工单 #{alert.ticket_id} · 等级 {level} · {category}（{alert.department}）",
        f"平台：{neutralize(alert.platform)}（来源 {neutralize(alert.source)}）",
        f"作者：{neutralize(alert.author or '未知')}",
        f"内容：{neutralize(excerpt(alert.text, 200))}",
        f"原文：{safe_link(alert.url) or '无链接'}",
        f"响应截止：{deadline}",
        f"原因：{neutralize('；'.join(alert.reasons) or '无')}",
    ]
    if alert.link:
        lines.append(f"处理：{safe_link(alert.link)}")
    return title, "\n".join(lines)
