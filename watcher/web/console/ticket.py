"""A ticket's page and the actions on it. Every action goes through watcher.tickets.actions, with
the logged-in user as the actor, and comes back to the page (Post/Redirect/Get)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from watcher.errors import TicketActionError
from watcher.records import AWAITING_RESPONSE, TRANSITIONS, parse_ticket_id
from watcher.tickets import followup
from watcher.tickets.actions import apply
from watcher.tickets.corrections import Correction, correct
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

NOTE_LIMIT = 5000  # characters; a note is a progress remark, not a document


def ticket_id_of(request: web.Request) -> int:
    ticket_id = parse_ticket_id(request.match_info["ticket_id"])
    if ticket_id is None:
        raise web.HTTPNotFound()
    return ticket_id


async def _page(request: web.Request, error: str | None = None,
                status: int = 200) -> web.Response:
    ticket_id = ticket_id_of(request)
    found = await in_thread(data.ticket, store_of(request), config_of(request), ticket_id)
    if found is None:
        raise web.HTTPNotFound()
    now, low_score = now_of(request), config_of(request).followup.low_score
    context: dict[str, Any] = found | {
        "now": now, "awaiting": AWAITING_RESPONSE, "error": error,
        "done": request.query.get("done"), "page": "queue", "low_score": low_score,
        "followup_state": followup.state(found["ticket"].status, found["followup"], now,
                                         low_score),
    }
    return render(request, request.app[CONSOLE].envs, "ticket.html", context, status=status)


def _correction(form: Any) -> Correction:
    """The correction form: `verdict` is `not` (not a complaint) or `yes`, with a category and
    a level that differ from the ticket's where staff changed them."""
    level = str(form.get("level", ""))
    if str(form.get("verdict", "")) == "not":
        return Correction(not_complaint=True)
    return Correction(category=str(form.get("category", "")).strip() or None,
                      level=int(level) if level.isdigit() else None)


@requires("viewer")
async def ticket_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@requires("staff")
async def act(request: web.Request) -> web.StreamResponse:
    action = request.match_info["action"]
    if action not in TRANSITIONS:
        raise web.HTTPNotFound()
    form = await request.post()
    note = str(form.get("note", "")).strip()[:NOTE_LIMIT] or None
    assignee = str(form.get("assignee", "")).strip()[:200] or None
    score = str(form.get("score", ""))
    ticket_id = ticket_id_of(request)
    gettext = i18n.translations(request["lang"]).gettext
    if action == "assign" and assignee not in data.people(config_of(request)):
        message = gettext("%(name)s is not one of the people in the config (the duty roster "
                          "and the console's staff)") % {"name": assignee or "–"}
        return await _page(request, error=message, status=409)
    try:
        if action == "correct":
            await in_thread(correct, store_of(request), config_of(request), ticket_id,
                            _correction(form), actor=user_of(request).name,
                            now=now_of(request))
            raise web.HTTPSeeOther(f"/tickets/{ticket_id}?done={action}")
        await in_thread(apply, store_of(request), config_of(request), ticket_id, action,
                        actor=user_of(request).name, now=now_of(request), note=note,
                        assignee=assignee, score=int(score) if score.isdigit() else None)
    except TicketActionError as exc:
        message = gettext("The action was refused: %(reason)s") % {"reason": exc}
        return await _page(request, error=message, status=409)
    raise web.HTTPSeeOther(f"/tickets/{ticket_id}?done={action}")
