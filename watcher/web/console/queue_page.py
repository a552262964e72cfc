"""The queue: unresolved tickets by deadline, filters, counts; refreshed in place by console.js."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from watcher.records import AWAITING_RESPONSE
from watcher.store.reports import QueueFilter
from watcher.tickets import followup
from watcher.web.console import data, i18n
from watcher.web.console.auth import requires
from watcher.web.console.context import (
    CONSOLE,
    config_of,
    in_thread,
    now_of,
    store_of,
    user_of,
)
from watcher.web.console.render import render

ME, NOBODY = "@me", "@none"  # assignee filter values beside real names
REFRESH_SECONDS = 30


def parse_filter(query: Mapping[str, str], user: str, now: datetime) -> QueueFilter:
    """The filter the query asks for; values that make no sense are ignored, not errors."""
    status = query.get("status", "")
    statuses = ((status,) if status in data.STATUS_CHOICES
                else () if status == "all" else QueueFilter().statuses)
    level = query.get("level", "")
    assignee = query.get("assignee", "")
    category = query.get("category", "")
    return QueueFilter(
        statuses=statuses,
        level=int(level) if level in ("1", "2", "3", "4") else None,
        category=category if category in i18n.CATEGORIES else None,
        platform=query.get("platform") or None,
        assignee=user if assignee == ME else (assignee if assignee != NOBODY else None) or None,
        unassigned=assignee == NOBODY,
        overdue_at=now if query.get("overdue") == "1" else None,
    )


def selected(query: Mapping[str, str]) -> dict[str, str]:
    """The filter form's values, to show them chosen again."""
    keys = ("status", "level", "category", "platform", "assignee", "overdue")
    return {key: query.get(key, "") for key in keys}


@requires("viewer")
async def queue_page(request: web.Request) -> web.StreamResponse:
    user, now = user_of(request), now_of(request)
    wanted = parse_filter(request.query, user.name, now)
    found = await in_thread(data.queue, store_of(request), wanted, now, user.name)
    low_score = config_of(request).followup.low_score
    followups = {t.id: {"state": followup.state(t.status, row, now, low_score), "row": row}
                 for t in found["tickets"] if (row := found["followups"].get(t.id))}
    context: dict[str, Any] = found | {"followups": followups} | {
        "now": now, "chosen": selected(request.query), "statuses": data.STATUS_CHOICES,
        "categories": list(i18n.CATEGORIES), "awaiting": AWAITING_RESPONSE, "ME": ME,
        "NOBODY": NOBODY, "refresh": REFRESH_SECONDS, "page": "queue",
    }
    return render(request, request.app[CONSOLE].envs, "queue.html", context)


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/tickets")
