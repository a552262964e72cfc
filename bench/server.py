"""A loopback platform for the benchmarks: many RSS feeds spread over many loopback addresses
(127.0.1.1, 127.0.1.2, ...), a latency per request, ETag / If-None-Match -> 304, and an alert
receiver (what apprise's json:// posts) that notes when each alert arrived.

It runs its own asyncio loop in a thread of the benchmark process, on raw asyncio protocols
(no per-request coroutine), so it answers thousands of requests a second on one core and is
not what a benchmark measures. State changes (`configure`, `next_round`) replace an immutable
`Plan`, which the loop thread reads.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

CONTROL_HOST = "127.0.0.1"  # the alert receiver listens here
ITEM_URL = re.compile(r"http://127\.0\.1\.\d+:\d+/item/(\d+)/(\d+)")


def host_address(index: int) -> str:
    """The loopback address of host `index` (0-based): 127.0.1.1, 127.0.1.2, ... 127.0.2.1, ..."""
    third, fourth = divmod(index, 254)
    return f"127.0.{1 + third}.{1 + fourth}"


@dataclass(frozen=True)
class Plan:
    """What the platform serves.

    Feed f lives on host f % hosts and shows `items` items, the newest first: those numbered
    `offsets[f] .. offsets[f] + items - 1`. `next_round` moves the window of some feeds on, which
    brings them new items (and a new ETag). Item (f, n) has the text `extra[(f, n)]`, else
    `texts[(n * feeds + f) % len(texts)]`: with `feeds * items` texts every first-round item
    has its own. Items of the first round are dated `age` ago, later ones when they appeared.
    """

    feeds: int
    hosts: int
    items: int
    latency: float = 0.05
    etag: bool = True
    texts: tuple[str, ...] = ("商品质量一般，客服回复很慢",)
    offsets: dict[int, int] = field(default_factory=dict)
    extra: dict[tuple[int, int], str] = field(default_factory=dict)
    age: timedelta = timedelta(0)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def host_of(self, feed: int) -> int:
        return feed % self.hosts

    def first_item(self, feed: int) -> int:
        return self.offsets.get(feed, 0)

    def text(self, feed: int, n: int) -> str:
        return self.extra.get((feed, n)) or self.texts[(n * self.feeds + feed) % len(self.texts)]


class _Feeds:
    """Feed bodies and their ETags, built once per (feed, first item) and plan."""

    def __init__(self, plan: Plan, port: int) -> None:
        self.plan = plan
        self.port = port
        self._cache: dict[tuple[int, int], tuple[bytes, str]] = {}

    def body(self, feed: int) -> tuple[bytes, str]:
        first = self.plan.first_item(feed)
        key = (feed, first)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._build(feed, first)
        return found

    def _build(self, feed: int, first: int) -> tuple[bytes, str]:
        plan = self.plan
        host = host_address(plan.host_of(feed))
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>bench feed {feed}</title><link>http://{host}:{self.port}/</link>"
            "<description>benchmark</description>"
        ]
        for n in range(first + plan.items - 1, first - 1, -1):
            text = plan.text(feed, n)
            # Round-0 items are `age` old; later ones are dated when their round began.
            when = plan.started - plan.age if n < plan.items else datetime.now(UTC)
            when -= timedelta(seconds=plan.items - n % plan.items)
            parts.append(
                f"<item><link>http://{host}:{self.port}/item/{feed}/{n}</link>"
                f'<guid isPermaLink="false">bench-{feed}-{n}</guid>'
                f"<author>user{n * plan.feeds + feed}</author>"
                f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
                f"<description>{escape(text)}</description></item>"
            )
        parts.append("</channel></rss>")
        body = "".join(parts).encode("utf-8")
        return body, '"' + hashlib.sha1(body).hexdigest()[:20] + '"'

    def items_in(self, feed: int) -> range:
        first = self.plan.first_item(feed)
        return range(first, first + self.plan.items)


_FEED_PATH = re.compile(rb"^/feed/(\d+)\.xml$")


class _Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive: GET /feed/N.xml on the platform hosts, POST /alerts on the
    receiver. Requests are parsed from the buffer; answers are sent after the latency."""

    def __init__(self, server: PlatformServer, host: int | None) -> None:
        self.server = server
        self.host = host  # None: the receiver
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            method, _, rest = head[0].partition(" ")
            path = rest.rsplit(" ", 1)[0]
            self._request(method, path, headers, body)

    def _request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        server = self.server
        if self.host is None:
            if method == "POST":
                server.record_alert(body)
                self._send(b"200 OK", b"", {})
            else:
                self._send(b"404 Not Found", b"", {})
            return
        server.requests += 1
        if server.first_request is None:
            server.first_request = time.time()
        match = _FEED_PATH.match(path.split("?")[0].encode())
        feeds = server.feeds
        plan = feeds.plan
        feed = int(match.group(1)) if match else -1
        if not match or feed >= plan.feeds or plan.host_of(feed) != self.host:
            self._later(plan.latency, b"404 Not Found", b"", {})
            return
        content, etag = feeds.body(feed)
        if plan.etag and headers.get("if-none-match") == etag:
            server.not_modified += 1
            self._later(plan.latency, b"304 Not Modified", b"", {"ETag": etag})
            return
        server.ok += 1
        extra = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if plan.etag:
            extra["ETag"] = etag
        self._later(plan.latency, b"200 OK", content, extra, (feed, feeds.items_in(feed)))

    def _later(self, delay: float, status: bytes, content: bytes, headers: dict[str, str],
               served: tuple[int, range] | None = None) -> None:
        loop = asyncio.get_running_loop()
        if delay > 0:
            loop.call_later(delay, self._send, status, content, headers, served)
        else:
            self._send(status, content, headers, served)

    def _send(self, status: bytes, content: bytes, headers: dict[str, str],
              served: tuple[int, range] | None = None) -> None:
        if self.transport is None:
            return
        lines = [b"HTTP/1.1 " + status, b"Content-Length: " + str(len(content)).encode()]
        lines += [f"{k}: {v}".encode() for k, v in headers.items()]
        self.transport.write(b"\r\n".join(lines) + b"\r\n\r\n" + content)
        if self.host is not None:
            self.server.last_answer = time.time()
        if served is not None:
            self.server.note_served(*served)


class PlatformServer:
    """The platform hosts and the receiver, on one port, in a background thread."""

    def __init__(self, plan: Plan, port: int | None = None) -> None:
        self.port = port or _free_port(host_address(0))
        self.feeds = _Feeds(plan, self.port)
        self.requests = self.ok = self.not_modified = self.connections = 0
        self.first_request: float | None = None  # time.time() of the first platform request
        self.last_answer: float | None = None  # and of the last platform answer
        self.alerts: list[tuple[float, str]] = []  # (arrival time, message)
        self.served_at: dict[tuple[int, int], float] = {}  # item -> first time it was served
        self._watch_served = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._servers: list[asyncio.AbstractServer] = []

    @property
    def plan(self) -> Plan:
        return self.feeds.plan

    def url(self, feed: int) -> str:
        return f"http://{host_address(self.plan.host_of(feed))}:{self.port}/feed/{feed}.xml"

    @property
    def receiver_url(self) -> str:
        return f"json://{CONTROL_HOST}:{self.port}/alerts"

    # -- control, from the benchmark's thread ---------------------------------------------
    def configure(self, plan: Plan) -> None:
        self.feeds = _Feeds(plan, self.port)

    def next_round(self, changing: Iterable[int], new_items: int = 1,
                   texts: dict[int, str] | None = None) -> list[tuple[int, int]]:
        """Brings `new_items` new items to each feed in `changing`; `texts` gives the text of
        the newest new item of some of those feeds. Returns the new items as (feed, n)."""
        plan = self.plan
        offsets, extra, new = dict(plan.offsets), dict(plan.extra), []
        for feed in changing:
            offsets[feed] = offsets.get(feed, 0) + new_items
            newest = offsets[feed] + plan.items - 1
            new += [(feed, n) for n in range(newest - new_items + 1, newest + 1)]
            if texts and feed in texts:
                extra[(feed, newest)] = texts[feed]
        self.feeds = _Feeds(replace(plan, offsets=offsets, extra=extra), self.port)
        return new

    def watch_served(self, on: bool = True) -> None:
        """Note when each item is first served (for alert latency); off by default: it costs."""
        self._watch_served = on

    def reset_counts(self) -> None:
        self.requests = self.ok = self.not_modified = self.connections = 0
        self.first_request = self.last_answer = None

    def counts(self) -> dict[str, int]:
        return {"requests": self.requests, "ok": self.ok, "not_modified": self.not_modified,
                "connections": self.connections}

    # -- called on the loop thread --------------------------------------------------------
    def note_served(self, feed: int, items: range) -> None:
        if self._watch_served:
            now = time.time()
            for n in items:
                self.served_at.setdefault((feed, n), now)

    def record_alert(self, body: bytes) -> None:
        arrived = time.time()
        try:
            message = json.loads(body or b"{}").get("message", "")
        except ValueError:
            message = ""
        self.alerts.append((arrived, str(message)))

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> PlatformServer:
        self._thread = threading.Thread(target=self._run, name="bench-platform", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the benchmark platform did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> PlatformServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        hosts: list[tuple[str, int | None]] = [(host_address(i), i)
                                               for i in range(self.plan.hosts)]
        hosts.append((CONTROL_HOST, None))
        for address, index in hosts:
            server = await loop.create_server(functools.partial(_Http, self, index), address,
                                              self.port, reuse_address=True, backlog=1024)
            self._servers.append(server)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for attempt in range(5):
            try:
                loop.run_until_complete(self._listen())
                break
            except OSError:  # the port is taken on one of the addresses: try another
                for server in self._servers:
                    server.close()
                self._servers = []
                if attempt == 4:
                    raise
                self.port = _free_port(host_address(0))
                self.feeds = _Feeds(self.plan, self.port)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            for server in self._servers:
                server.close()
            loop.close()


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def alert_latencies(server: PlatformServer) -> list[float]:
    """Seconds from the platform serving each alerted item to its alert arriving."""
    found = []
    for arrived, message in server.alerts:
        for feed, n in ITEM_URL.findall(message):
            served = server.served_at.get((int(feed), int(n)))
            if served is not None:
                found.append(arrived - served)
    return found


def main() -> None:
    """`python -m bench.server FEEDS HOSTS ITEMS LATENCY PORT`: serve until killed."""
    import sys

    feeds, hosts, items = (int(v) for v in sys.argv[1:4])
    server = PlatformServer(Plan(feeds=feeds, hosts=hosts, items=items,
                                 latency=float(sys.argv[4])), port=int(sys.argv[5]))
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
