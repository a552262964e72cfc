"""What one conditional GET answered 304 costs the client, in CPU: Watcher's HttpClient (an
httpcore pool per origin), one httpx client shared by all hosts, aiohttp, and bare asyncio streams
(the floor). Run as `python -m bench.httpcost PORT FEEDS HOSTS ITEMS LATENCY RUNS` against a
platform in another process, so only the client's own thread is timed; prints JSON."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bench.server import Plan, PlatformServer, host_address

CONCURRENCY, PER_HOST = 100, 8


async def _targets(port: int, plan: Plan) -> list[tuple[int, str, str]]:
    """(feed, url, current ETag) for every feed, the ETags asked of the platform (untimed)."""
    from watcher.config.sections import HttpSection
    from watcher.http.client import HttpClient

    urls = [PlatformServer(plan, port=port).url(f) for f in range(plan.feeds)]  # not started
    async with HttpClient(HttpSection()) as http:
        answers = await asyncio.gather(*(http.get(url) for url in urls))
    return [(f, url, a.validators["etag"]) for f, (url, a) in enumerate(zip(urls, answers,
                                                                             strict=True))]


async def _bounded(targets: list[tuple[int, str, str]], hosts: int,
                   one: Callable[[int, str, str], Awaitable[None]]) -> None:
    overall = asyncio.Semaphore(CONCURRENCY)
    per_host = [asyncio.Semaphore(PER_HOST) for _ in range(hosts)]

    async def bounded(feed: int, url: str, etag: str) -> None:
        async with overall, per_host[feed % hosts]:
            await one(feed, url, etag)

    await asyncio.gather(*(bounded(*t) for t in targets))


async def watcher_client(targets: list[tuple[int, str, str]], hosts: int) -> None:
    from watcher.config.sections import HttpSection
    from watcher.http.client import HttpClient

    async with HttpClient(HttpSection(concurrency=CONCURRENCY, per_host=PER_HOST)) as http:
        results = await asyncio.gather(*(http.get(url, validators={"etag": etag})
                                         for _, url, etag in targets))
    assert all(r.not_modified for r in results)


async def httpx_shared(targets: list[tuple[int, str, str]], hosts: int) -> None:
    import httpx

    import watcher.http.client  # noqa: F401  (the same sniffio fix as Watcher's client)

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, verify=httpx.create_ssl_context()) as client:
        async def one(feed: int, url: str, etag: str) -> None:
            answer = await client.get(url, headers={"If-None-Match": etag})
            assert answer.status_code == 304

        await _bounded(targets, hosts, one)


async def aiohttp_shared(targets: list[tuple[int, str, str]], hosts: int) -> None:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=PER_HOST)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(feed: int, url: str, etag: str) -> None:
            async with session.get(url, headers={"If-None-Match": etag}) as answer:
                await answer.read()
                assert answer.status == 304

        await _bounded(targets, hosts, one)


async def bare_streams(targets: list[tuple[int, str, str]], hosts: int) -> None:
    idle: list[list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = [[] for _ in
                                                                          range(hosts)]
    port = int(targets[0][1].rsplit(":", 1)[1].split("/")[0])

    async def one(feed: int, url: str, etag: str) -> None:
        pool = idle[feed % hosts]
        if pool:
            reader, writer = pool.pop()
        else:
            reader, writer = await asyncio.open_connection(host_address(feed % hosts), port)
        path = url.split(str(port), 1)[1]
        writer.write(f"GET {path} HTTP/1.1\r\nHost: h\r\nIf-None-Match: {etag}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        assert b" 304 " in head[:20]
        pool.append((reader, writer))

    await _bounded(targets, hosts, one)
    for pool in idle:
        for _, writer in pool:
            writer.close()


CLIENTS: dict[str, Callable[[list[tuple[int, str, str]], int], Coroutine[Any, Any, None]]] = {
    "Watcher HttpClient (an httpcore pool per origin)": watcher_client,
    "one httpx client shared by all hosts": httpx_shared,
    "aiohttp, one session": aiohttp_shared,
    "bare asyncio streams (floor)": bare_streams,
}


def main() -> None:
    port, feeds, hosts, items = (int(v) for v in sys.argv[1:5])
    latency, runs = float(sys.argv[5]), int(sys.argv[6])
    targets = asyncio.run(_targets(port, Plan(feeds=feeds, hosts=hosts, items=items,
                                              latency=latency)))
    found: dict[str, dict[str, list[float]]] = {}
    for _ in range(runs):  # interleaved, so load changes hit every client alike
        for name, client in CLIENTS.items():
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                asyncio.run(client(targets, hosts))
            except ImportError:
                continue
            entry = found.setdefault(name, {"cpu_us": [], "wall": []})
            entry["cpu_us"].append((time.thread_time() - cpu) * 1e6 / feeds)
            entry["wall"].append(time.perf_counter() - wall)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
