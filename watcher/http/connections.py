"""Where requests go: one httpcore connection pool per origin, on asyncio streams
(watcher/http/netbackend.py), through the proxy the environment names, if any.

A pool per origin, not one for all: a pool's work per request grows with the connections it
holds, and a sweep holds `per_host` connections to each of many hosts. Connections made for a
redirect that left the configured private network have pools of their own, whose backend
refuses internal addresses.
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import httpcore

from watcher.errors import SourceError
from watcher.errors import SourceErrorKind as Kind
from watcher.http.netbackend import AsyncioBackend
from watcher.redaction import redact

KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept (httpx's default)
MAX_POOLS = 4096  # origins with a pool at once
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # kept as written; anything else (spaces, 中文) escaped
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True)
class Target:
    """A URL parsed once for httpcore: what to connect to and what to ask for."""

    url: str
    scheme: str
    host: str  # without brackets; IDNA-encoded
    port: int
    address: httpcore.URL
    host_header: bytes
    authorization: bytes | None  # Basic credentials written into the URL, if any

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


@functools.lru_cache(maxsize=4096)  # a daemon asks for the same URLs sweep after sweep
def target(url: str) -> Target:
    """`url` parsed; a SourceError for one that is not an absolute http(s) URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise SourceError(f"not an http(s) URL: {redact(url)}", Kind.HTTP)
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise SourceError(f"not a valid host name: {redact(url)}", Kind.HTTP) from None
    default = 443 if scheme == "https" else 80
    port = port or default
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_QUERY_SAFE)
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default else f"{shown}:{port}"
    credentials = None
    if parts.username is not None:
        import base64  # lazy: only a URL with credentials needs it

        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        credentials = b"Basic " + base64.b64encode(pair)
    # the default port left out, as in a proxy's request line: `http://host/path`
    address = httpcore.URL(scheme=scheme.encode(), host=host.encode(),
                           port=None if port == default else port, target=path.encode("ascii"))
    return Target(url, scheme, host, port, address, host_header.encode("ascii"), credentials)


class Connections:
    """The pools, at most `max_pools` of them: a daemon runs for months, and the origins that
    platforms redirect to are theirs to choose; past the bound, the pools used longest ago are
    closed, if no request is on them."""

    def __init__(self, per_host: int, ssl_context: Callable[[], ssl.SSLContext],
                 max_pools: int = MAX_POOLS) -> None:
        self._per_host = per_host
        self._ssl_context = ssl_context  # called only for https: loading it costs ~35 ms
        self._proxies = environment_proxies()
        self._pools: dict[tuple[str, str, int, bool], httpcore.AsyncConnectionPool] = {}
        self._max_pools = max_pools
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def proxied(self) -> bool:
        return bool(self._proxies)

    def pool(self, where: Target, refuse_internal: bool) -> httpcore.AsyncConnectionPool:
        key = (*where.origin, refuse_internal)
        pool = self._pools.pop(key, None)  # put back last: the most recently used
        if pool is None:
            if len(self._pools) >= self._max_pools:
                self._close_idle()
            proxy = self._proxy(where)
            pool = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl_context() if where.scheme == "https" else None,
                proxy=proxy,
                max_connections=self._per_host,
                max_keepalive_connections=self._per_host,
                keepalive_expiry=KEEPALIVE_EXPIRY,
                # a proxy is ours to reach, wherever it is
                network_backend=AsyncioBackend(refuse_internal=refuse_internal and not proxy),
            )
        self._pools[key] = pool
        return pool

    def _close_idle(self) -> None:
        """Drops the least recently used pools that hold no request, until there is room;
        their idle connections are closed in the background."""
        for key, pool in list(self._pools.items()):
            if len(self._pools) < self._max_pools:
                return
            if all(connection.is_idle() for connection in pool.connections):
                del self._pools[key]
                task = asyncio.get_running_loop().create_task(pool.aclose())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            await pool.aclose()
        if self._closing:
            await asyncio.gather(*self._closing)

    def _proxy(self, where: Target) -> httpcore.Proxy | None:
        chosen = self._proxies.get(where.scheme) or self._proxies.get("all")
        if not chosen:
            return None
        import urllib.request  # only with a proxy set: ~10 ms to import

        # NO_PROXY, matched as urllib matches it (not in typeshed)
        if urllib.request.proxy_bypass_environment(where.host, self._proxies):  # type: ignore[attr-defined]
            return None
        parts = urlsplit(chosen if "://" in chosen else f"http://{chosen}")
        if parts.scheme not in ("http", "https"):
            raise SourceError(f"the proxy {redact(chosen)} is not an http(s) proxy", Kind.NETWORK)
        auth = (unquote(parts.username), unquote(parts.password or "")) \
            if parts.username is not None else None
        plain = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        return httpcore.Proxy(plain, auth=auth)


def environment_proxies() -> dict[str, str]:
    """The proxies HTTP_PROXY, HTTPS_PROXY, ALL_PROXY (and NO_PROXY) name, as urllib reads
    them; {} at once when no variable names one (urllib is not even imported then)."""
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return {}
    import urllib.request  # lazy: ~15 ms, only when a proxy variable is set

    found = urllib.request.getproxies()
    return found if any(scheme != "no" for scheme in found) else {}
