"""Templates: one Jinja environment per language (autoescape always on: mention text and author
names are data, never markup), the filters they use, and the response helper."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import web

from watcher.reasons import render as render_reason
from watcher.text import excerpt
from watcher.web.console import i18n

TEMPLATES = Path(__file__).parent / "templates"


def http_url(url: str | None) -> str | None:
    """`url` when it is an http(s) link with a host (the only kind made clickable), else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def environment(language: str, tz: tzinfo) -> jinja2.Environment:
    translations = i18n.translations(language)
    gettext = translations.gettext
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def named(table: dict[Any, str]) -> Any:
        return lambda code: gettext(table[code]) if code in table else str(code)

    env.filters.update(
        status=named(i18n.STATUSES), event=named(i18n.EVENTS), button=named(i18n.BUTTONS),
        level_name=named(i18n.LEVELS), category=named(i18n.CATEGORIES), risk=named(i18n.RISKS),
        department=named(i18n.DEPARTMENTS),
        role=named(i18n.ROLES), followup_state=named(i18n.FOLLOWUP_STATES),
        http_url=http_url, excerpt=excerpt,
        reason=lambda reason: render_reason(reason, language),
        local=lambda moment, fmt="%m-%d %H:%M": moment.astimezone(tz).strftime(fmt) if moment
        else "–",
        iso=lambda moment: moment.astimezone(tz).isoformat(timespec="seconds"),
        percent=lambda share, digits=0: "–" if share is None else f"{share * 100:.{digits}f}%",
        remaining=lambda deadline, now: remaining(deadline, now, gettext),
    )
    env.globals.update(language=language, LEVEL_NUMBERS=(1, 2, 3, 4),
                       countdown_formats=countdown_formats(gettext))
    return env


def countdown_formats(gettext: Any) -> dict[str, str]:
    """The countdown's words, for the server's first rendering and for console.js after it."""
    return {
        "days": gettext("{d}d {h}h"),
        "hours": gettext("{h}h {m}m"),
        "minutes": gettext("{m}m {s}s"),
        "left": gettext("{t} left"),
        "overdue": gettext("overdue {t}"),
    }


def remaining(deadline: datetime, now: datetime, gettext: Any) -> str:
    """"1h 05m left" or "overdue 3m 10s": the same wording console.js keeps up to date."""
    formats = countdown_formats(gettext)
    seconds = int(abs((deadline - now).total_seconds()))
    d, h, m, s = seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60, seconds % 60
    if d:
        span = formats["days"].replace("{d}", str(d)).replace("{h}", str(h))
    elif h:
        span = formats["hours"].replace("{h}", str(h)).replace("{m}", f"{m:02d}")
    else:
        span = formats["minutes"].replace("{m}", str(m)).replace("{s}", f"{s:02d}")
    return formats["overdue" if deadline < now else "left"].replace("{t}", span)


def language_links(request: web.Request) -> dict[str, str]:
    """The current page in each language (the choice is then remembered in a cookie)."""
    query = [(k, v) for k, v in request.query.items() if k != "lang"]
    return {lang: f"{request.path}?{urlencode([*query, ('lang', lang)])}"
            for lang in i18n.LANGUAGES}


def render(request: web.Request, envs: dict[str, jinja2.Environment], template: str,
           context: dict[str, Any], status: int = 200) -> web.Response:
    env = envs[request.get("lang", i18n.LANGUAGES[0])]
    page = env.get_template(template).render(
        request=request, user=request.get("user"), csrf=request.get("csrf"),
        language_names=i18n.LANGUAGE_NAMES, language_links=language_links(request), **context)
    response = web.Response(text=page, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
