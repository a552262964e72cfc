"""The read-only JSON API: the queue, a ticket, the sources and the dashboard's figures, for a
user's bearer token (`Authorization: Bearer wt_...`). Described by openapi.json."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from aiohttp import web

from watcher.records import parse_ticket_id
from watcher.tickets.view import ticket_json
from watcher.web.console import data, i18n
from watcher.web.console.auth import Handler, api_requires
from watcher.web.console.context import config_of, in_thread, now_of, store_of, user_of
from watcher.web.console.queue_page import parse_filter

OPENAPI = Path(__file__).parent / "openapi.json"
# The queue filters with a closed set of values (openapi.json lists the same): anything else is
# a 400, where the page quietly ignores it.
FILTER_VALUES = {
    "status": {*data.STATUS_CHOICES, "all"},
    "level": {"1", "2", "3", "4"},
    "category": set(i18n.CATEGORIES),
    "overdue": {"1"},
}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /api/ every refusal is JSON, as the document says: a 404 for no such route, a
    405 for a method the API does not take, alike."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400 or (
                exc.content_type == "application/json"):
            raise
        kept = {k: v for k, v in exc.headers.items() if k.lower() in ("allow",
                                                                       "www-authenticate")}
        return error(exc.status, (exc.reason or "error").lower(), kept)


def _time(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


async def openapi(request: web.Request) -> web.StreamResponse:
    return web.Response(body=OPENAPI.read_bytes(), content_type="application/json")


def _json(document: Any) -> web.Response:
    return web.json_response(document, headers={"Cache-Control": "no-store"})


QUEUE_KEYS = ("status", "level", "category", "platform", "assignee", "overdue")


def query_problem(query: Mapping[str, str], allowed: tuple[str, ...] = ()) -> str | None:
    """What is wrong with the query string: a parameter the API does not take (a typo is told,
    not ignored), or a filter outside its values."""
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        return (f"unknown query parameter {unknown[0]!r}; allowed: "
                f"{', '.join(allowed) if allowed else 'none'}")
    for key, values in FILTER_VALUES.items():
        if key in query and query[key] not in values:
            return f"{key}: must be one of {', '.join(sorted(values))}"
    return None


def _refuse_bad_query(allowed: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            problem = query_problem(request.query, allowed)
            return error(400, problem) if problem else await handler(request)

        return checked

    return wrap


@api_requires("viewer")
@_refuse_bad_query(QUEUE_KEYS)
async def tickets(request: web.Request) -> web.StreamResponse:
    user, now, tz = user_of(request), now_of(request), config_of(request).tz
    found = await in_thread(data.queue, store_of(request),
                            parse_filter(request.query, user.name, now), now, user.name)
    counts, low_score = found["counts"], config_of(request).followup.low_score
    return _json({
        "tickets": [ticket_json(row, tz, current_followup=found["followups"].get(row.id),
                                now=now, low_score=low_score) | {"link": f"/tickets/{row.id}"}
                    for row in found["tickets"]],
        "counts": {"unresolved": counts.unresolved, "awaiting": counts.awaiting,
                   "overdue": counts.overdue, "unassigned": counts.unassigned,
                   "mine": counts.mine,
                   "by_level": {str(k): v for k, v in sorted(counts.by_level.items())}},
    })


def _mention(row: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    return {"source": row["source"], "platform": row["platform"], "url": row["url"],
            "author": row["author"], "text": row["text"],
            "created_at": _time(row["created_at"], tz)}


@api_requires("viewer")
@_refuse_bad_query()
async def ticket(request: web.Request) -> web.StreamResponse:
    tz = config_of(request).tz
    ticket_id = parse_ticket_id(request.match_info["ticket_id"])
    found = None if ticket_id is None else await in_thread(data.ticket, store_of(request),
                                                           config_of(request), ticket_id)
    if found is None:
        return error(404, "no such ticket")
    incident = found["incident"]
    mention = found["mention"]
    view = ticket_json(found["ticket"], tz, current_followup=found["followup"],
                       now=now_of(request), low_score=config_of(request).followup.low_score)
    return _json(view | {
        "link": f"/tickets/{found['ticket'].id}",
        "score": {"probability": mention["probability"], "sentiment": mention["sentiment"]},
        "history": [{"at": _time(e["at"], tz), "actor": e["actor"], "action": e["action"],
                     "note": e["note"], "data": e["data"]} for e in found["history"]],
        "linked": [_mention(m, tz) | {"kind": m["kind"], "at": _time(m["linked_at"], tz)}
                   for m in found["linked"]],
        "reposts": [_mention(m, tz) for m in found["reposts"]],
        "incident": None if incident is None else {
            "id": incident["id"], "status": incident["status"], "category": incident["category"],
            "keywords": incident["keywords"], "created_at": _time(incident["created_at"], tz),
            "tickets": [t.id for t in found["incident_tickets"]]},
        "actions": found["actions"],
    })


@api_requires("admin")
@_refuse_bad_query()
async def sources(request: web.Request) -> web.StreamResponse:
    tz, now = config_of(request).tz, now_of(request)
    rows = await in_thread(data.sources, store_of(request), config_of(request), now)
    return _json({"sources": [{
        "name": r.config.name, "kind": r.config.kind, "platform": r.config.platform,
        "enabled": r.config.enabled, "health": r.health,
        "last_run_at": _time(r.state.last_run_at, tz),
        "last_success_at": _time(r.state.last_success_at, tz),
        "last_fetched": r.state.last_fetched, "last_new": r.state.last_new, "stored": r.stored,
        "errors_in_row": r.state.errors_in_row, "last_error": r.state.last_error,
        "last_error_kind": r.state.last_error_kind, "next_run_at": _time(r.next_run, tz),
    } for r in rows]})


@api_requires("viewer")
@_refuse_bad_query()
async def dashboard(request: web.Request) -> web.StreamResponse:
    tz = config_of(request).tz
    board = await in_thread(data.dashboard, store_of(request), config_of(request),
                            now_of(request))
    return _json({
        "days": [d.isoformat() for d in board.daily.days],
        "mentions_by_platform": board.daily.mentions_by_platform,
        "complaints_by_category": board.daily.complaints_by_category,
        "sla_by_level": {str(level): {"met": o.met, "missed": o.missed, "pending": o.pending}
                         for level, o in sorted(board.sla.items())},
        "month": {"start": _time(board.month_start, tz), "review_share": board.flag_share,
                  "categories": [{"category": s.category, "complaints": s.complaints,
                                  "share": round(s.share, 4),
                                  "review": s.share > board.flag_share} for s in board.month]},
        "precision_by_source": [{"source": p.source, "week": p.week, "tickets": p.tickets,
                                 "false_positives": p.false_positives,
                                 "precision": round(p.precision, 4)} for p in board.precision],
    })
