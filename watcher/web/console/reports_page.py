"""The complaint reports in the console: /reports lists the recent months and weeks (and which
were sent), /reports/{2026-10 | 2026-W41} shows any period's report, built on demand by the same
code that sends it, under a policy that allows its own inline stylesheet and nothing else."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from watcher.reporting import render
from watcher.reporting.period import Period, month_of, parse_period, week_of
from watcher.reporting.sending import build
from watcher.store import analysis
from watcher.store.db import Store
from watcher.web.console.auth import requires
from watcher.web.console.context import CONSOLE, config_of, in_thread, now_of, store_of
from watcher.web.console.render import render as render_page

MONTHS, WEEKS = 12, 8  # listed on /reports; any other period is one address away


def report_policy() -> str:
    return (f"default-src 'none'; style-src {render.style_hash()}; img-src data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _sent(store: Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        return analysis.sent_periods(conn)


@requires("viewer")
async def reports_page(request: web.Request) -> web.StreamResponse:
    today = now_of(request).astimezone(config_of(request).tz).date()
    months: list[Period] = [month_of(today)]
    weeks: list[Period] = [week_of(today)]
    while len(months) < MONTHS:
        months.append(months[-1].previous())
    while len(weeks) < WEEKS:
        weeks.append(weeks[-1].previous())
    context = {"months": months, "weeks": weeks, "today": today, "page": "reports",
               "sent": await in_thread(_sent, store_of(request))}
    return render_page(request, request.app[CONSOLE].envs, "reports.html", context)


@requires("viewer")
async def report(request: web.Request) -> web.StreamResponse:
    config, now = config_of(request), now_of(request)
    try:
        period = parse_period(request.match_info["period"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if period.first > now.astimezone(config.tz).date():
        raise web.HTTPNotFound()
    built = await in_thread(build, store_of(request), config, period, now)
    page = render.html(built, config.tz, link_base="")
    return web.Response(text=page, content_type="text/html",
                        headers={"Content-Security-Policy": report_policy(),
                                 "Cache-Control": "no-store"})
