"""httpcore's network layer on asyncio's own streams, through its public interface
(`AsyncNetworkBackend`, given to each connection pool as `network_backend`).

httpcore reaches the network through anyio by default. For a 304 from a platform, anyio's layer
(a cancel scope per read and write, typed-attribute lookups, stream wrappers) costs about 100 µs
of CPU per request, and a warm sweep of 1,000 sources is CPU-bound on its requests (bench/:
`make bench`). This backend does the same work on asyncio streams: TCP with happy eyeballs, TLS
by `StreamWriter.start_tls`, timeouts by `asyncio.timeout` (none where the caller sets none: the
HTTP client bounds each attempt as a whole), and errors mapped to httpcore's exceptions.

`refuse_internal` is for the connections a redirect made: the address actually connected to is
checked, so a name that resolves (or re-resolves) into the private network is refused there.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
from httpcore import SOCKET_OPTION, AsyncNetworkBackend, AsyncNetworkStream

from watcher.http.addresses import internal_address

HAPPY_EYEBALLS_DELAY = 0.25  # seconds before trying a host's next address (RFC 8305)


class AsyncioStream(AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            if timeout is None:
                return await self._reader.read(max_bytes)
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
            self._writer.write(buffer)
            if timeout is None:
                await self._writer.drain()
                return
            async with asyncio.timeout(timeout):
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
            return _readable(self._writer.get_extra_info("socket"))
        return None


def _readable(sock: Any) -> bool:
    """Whether a socket has something to read (or was closed by the peer): an idle kept-alive
    connection that is readable cannot be reused."""
    if sock is None or sock.fileno() < 0:
        return True
    poll = select.poll()
    poll.register(sock.fileno(), select.POLLIN)
    return bool(poll.poll(0))


class InternalAddressRefused(httpcore.ConnectError):
    """A connection made for a redirect reached a loopback, private or link-local address."""


class AsyncioBackend(AsyncNetworkBackend):
    def __init__(self, *, refuse_internal: bool = False) -> None:
        self.refuse_internal = refuse_internal

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
        peer = writer.get_extra_info("peername")
        if self.refuse_internal and peer and internal_address(peer[0]):
            writer.close()
            raise InternalAddressRefused(f"{host} is at {peer[0]}, an internal address")
        sock: socket.socket | None = writer.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
