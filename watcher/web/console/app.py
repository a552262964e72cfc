"""The console's routes, middleware and templates, added to the daemon's aiohttp app."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import web

from watcher.web.console import api, i18n, login, pages, queue_page, reports_page, ticket
from watcher.web.console.auth import Handler
from watcher.web.console.context import CONSOLE, Console
from watcher.web.console.render import environment, render
from watcher.web.parts import PARTS

STATIC = Path(__file__).parent / "static"
LANG_COOKIE_AGE = 365 * 86400
SECURITY_HEADERS = {
    # Nothing inline, nothing from elsewhere: a mention that slipped past escaping still could
    # not run a script or load anything.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # ticket addresses never reach the platforms linked to
}


def setup(app: web.Application) -> None:
    config = app[PARTS].config
    envs = {lang: environment(lang, config.tz) for lang in i18n.LANGUAGES}
    version = static_version()
    for env in envs.values():
        env.globals["static_version"] = version
    app[CONSOLE] = Console(envs)
    app.middlewares.append(language)
    app.middlewares.append(api.api_errors)
    app.on_response_prepare.append(_security_headers)
    add = app.router
    add.add_get("/", queue_page.home)
    add.add_get("/tickets", queue_page.queue_page)
    add.add_get("/tickets/{ticket_id}", ticket.ticket_page)
    add.add_post("/tickets/{ticket_id}/{action}", ticket.act)
    add.add_get("/dashboard", pages.dashboard_page)
    add.add_get("/sources", pages.sources_page)
    add.add_get("/reports", reports_page.reports_page)
    add.add_get("/reports/{period}", reports_page.report)
    add.add_get("/login", login.login_page)
    add.add_post("/login", login.login)
    add.add_post("/logout", login.logout)
    add.add_get("/api/openapi.json", api.openapi)
    add.add_get("/api/tickets", api.tickets)
    add.add_get("/api/tickets/{ticket_id}", api.ticket)
    add.add_get("/api/sources", api.sources)
    add.add_get("/api/dashboard", api.dashboard)
    add.add_static("/static/", STATIC)


def static_version() -> str:
    """Changes with the CSS and JS, so browsers never keep an old copy across an upgrade."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@web.middleware
async def language(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Picks the language (query, then cookie, then config), remembers a choice made in the
    query, and shows 403 and 404 as pages in that language."""
    asked = request.query.get("lang")
    request["lang"] = i18n.choose(asked, request.cookies.get(i18n.LANG_COOKIE),
                                  request.app[PARTS].config.web.language)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status not in (403, 404) or request.path.startswith(("/api/", "/healthz",
                                                                    "/metrics")):
            raise
        response = render(request, request.app[CONSOLE].envs, "error.html",
                          {"status": exc.status, "page": None}, status=exc.status)
    if asked in i18n.LANGUAGES:
        response.set_cookie(i18n.LANG_COOKIE, asked, max_age=LANG_COOKIE_AGE, path="/",
                            httponly=True, samesite="Lax")
    return response


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
