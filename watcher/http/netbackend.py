"""httpcore's network layer on asyncio's own streams, under httpx.

httpx reaches the network through httpcore, and httpcore through anyio by default. For a 304
from a platform, anyio's layer (a cancel scope per read and write, typed-attribute lookups,
stream wrappers) costs about 100 µs of the ~650 µs of CPU Watcher spends per request, and a warm
sweep of 1,000 sources is CPU-bound on those requests (bench/: `make bench`). This backend does
the same work on asyncio streams: TCP with happy eyeballs, TLS by `StreamWriter.start_tls`,
timeouts by `asyncio.timeout`, and errors mapped to httpcore's exceptions, which httpx maps to
its own as usual.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from httpcore import SOCKET_OPTION, AsyncNetworkBackend, AsyncNetworkStream
from httpcore._utils import is_socket_readable  # private: httpcore is pinned <1.1 for it

HAPPY_EYEBALLS_DELAY = 0.25  # seconds before trying a host's next address (RFC 8305)


class AsyncioStream(AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout(f"no data within {timeout}s") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout(f"could not send within {timeout}s") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        # Not waiting for the close: a TLS peer that never answers the shutdown would hold
        # the pool for asyncio's 30 s shutdown timeout.
        self._writer.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self._writer.close()
            raise httpcore.ConnectTimeout(f"TLS handshake took over {timeout}s") from None
        except OSError as exc:  # ssl.SSLError included
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":  # a kept-alive connection the server has since closed
            sock = self._writer.get_extra_info("socket")
            return sock is None or is_socket_readable(sock)
        return None


class AsyncioBackend(AsyncNetworkBackend):
    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SOCKET_OPTION] | None = None,
                          ) -> AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY,
                    local_addr=(local_address, 0) if local_address else None)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection within {timeout}s") from None
        except OSError as exc:  # refused, unreachable, unknown host (socket.gaierror)
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock: socket.socket | None = writer.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def asyncio_transport(ssl_context: ssl.SSLContext,
                      limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport over this backend: same pool, HTTP/1.1 and error mapping."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits)
    # httpx offers no argument for httpcore's network backend, so its pool is replaced by an
    # identical one that has it (httpx is pinned <0.29; tests/test_netbackend.py checks this).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncioBackend(),
    )
    return transport
