"""Bounds on the connections the web server holds, so that clients can never take the file
descriptors the sources, the store and the alerts need: at most `max_client_connections` from
one client address and `max_connections` in all (never more than half the process's descriptor
limit); a connection over either is answered 503 and closed at once. A connection that has not
sent a whole request head within `header_timeout` (on arrival, or idle between two requests) is
closed by aiohttp's own idle timer, which `serve` sets to it (slowloris); a request whose body has
not all arrived within `body_timeout` after its head is answered 408 and its connection closed
(`body_deadline`), so a client trickling a form cannot hold a handler."""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

log = logging.getLogger(__name__)

REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain"
           b"\r\nContent-Length: 21\r\nRetry-After: 5\r\n\r\ntoo many connections\n")
WARN_EVERY = 60.0  # seconds between two warnings about refused connections


def raise_descriptor_limit() -> int:
    """Raises the soft limit on open files to the hard one (what the container allows);
    returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:  # (up to the hard limit is always allowed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def console_share(configured: int, descriptors: int) -> int:
    """The most connections the web server may hold: what the config allows, but at most half
    the descriptors, the other half left to the sources, the store and the logs."""
    return max(1, min(configured, descriptors // 2))


class ConnectionLimits:
    """Wraps the server's protocol factory: each new connection is counted against its client
    address and the total before aiohttp sees it."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], *, per_client: int,
                 total: int) -> None:
        self.factory = factory
        self.per_client = per_client
        self.total = total
        self.open = 0
        self.by_address: Counter[str] = Counter()
        self.refused = 0
        self._warned_at = -WARN_EVERY

    def __call__(self) -> asyncio.Protocol:
        return _Counted(self)

    def admit(self, address: str) -> bool:
        if self.open >= self.total or self.by_address[address] >= self.per_client:
            self.refused += 1
            now = time.monotonic()
            if now - self._warned_at >= WARN_EVERY:
                self._warned_at = now
                log.warning("web: refusing connections (%d open, %d from %s; limits %d in all, "
                            "%d per client address); %d refused so far", self.open,
                            self.by_address[address], address, self.total, self.per_client,
                            self.refused)
            return False
        self.open += 1
        self.by_address[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open -= 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]


class _Counted(asyncio.Protocol):
    """One connection: refused with a 503, or handed to aiohttp's protocol and counted until it
    closes."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self._limits = limits
        self._inner: asyncio.Protocol | None = None
        self._address = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self._address = str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"
        if not self._limits.admit(self._address):
            if isinstance(transport, asyncio.WriteTransport):
                transport.write(REFUSAL)
            transport.close()
            return
        self._inner = self._limits.factory()
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._inner is not None:
            self._limits.release(self._address)
            inner, self._inner = self._inner, None
            inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()


def body_deadline(timeout: timedelta) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware: reads a request's whole body (aiohttp keeps it for `post()` and `json()`)
    within `timeout` before any handler runs; a body still arriving then gets 408 and the
    connection is closed, since what is left of that body would be read as the next request."""
    seconds = timeout.total_seconds()

    @web.middleware
    async def middleware(request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
        if request.body_exists:
            try:
                async with asyncio.timeout(seconds):
                    await request.read()
            except TimeoutError:
                log.warning("web: %s %s: the request body did not arrive within %gs; "
                            "connection closed", request.method, request.path, seconds)
                response = web.Response(status=408, text="408: the request body came too slowly\n")
                response.force_close()
                return response
        return await handler(request)

    return middleware
