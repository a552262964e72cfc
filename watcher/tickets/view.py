"""A ticket as the command line's --json and the console's API show it: one shape for both."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from watcher.config.sections import FollowupSection
from watcher.reasons import english
from watcher.records import Ticket
from watcher.tickets import followup


def ticket_json(row: Ticket, tz: tzinfo, *,
                current_followup: dict[str, Any] | None = None, now: datetime | None = None,
                low_score: int = FollowupSection.low_score) -> dict[str, Any]:
    """`current_followup`: the ticket's latest follow-up row (watcher.store.followups), None
    for a ticket never resolved; `now` tells a pending follow-up from an overdue one."""
    return {
        "id": row.id,
        "level": row.level,
        "category": row.category,
        "department": row.department,
        "status": row.status,
        "assignee": row.assignee,
        "incident": row.incident_id,
        "deadline": row.deadline.astimezone(tz).isoformat(timespec="seconds"),
        "created_at": row.created_at.astimezone(tz).isoformat(timespec="seconds"),
        "reasons": english(row.reasons),
        "reason_codes": [reason.code.value for reason in row.reasons],
        "risks": list(row.risks),
        "followup": followup.view(row.status, current_followup, now or datetime.now(UTC),
                                  low_score, tz),
        "mention": {
            "source": row.source,
            "platform": row.platform,
            "url": row.url,
            "author": row.author,
            "title": row.title,
            "text": row.text,
            "created_at": row.mention_created_at.astimezone(tz).isoformat(timespec="seconds"),
        },
    }
