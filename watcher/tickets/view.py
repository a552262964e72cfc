"""A ticket as the command line's --json and the console's API show it: one shape for both."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from watcher.reasons import english
from watcher.records import Ticket


def ticket_json(row: Ticket, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": row.id,
        "level": row.level,
        "category": row.category,
        "department": row.department,
        "status": row.status,
        "assignee": row.assignee,
        "incident": row.incident_id,
        "deadline": row.deadline.astimezone(tz).isoformat(),
        "created_at": row.created_at.astimezone(tz).isoformat(),
        "reasons": english(row.reasons),
        "reason_codes": [reason.code.value for reason in row.reasons],
        "risks": list(row.risks),
        "mention": {
            "source": row.source,
            "platform": row.platform,
            "url": row.url,
            "author": row.author,
            "title": row.title,
            "text": row.text,
            "created_at": row.mention_created_at.astimezone(tz).isoformat(),
        },
    }
