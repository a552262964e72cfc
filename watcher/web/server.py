"""Starting and stopping the aiohttp server inside the daemon's event loop."""

from __future__ import annotations

import logging

from aiohttp import web

from watcher.web import ops
from watcher.web.parts import PARTS, Parts

log = logging.getLogger(__name__)


class WebServerError(Exception):
    """The server cannot start: the port is taken or the address is not this machine's."""


def build_app(parts: Parts) -> web.Application:
    app = web.Application()
    app[PARTS] = parts
    app.router.add_get("/healthz", ops.healthz)
    app.router.add_get("/metrics", ops.metrics)
    try:
        from watcher.web.console import add_console
    except ImportError:  # a build without the console still serves health and metrics
        pass
    else:
        add_console(app)
    return app


async def start(parts: Parts) -> tuple[web.AppRunner, str]:
    """Serves the app; returns the runner (to stop it) and the address it listens on."""
    runner = web.AppRunner(build_app(parts), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, parts.config.web.bind, parts.config.web.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise WebServerError(f"cannot listen on {parts.config.web.bind}:"
                             f"{parts.config.web.port}: {exc.strerror or exc}") from None
    server = site._server  # aiohttp keeps the listening sockets here; port 0 needs the real one
    sockets = getattr(server, "sockets", None) or ()
    host, port = sockets[0].getsockname()[:2] if sockets else (parts.config.web.bind, 0)
    address = f"http://{host}:{port}"
    log.info("web server listening on %s (console, /healthz, /metrics)", address)
    return runner, address
