"""Starting and stopping the aiohttp server inside the daemon's event loop."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web

from watcher.config import Config
from watcher.config.sections import WebUser
from watcher.errors import WebServerError
from watcher.runtime.metrics import Metrics
from watcher.store.db import Store
from watcher.web import limits, ops
from watcher.web.parts import PARTS, Parts
from watcher.web.users import UsersFile

log = logging.getLogger(__name__)


def build_app(parts: Parts) -> web.Application:
    app = web.Application(middlewares=[limits.body_deadline(parts.config.web.body_timeout)])
    app[PARTS] = parts
    app[ops.PROBE] = ops.StoreProbe()
    app.router.add_get("/healthz", ops.healthz)
    app.router.add_get("/metrics", ops.metrics)
    try:
        from watcher.web.console import add_console  # optional: see the except below
    except ImportError:  # a build without the console still serves health and metrics
        pass
    else:
        add_console(app)
    return app


def listen(bind: str, port: int) -> socket.socket:
    """A listening socket on the address (port 0: any free port), or WebServerError."""
    try:
        family, *_ = socket.getaddrinfo(bind or None, port, type=socket.SOCK_STREAM,
                                        flags=socket.AI_PASSIVE)[0]
        return socket.create_server((bind, port), family=family, backlog=128)
    except OSError as exc:
        raise WebServerError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None


async def serve(config: Config, store: Store, metrics: Metrics, alive: Callable[[], bool], *,
                read_users: Callable[[], tuple[WebUser, ...]] | None = None
                ) -> Callable[[], Awaitable[None]]:
    """Serves the console, /healthz and /metrics in the running loop; returns what stops it.
    (The daemon is handed this function by the command line: the runtime imports no web.)
    Connections are bounded (watcher.web.limits) and idle ones closed after `header_timeout`.
    With `read_users` (the config file's users, loaded again), the console follows edits of
    `[[web.users]]` without a restart (watcher.web.users)."""
    web_config = config.web
    sock = listen(web_config.bind, web_config.port)
    descriptors = limits.raise_descriptor_limit()
    total = limits.console_share(web_config.max_connections, descriptors)
    if total < web_config.max_connections:
        log.warning("web: at most %d connections (half the %d open files allowed), not "
                    "max_connections = %d", total, descriptors, web_config.max_connections)
    users_file = (UsersFile(config.path, config.web.users, read_users)
                  if read_users is not None and config.path is not None else None)
    runner = web.AppRunner(build_app(Parts(config, store, metrics, alive, users_file)),
                           access_log=None,
                           handle_signals=False,
                           keepalive_timeout=web_config.header_timeout.total_seconds())
    await runner.setup()
    assert runner.server is not None  # set up just now
    bounded = limits.ConnectionLimits(runner.server, per_client=web_config.max_client_connections,
                                      total=total)
    listener = await asyncio.get_running_loop().create_server(bounded, sock=sock)
    host, port = sock.getsockname()[:2]
    log.info("web server listening on http://%s:%s (console, /healthz, /metrics)", host, port)

    async def stop() -> None:
        listener.close()
        await runner.cleanup()

    return stop
