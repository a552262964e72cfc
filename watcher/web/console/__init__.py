"""The staff console: queue, ticket pages, sources, dashboard, login, and a read-only JSON API,
served by `watcher run` beside /healthz and /metrics."""

from __future__ import annotations

from aiohttp import web


def add_console(app: web.Application) -> None:
    """Registers the console's routes on `app` (which holds the daemon's Parts)."""
    # here: importing a console module (i18n, catalogs) does not load every page and template
    from watcher.web.console.app import setup

    setup(app)
