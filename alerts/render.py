"""The text of an alert. Mention text and author names are data: their markup characters are
swapped for full-width look-alikes, so a post cannot inject links, bold or HTML into the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import quote, urlsplit

from watcher.reasons import CATEGORY_NAMES, DEPARTMENT_NAMES, Reason, chinese
from watcher.text import excerpt, strip_controls

LEVEL_NAMES = {1: "红色", 2: "橙色", 3: "黄色", 4: "绿色"}
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
    reasons: tuple[Reason, ...]
    assignee: str | None = None
    link: str | None = None  # the ticket's page in the console, when one is served
    followup_due: datetime | None = None  # for the follow-up's reminder and escalation
    detail: str | None = None  # what staff wrote with the event alerted (a follow-up's note)
    reply: str | None = None  # the suggested first reply, for a new ticket


def neutralize(text: str) -> str:
    """Untrusted text made inert: markup characters become full-width, control characters
    (escape sequences, the bell) are dropped, lines are joined."""
    return " ".join(strip_controls(text.translate(_NEUTRAL)).split())


def safe_link(url: str | None) -> str | None:
    """An http(s) URL with every character that could break out of a link escaped."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return quote(url, safe=_URL_SAFE)


# What each kind of ticket alert says first, in its title.
HEADLINES = {
    "new": "新工单",
    "overdue": "已超时，请立即响应",
    "escalation": "超时未响应，升级处理",
    "progress": "请更新处理进展",
    "repeat": "重复投诉，已升级",
    "reach": "传播扩大，已升级",
    "assigned": "已指派给你",
    "reopened": "工单重新打开",
    "followup_due": "回访已到期，请尽快回访客户",
    "followup_escalation": "回访超时未完成，升级主管",
    "unsatisfied": "回访不满意，退回主管处理",
}
FOLLOWUP_KINDS = ("followup_due", "followup_escalation")
MAX_LISTED = 50  # tickets named one by one in an incident or digest; the rest are counted


def _level(level: int) -> str:
    return f"L{level} {LEVEL_NAMES.get(level, '')}"


def _time(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def render_ticket(alert: TicketAlert, tz: tzinfo, kind: str = "new") -> tuple[str, str]:
    """(title, body) of an alert about one ticket: new, overdue, escalation, progress, ..."""
    category = CATEGORY_NAMES.get(alert.category, alert.category)
    department = DEPARTMENT_NAMES.get(alert.department, alert.department)
    headline = HEADLINES[kind]
    title = (f"[工单 #{alert.ticket_id}] {headline} · {_level(alert.level)} {category} · "
             f"{neutralize(alert.platform)}")
    lines = [
        f"工单 #{alert.ticket_id} · {headline} · 等级 {_level(alert.level)} · "
        f"{category}（{department}）",
        f"平台：{neutralize(alert.platform)}（来源 {neutralize(alert.source)}）",
        f"作者：{neutralize(alert.author or '未知')}",
        f"内容：{neutralize(excerpt(alert.text, 200))}",
        f"原文：{safe_link(alert.url) or '无链接'}",
        f"响应截止：{_time(alert.deadline, tz)}",
        f"负责人：{neutralize(alert.assignee or '值班人员')}",
        f"原因：{neutralize('；'.join(chinese(alert.reasons)) or '无')}",
    ]
    if kind in FOLLOWUP_KINDS and alert.followup_due is not None:
        lines[5] = f"回访截止：{_time(alert.followup_due, tz)}"
    if alert.detail:
        lines.append(f"说明：{neutralize(excerpt(alert.detail, 200))}")
    if alert.reply:
        lines.append(f"建议回复：{neutralize(alert.reply)}")
    if alert.link:
        lines.append(f"处理：{safe_link(alert.link)}")
    return title, "\n".join(lines)


@dataclass(frozen=True)
class ListedTicket:
    """A ticket as named in a list: its id, its mention's link and the start of its text."""

    ticket_id: int | None
    url: str | None
    text: str


def ticket_list(items: list[ListedTicket], total: int | None = None) -> list[str]:
    """One line per ticket, id and link first; after MAX_LISTED, a count of the rest (of
    `total`, when the caller listed only the first ones)."""
    lines = [f"#{t.ticket_id} {safe_link(t.url) or '无链接'} {neutralize(excerpt(t.text, 40))}"
             if t.ticket_id is not None else neutralize(excerpt(t.text, 80))
             for t in items[:MAX_LISTED]]
    rest = (total if total is not None else len(items)) - len(lines)
    if rest > 0:
        lines.append(f"……另有 {rest} 条")
    return lines


def render_incident(incident_id: int, members: list[TicketAlert], tz: tzinfo,
                    joined: TicketAlert | None = None, total: int | None = None
                    ) -> tuple[str, str]:
    """A group complaint: its member tickets listed (the first MAX_LISTED of `total`, then a
    count); `joined` names the one that just came."""
    count = total if total is not None else len(members)
    category = CATEGORY_NAMES.get(members[0].category, members[0].category) if members else ""
    if joined is None:
        title = f"[事件 #{incident_id}] 群体投诉 · {_level(1)} {category} · {count} 条"
        head = f"事件 #{incident_id}：{count} 条相似投诉来自不同用户，按群体投诉（红色）处理"
    else:
        title = f"[事件 #{incident_id}] 新增工单 #{joined.ticket_id} · 共 {count} 条"
        head = f"事件 #{incident_id} 新增工单 #{joined.ticket_id}，共 {count} 条相似投诉"
    listed = [ListedTicket(m.ticket_id, m.url, m.text) for m in members]
    return title, "\n".join([head, *ticket_list(listed, count)])


def render_incident_update(incident_id: int, newcomers: list[ListedTicket], joined: int,
                           total: int) -> tuple[str, str]:
    """The tickets that joined an open incident since its last message (`joined` of them, the
    first MAX_LISTED listed), folded into one message."""
    first = f"#{newcomers[0].ticket_id}" if newcomers else ""
    what = f"新增工单 {first}" if joined == 1 else f"新增工单 {joined} 张"
    title = f"[事件 #{incident_id}] {what} · 共 {total} 条"
    head = f"事件 #{incident_id} {what}，共 {total} 条相似投诉"
    return title, "\n".join([head, *ticket_list(newcomers, joined)])


def render_digest(items: list[ListedTicket]) -> tuple[str, str]:
    """The alerts storm control held back for one target, as one message."""
    title = f"[汇总] {len(items)} 条提醒（一分钟内超过上限，合并发送）"
    return title, "\n".join([title, *ticket_list(items)])


def render_source_health(source: str, *, broken: bool, errors_in_row: int,
                         error: str | None, blocked: bool = False) -> tuple[str, str]:
    """For the operators: a source that keeps failing, one the platform blocks (its message
    says what to do), or one that works again."""
    if broken and blocked:
        title = f"[数据源被封禁] {neutralize(source)} 被平台拒绝访问，需要处理"
        body = f"{title}\n平台答复：{neutralize(error or '未知')}"
    elif broken:
        title = f"[数据源故障] {neutralize(source)} 连续失败 {errors_in_row} 次"
        body = f"{title}\n最近错误：{neutralize(error or '未知')}"
    else:
        title = f"[数据源恢复] {neutralize(source)} 已恢复正常"
        body = title
    return title, body
