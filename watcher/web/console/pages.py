"""The sources page (admins) and the dashboard, with its charts drawn on the server."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup

from watcher.reporting import svg
from watcher.web.console import data, i18n
from watcher.web.console.auth import requires
from watcher.web.console.context import CONSOLE, config_of, in_thread, now_of, store_of
from watcher.web.console.render import render

TOP_PLATFORMS = 7  # the rest are drawn as one "other platforms" series


@requires("admin")
async def sources_page(request: web.Request) -> web.StreamResponse:
    now = now_of(request)
    rows = await in_thread(data.sources, store_of(request), config_of(request), now)
    broken = sum(r.health in ("failing", "broken") for r in rows)
    context = {"rows": rows, "now": now, "broken": broken, "page": "sources",
               "alert_after": config_of(request).health.alert_after}
    return render(request, request.app[CONSOLE].envs, "sources.html", context)


@requires("viewer")
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    now = now_of(request)
    board = await in_thread(data.dashboard, store_of(request), config_of(request), now)
    gettext = i18n.translations(request["lang"]).gettext
    context: dict[str, Any] = {"board": board, "now": now, "page": "dashboard",
                               "review_share": board.flag_share,
                               **charts(board, gettext)}
    return render(request, request.app[CONSOLE].envs, "dashboard.html", context)


def platform_series(board: data.Dashboard, other: str) -> list[svg.Series]:
    ranked = sorted(board.daily.mentions_by_platform.items(), key=lambda kv: -sum(kv[1]))
    series = [svg.Series(name, values, svg.PALETTE[i]) for i, (name, values)
              in enumerate(ranked[:TOP_PLATFORMS])]
    rest = ranked[TOP_PLATFORMS:]
    if rest:
        summed = [sum(v[i] for _, v in rest) for i in range(len(board.daily.days))]
        series.append(svg.Series(other, summed, svg.PALETTE[-1]))
    return series


def category_series(board: data.Dashboard, gettext: Any) -> list[svg.Series]:
    """In the categories' fixed order, so a category keeps its colour from day to day."""
    found = board.daily.complaints_by_category
    codes = [c for c in i18n.CATEGORIES if c in found] + sorted(set(found) - set(i18n.CATEGORIES))
    return [svg.Series(gettext(i18n.CATEGORIES.get(code, code)), found[code],
                       svg.PALETTE[list(i18n.CATEGORIES).index(code) % len(svg.PALETTE)]
                       if code in i18n.CATEGORIES else svg.PALETTE[-1])
            for code in codes]


def sla_chart(board: data.Dashboard, gettext: Any) -> Markup:
    rows = []
    for level, outcome in sorted(board.sla.items()):
        total = outcome.met + outcome.missed + outcome.pending
        parts = [(outcome.met, svg.MET, gettext("Met")), (outcome.missed, svg.MISSED,
                                                         gettext("Missed")),
                 (outcome.pending, svg.PENDING, gettext("Pending"))]
        segments = [svg.Segment(n, colour, f"{name}: {n}") for n, colour, name in parts]
        rate = "–" if outcome.rate is None else f"{outcome.rate * 100:.0f}%"
        note = gettext("%(rate)s of %(total)d met") % {"rate": rate, "total": total}
        rows.append((f"L{level} {gettext(i18n.LEVELS[level])}", segments, note))
    scale = max((o.met + o.missed + o.pending for o in board.sla.values()), default=0)
    return svg.hbars(rows, gettext("SLA met and missed by level"), scale)


def share_chart(board: data.Dashboard, gettext: Any) -> Markup:
    rows = []
    for share in board.month:
        colour = svg.MISSED if share.share > board.flag_share else svg.PALETTE[0]
        title = f"{share.complaints} ({share.share * 100:.1f}%)"
        rows.append((gettext(i18n.CATEGORIES.get(share.category, share.category)),
                     [svg.Segment(share.share, colour, title)], title))
    return svg.hbars(rows, gettext("Complaints by category this month"), 1.0,
                     marker=board.flag_share)


def charts(board: data.Dashboard, gettext: Any) -> dict[str, Any]:
    platforms = platform_series(board, gettext("Other platforms"))
    categories = category_series(board, gettext)
    empty = gettext("Nothing in the last 30 days")
    return {
        "platform_chart": svg.stacked_days(board.daily.days, platforms,
                                           gettext("Mentions per day by platform"), empty),
        "platform_legend": [(s.label, svg.swatch(s.colour), sum(s.values)) for s in platforms],
        "category_chart": svg.stacked_days(board.daily.days, categories,
                                           gettext("Complaints per day by category"), empty),
        "category_legend": [(s.label, svg.swatch(s.colour), sum(s.values)) for s in categories],
        "sla_chart": sla_chart(board, gettext),
        "share_chart": share_chart(board, gettext) if board.month else None,
        "sla_legend": [(gettext(n), svg.swatch(c)) for n, c in
                       (("Met", svg.MET), ("Missed", svg.MISSED), ("Pending", svg.PENDING))],
    }
