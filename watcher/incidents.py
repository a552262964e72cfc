"""Group complaints: when `[incidents] min_complaints` similar complaints from different
people arrive within `window`, they become one incident at level 1 with one alert listing them;
a later similar ticket joins the open incident and goes out as an incident update."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.render import render_incident
from alerts.routing import new_ticket_targets, on_duty
from watcher.store import incidents as incident_store
from watcher.store import outbox
from watcher.store import tickets as ticket_store
from watcher.text import normalize

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from watcher.config import Config
    from watcher.store.db import Store

SHARED_KEYWORDS = 3  # bigrams two complaints of one category must share to count as similar
NEAR_DUPLICATE = 0.5  # Jaccard similarity of keyword sets that counts whatever the category
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]{3,}")
# Bigrams every complaint has; sharing them says nothing about sharing a cause.
STOP_BIGRAMS = frozenset(
    """
    我们 你们 他们 一个 没有 什么 这个 那个 就是 不是 还是 可以 但是 因为 所以 已经 自己 现在
    怎么 今天 时候 真的 非常 而且 然后 如果 这样 感觉 知道 还有 一下 一直 东西 问题 客服 投诉
    商家 购买 买的 了一 的时 是不 不会 不能 都是 也是 还要 太差 差评 完全
    """.split()
)


def keywords(text: str) -> frozenset[str]:
    """Chinese character bigrams and Latin words of the normalized text, common ones left out."""
    norm = normalize(text)
    grams = {run[i:i + 2] for run in _CJK_RUN.findall(norm) for i in range(len(run) - 1)}
    grams.update(_LATIN_WORD.findall(norm))
    return frozenset(grams - STOP_BIGRAMS)


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two complaints of the same category are similar when they share enough keywords, or when
    they are near duplicates of each other."""
    shared = len(a & b)
    union = len(a | b) or 1
    return shared >= SHARED_KEYWORDS or shared / union >= NEAR_DUPLICATE


def absorb(store: Store, conn: Connection, config: Config, ticket: dict[str, Any],
           now: datetime) -> bool:
    """Joins `ticket` to an incident, or starts one with it; True when its alert went out as the
    incident's (so the caller sends no alert of its own)."""
    window_start = now - config.incidents.window
    own = keywords(ticket["text"])
    for incident in incident_store.open_since(conn, ticket["category"], window_start):
        members = ticket_store.in_incident(conn, incident["id"])
        if any(similar(own, keywords(m["text"])) for m in members):
            _join(store, conn, config, incident["id"], [ticket], now)
            _alert(store, conn, config, incident["id"], now, joined=ticket["id"])
            return True
    candidates = ticket_store.recent_without_incident(conn, window_start, ticket["category"])
    group = [t for t in candidates
             if t["id"] == ticket["id"] or similar(own, keywords(t["text"]))]
    authors = {t["author"] or f"#{t['id']}" for t in group}
    if len(authors) < config.incidents.min_complaints:
        return False
    incident_id = incident_store.create(conn, category=ticket["category"],
                                        keywords=sorted(own)[:20], now=now)
    _join(store, conn, config, incident_id, group, now)
    _alert(store, conn, config, incident_id, now, joined=None)
    return True


def _join(store: Store, conn: Connection, config: Config, incident_id: int,
          members: list[dict[str, Any]], now: datetime) -> None:
    """Members become level 1 with the `group` risk; a deadline only ever moves closer."""
    incident_store.join(conn, incident_id, [m["id"] for m in members], now)
    level_one = now + config.sla.respond_within[0]
    for member in members:
        risks = list(dict.fromkeys([*member["risks"], "group"]))
        reasons = list(dict.fromkeys([*member["reasons"], f"group: 事件 #{incident_id}"]))
        ticket_store.change(
            conn, member["id"],
            {"level": 1, "risks": risks, "reasons": reasons,
             "deadline": min(member["deadline"], level_one)},
            now=now, action="incident", data={"incident": incident_id, "level": 1},
        )


def _alert(store: Store, conn: Connection, config: Config, incident_id: int, now: datetime, *,
           joined: int | None) -> None:
    from watcher.tickets import ticket_alert

    members = [ticket_alert(m, config) for m in ticket_store.in_incident(conn, incident_id)]
    newcomer = next((m for m in members if m.ticket_id == joined), None)
    title, body = render_incident(incident_id, members, config.tz, newcomer)
    shift = on_duty(config.duty, now, config.tz)
    targets = new_ticket_targets(1, shift.name if shift else None, config.duty, config.alerts)
    key = f"incident:{incident_id}:" + (f"ticket:{joined}" if joined else "new")
    outbox.enqueue(store, conn, alert_key=key, targets=targets, title=title, body=body, now=now,
                   level=1)
