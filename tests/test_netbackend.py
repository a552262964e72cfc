"""The asyncio network backend under httpcore's pools (watcher/http/netbackend.py), on real
loopback sockets: plain and TLS requests, kept-alive connections the server closed, a proxy from
the environment, and each error path mapped to the httpcore exception the HTTP client reads."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpcore
import pytest
import trustme

from tests.servers import PlatformServer, Route, free_port
from watcher.config.sections import HttpSection
from watcher.http.client import HttpClient, shared_ssl_context
from watcher.http.netbackend import AsyncioBackend, InternalAddressRefused

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def answer_each_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on the connection with ANSWER (keep-alive)."""
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()  # the client went away


async def with_server(handler: Handler, body: Callable[[int], Awaitable[Any]],
                      tls: ssl.SSLContext | None = None) -> Any:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        return await body(port)
    finally:
        server.close()


class client:  # used as `async with client() as http`, like the function it replaced
    """httpcore's pool on the backend, as the HTTP client builds one for an origin."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None,
                 timeout: float | None = None) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or shared_ssl_context(), max_connections=4,
            max_keepalive_connections=4, network_backend=AsyncioBackend())
        self.timeouts = {k: timeout for k in ("connect", "read", "write", "pool")}

    async def __aenter__(self) -> client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.pool.aclose()

    async def get(self, url: str) -> httpcore.Response:
        return await self.pool.request("GET", url, extensions={"timeout": self.timeouts})


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every connection the backend opens."""
    opened: list[tuple[str, int]] = []
    connect = AsyncioBackend.connect_tcp

    async def counting(self: AsyncioBackend, host: str, port: int, *args: Any,
                       **kw: Any) -> Any:
        opened.append((host, port))
        return await connect(self, host, port, *args, **kw)

    monkeypatch.setattr(AsyncioBackend, "connect_tcp", counting)
    return opened


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    return context


def test_watchers_client_fetches_through_the_backend(connects: list[tuple[str, int]],
                                                     no_proxy_env: None) -> None:
    server = PlatformServer({"/feed": Route(b"<rss/>", "application/rss+xml")}).start()

    async def go() -> tuple[bytes, bool]:
        async with HttpClient(HttpSection(retries=0)) as http:
            first = await http.get(f"{server.url}/feed")
            again = await http.get(f"{server.url}/feed", validators=first.validators)
        return first.content, again.not_modified

    try:
        assert asyncio.run(go()) == (b"<rss/>", True)
    finally:
        server.stop()
    # http.server answers HTTP/1.0 and closes: a connection per request
    assert connects == [("127.0.0.1", server.port)] * 2


def test_a_proxy_in_the_environment_is_used(connects: list[tuple[str, int]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy receives the absolute URL in its request line; this one answers it itself.
    proxy = PlatformServer({"http://feeds.invalid/feed": Route(b"via proxy", "text/plain")})
    proxy.start()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)

    async def go() -> bytes:
        async with HttpClient(HttpSection(retries=0)) as http:
            return (await http.get("http://feeds.invalid/feed")).content

    try:
        assert asyncio.run(go()) == b"via proxy"
    finally:
        proxy.stop()
    assert proxy.hits == {"http://feeds.invalid/feed": 1}
    assert connects == [("127.0.0.1", proxy.port)]  # to the proxy, on the asyncio backend


def test_tls_with_a_trusted_certificate(ca: trustme.CA, server_tls: ssl.SSLContext) -> None:
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)

    async def body(port: int) -> tuple[int, bytes, str | None]:
        async with client(trusting) as http:
            answer = await http.get(f"https://localhost:{port}/")
            tls = answer.extensions["network_stream"].get_extra_info("ssl_object")
            return answer.status, answer.content, tls.version() if tls else None

    status, content, version = asyncio.run(with_server(answer_each_request, body, server_tls))
    assert (status, content) == (200, b"hello")
    assert version is not None and version.startswith("TLS")


def test_tls_with_an_untrusted_certificate_is_a_connect_error(server_tls: ssl.SSLContext) -> None:
    async def body(port: int) -> None:
        async with client() as http:  # certifi's CAs: the test CA is not among them
            await http.get(f"https://localhost:{port}/")

    with pytest.raises(httpcore.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        asyncio.run(with_server(answer_each_request, body, server_tls))


def test_tls_handshake_that_never_comes_is_a_connect_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # a TCP server that never speaks TLS

    async def body(port: int) -> None:
        async with client(timeout=0.3) as http:
            await http.get(f"https://127.0.0.1:{port}/")

    with pytest.raises(httpcore.ConnectTimeout, match="TLS handshake"):
        asyncio.run(with_server(silent, body))


def test_a_kept_alive_connection_the_server_closed_is_replaced(
        connects: list[tuple[str, int]]) -> None:
    async def one_answer_then_close(reader: asyncio.StreamReader,
                                    writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ANSWER)  # no "Connection: close": the client keeps it
        await writer.drain()
        writer.close()

    async def body(port: int) -> list[bytes]:
        async with client() as http:
            first = await http.get(f"http://127.0.0.1:{port}/")
            await asyncio.sleep(0.1)  # the server's close reaches the client
            second = await http.get(f"http://127.0.0.1:{port}/")
        return [first.content, second.content]

    assert asyncio.run(with_server(one_answer_then_close, body)) == [b"hello", b"hello"]
    assert len(connects) == 2


def test_refused_connection_is_a_connect_error() -> None:
    async def go() -> None:
        async with client() as http:
            await http.get(f"http://127.0.0.1:{free_port()}/")

    with pytest.raises(httpcore.ConnectError, match="Connect call failed"):
        asyncio.run(go())


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose listener never accepts and whose queue is full: a connect there hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = []
    for _ in range(4):  # the queue holds backlog + 1; later SYNs are dropped
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        queued.append(sock)
    try:
        yield port
    finally:
        for sock in [*queued, listener]:
            sock.close()


def test_connect_that_hangs_is_a_connect_timeout(full_backlog: int) -> None:
    async def go() -> None:
        async with client(timeout=0.3) as http:
            await http.get(f"http://127.0.0.1:{full_backlog}/")

    with pytest.raises(httpcore.ConnectTimeout, match="no connection within"):
        asyncio.run(go())


def test_silent_server_is_a_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async def body(port: int) -> None:
        async with client(timeout=0.3) as http:
            await http.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpcore.ReadTimeout, match="no data within"):
        asyncio.run(with_server(silent, body))


def _reset(writer: asyncio.StreamWriter) -> None:
    """Closes with a TCP reset instead of a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def test_reset_while_reading_is_a_read_error() -> None:
    async def reset_after_headers(reader: asyncio.StreamReader,
                                  writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
        await writer.drain()
        await asyncio.sleep(0.05)
        _reset(writer)

    async def body(port: int) -> None:
        async with client() as http:
            await http.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpcore.ReadError, match="reset"):
        asyncio.run(with_server(reset_after_headers, body))


def test_reset_while_writing_is_a_write_error() -> None:
    async def reset_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _reset(writer)

    async def body(port: int) -> None:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=1)
        try:
            for _ in range(100):  # the first writes may still land in the socket buffer
                await stream.write(b"x" * 65536, timeout=1)
                await asyncio.sleep(0.01)
        finally:
            await stream.aclose()

    with pytest.raises(httpcore.WriteError):
        asyncio.run(with_server(reset_at_once, body))


def test_peer_that_stops_reading_is_a_write_timeout() -> None:
    async def never_reads(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def body(port: int) -> None:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=1)
        try:
            for _ in range(1000):  # until both socket buffers are full
                await stream.write(b"x" * 1_000_000, timeout=0.3)
        finally:
            await stream.aclose()

    with pytest.raises(httpcore.WriteTimeout, match="could not send within"):
        asyncio.run(with_server(never_reads, body))


def test_a_backend_for_redirects_refuses_internal_addresses() -> None:
    async def body(port: int) -> None:
        await AsyncioBackend(refuse_internal=True).connect_tcp("127.0.0.1", port, timeout=1)

    with pytest.raises(InternalAddressRefused, match=r"127\.0\.0\.1, an internal address"):
        asyncio.run(with_server(answer_each_request, body))


def test_pools_are_bounded_and_a_busy_pool_is_kept() -> None:
    from watcher.http.connections import Connections, target

    servers = [PlatformServer({"/x": Route(b"x", "text/plain")}).start() for _ in range(3)]
    busy, idle, third = (target(f"{s.url}/x") for s in servers)

    async def go() -> list[tuple[str, str, int, bool]]:
        connections = Connections(per_host=2, ssl_context=shared_ssl_context, max_pools=2)
        try:
            held = await connections.pool(busy, False).handle_async_request(
                httpcore.Request("GET", busy.address, headers=[(b"Host", busy.host_header)]))
            await connections.pool(idle, False).request(
                "GET", idle.address, headers=[(b"Host", idle.host_header)])
            connections.pool(third, False)  # a third origin: the idle pool makes room
            kept = list(connections._pools)
            await held.aread()
            await held.aclose()
            return kept
        finally:
            await connections.aclose()

    try:
        kept = asyncio.run(go())
    finally:
        for server in servers:
            server.stop()
    assert kept == [(*busy.origin, False), (*third.origin, False)]
