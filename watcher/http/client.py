"""The one HTTP layer every connector fetches through.

GETs on httpcore's connection pools (one per origin, watcher/http/connections.py) over asyncio
streams (watcher/http/netbackend.py): bounded concurrency overall and per host, a total deadline
per attempt, a cap on the body size that holds while it is decompressed
(watcher/http/decoding.py), retries with backoff that honour `Retry-After` without holding a
slot, conditional requests (ETag / Last-Modified) whose validators the caller keeps in the
source's cursor, and redirects that may not lead into the private network and carry no
configured header to another origin.

httpx's client is not used here: each of its layers (request models, cookies, auth flows, event
hooks) costs CPU on every request of a sweep, and importing it costs ~100 ms at start-up
(bench/README.md); what Watcher needs of them is the few lines below.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import os
import random
import ssl
import sys
import threading
import time
from collections.abc import AsyncIterator, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpcore

from watcher.config.sections import HttpSection
from watcher.errors import SourceError
from watcher.errors import SourceErrorKind as Kind
from watcher.http.addresses import internal_name, resolves_inside
from watcher.http.connections import Connections, Target, target
from watcher.http.decoding import Decoder, DecodingError, TooLarge, accept_encoding
from watcher.http.models import Headers, HttpStatusError, Response
from watcher.http.netbackend import InternalAddressRefused
from watcher.redaction import redact

__all__ = ["HttpClient", "HttpStatusError", "Response", "preload_ssl_context",
           "shared_ssl_context"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403, 432})  # 432: Weibo's "log in again"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a platform asking for a longer pause fails this sweep instead
BACKOFF_BASE = 0.5
ERROR_BODY_BYTES = 2048  # of an error answer's body, kept for the connector to read


class HttpClient:
    def __init__(self, settings: HttpSection) -> None:
        self.settings = settings
        self._connections = Connections(settings.per_host, shared_ssl_context)
        self._per_host: dict[str, asyncio.Semaphore] = {}
        self._overall = asyncio.Semaphore(settings.concurrency)
        self._common = [(b"User-Agent", settings.user_agent.encode()),
                        (b"Accept-Encoding", accept_encoding().encode())]
        self._deadline = settings.timeout.total_seconds()
        self.requests = 0  # attempts made, for metrics and benchmarks

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._connections.aclose()

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        validators: Mapping[str, str] | None = None,
    ) -> Response:
        """GET `url`; raises SourceError for anything that is not a usable answer."""
        if params:  # merged into the URL's own query, not replacing it
            url = _with_params(url, params)
        configured = [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
        if validators:
            if validators.get("etag"):
                configured.append((b"If-None-Match", validators["etag"].encode()))
            if validators.get("last_modified"):
                configured.append((b"If-Modified-Since", validators["last_modified"].encode()))
        host = _host_key(url)
        for attempt in range(self.settings.retries + 1):
            # The slots are held for one attempt only: a source waiting out a Retry-After or
            # a backoff leaves them to the other sources of its host meanwhile.
            async with self._overall, self._host_semaphore(host):
                outcome = await self._attempt(url, configured, attempt)
            if isinstance(outcome, Response):
                if outcome.not_modified:
                    outcome.validators = dict(validators or {})
                return outcome
            await asyncio.sleep(outcome)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _attempt(self, url: str, headers: list[tuple[bytes, bytes]],
                       attempt: int) -> Response | float:
        """One try: the response, the seconds to wait before trying again, or a raised
        SourceError."""
        last = attempt >= self.settings.retries
        try:
            response = await self._send(url, headers)
        except SourceError as exc:
            if last or exc.kind not in (Kind.TIMEOUT, Kind.NETWORK):
                raise
            return _backoff(attempt)
        if response.status in RETRY_STATUSES:
            wait = _retry_after(response.headers.get("retry-after"))
            if last or (wait is not None and wait > MAX_RETRY_AFTER):
                raise _status_error(response, wait)
            return wait if wait is not None else _backoff(attempt)
        if response.status == 304:
            response.not_modified = True
            return response
        if response.status >= 400:
            raise _status_error(response, None)
        return response

    async def _send(self, url: str, headers: list[tuple[bytes, bytes]]) -> Response:
        """One attempt, redirects included, within the deadline; errors name the URL that was
        being fetched when they happened."""
        self.requests += 1
        hops = [url]
        try:
            async with asyncio.timeout(self._deadline):
                return await self._follow(hops, headers)
        except TimeoutError:
            raise SourceError(f"timed out after {self._deadline:g}s: {redact(hops[-1])}",
                              Kind.TIMEOUT) from None
        except InternalAddressRefused as exc:
            raise SourceError(f"refused a redirect to {redact(hops[-1])}: {exc}", Kind.HTTP) \
                from None
        except Exception as exc:
            kind = _transport_error_kind(exc)
            if kind is None:
                raise
            if kind is Kind.TIMEOUT:
                raise SourceError(f"timed out ({type(exc).__name__}): {redact(hops[-1])}",
                                  kind) from None
            detail = redact(str(exc)) or "connection failed"
            raise SourceError(f"{type(exc).__name__}: {detail}: {redact(hops[-1])}", kind) \
                from None

    async def _follow(self, hops: list[str], headers: list[tuple[bytes, bytes]]) -> Response:
        """GETs `hops[0]` and the redirects after it (each appended to `hops`). The configured
        headers go only to the configured origin, and only until a redirect leaves it; a
        redirect into the private network is refused unless the configured URL is in it."""
        where = target(hops[0])
        origin, inside = where.origin, None
        for _ in range(MAX_REDIRECTS + 1):
            answer = await self._open(where, headers, refuse_internal=inside is False)
            try:
                location = _location(answer) if self.settings.follow_redirects else None
                if location is None:
                    return await self._read(where, answer)
                if inside is None:
                    inside = await self._inside(where, answer)
            finally:
                await answer.aclose()
            hops.append(urljoin(where.url, location))
            where = target(hops[-1])
            if where.origin != origin:
                headers = []
            if not inside:
                await self._check_outside(where)
        raise SourceError(f"redirect loop or more than {MAX_REDIRECTS} redirects: "
                          f"{redact(hops[-1])}", Kind.HTTP)

    async def _open(self, where: Target, headers: list[tuple[bytes, bytes]], *,
                    refuse_internal: bool) -> httpcore.Response:
        sent = [(b"Host", where.host_header), *self._common, *headers]
        if where.authorization and headers:
            sent.append((b"Authorization", where.authorization))
        pool = self._connections.pool(where, refuse_internal)
        return await pool.handle_async_request(httpcore.Request(b"GET", where.address,
                                                                headers=sent))

    async def _inside(self, where: Target, answer: httpcore.Response) -> bool:
        """Whether the configured URL is in the private network: by its host, else by the
        address that answered, else (through a proxy) by resolving its name."""
        known = internal_name(where.host)
        if known is not None:
            return known
        stream = answer.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer and not self._connections.proxied:
            return internal_name(str(peer[0])) is True
        return await resolves_inside(where.host, where.port)

    async def _check_outside(self, where: Target) -> None:
        """Refuses a redirect target inside the private network. A name is checked where it
        is connected to (the pool's backend refuses internal addresses), or, through a proxy,
        by resolving it here."""
        inside = internal_name(where.host)
        if inside is None and self._connections.proxied:
            inside = await resolves_inside(where.host, where.port)
        if inside:
            raise InternalAddressRefused(f"{where.host} is an internal address")

    async def _read(self, where: Target, answer: httpcore.Response) -> Response:
        """The body, decoded step by step and counted against the size cap as it comes: a
        few KB that inflate to GBs never reach memory (watcher/http/decoding.py)."""
        headers = Headers(answer.headers)
        limit: int = self.settings.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(f"response too large: {int(declared)} bytes > {limit}: "
                              f"{redact(where.url)}", Kind.TOO_LARGE)
        failed = answer.status >= 400
        if failed:  # only what an error message may need
            limit = ERROR_BODY_BYTES
        try:
            encoding = headers.get("content-encoding")
            decoder = Decoder(encoding, limit) if encoding else None
            content = await _read_decoded(answer.aiter_stream(), decoder, limit, failed)
        except TooLarge:
            if not failed:
                raise SourceError(f"response too large: over {limit} bytes once decoded: "
                                  f"{redact(where.url)}", Kind.TOO_LARGE) from None
            content = b""
        except DecodingError as exc:
            raise SourceError(f"{exc}: {redact(where.url)}", Kind.PARSE) from None
        except SourceError as exc:
            raise SourceError(f"{exc}: {redact(where.url)}", exc.kind) from None
        return Response(url=where.url, status=answer.status, headers=headers, content=content,
                        validators=_validators(headers))

    def _host_semaphore(self, host: str) -> asyncio.Semaphore:
        if host not in self._per_host:
            self._per_host[host] = asyncio.Semaphore(self.settings.per_host)
        return self._per_host[host]


class _SslContextLoader:
    """One SSL context for every host and every sweep of the process: loading the CA bundle
    costs ~35 ms each time. OpenSSL loads it without the GIL, so `start()` early lets a command
    pay for it on the other core while it reads its config and opens the store (bench/)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._context: ssl.SSLContext | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None and self._context is None:
                self._thread = threading.Thread(target=self._load, name="ssl-context",
                                                daemon=True)
                self._thread.start()

    def get(self) -> ssl.SSLContext:
        self.start()
        if self._thread is not None:
            self._thread.join()
        if self._context is None:  # loading failed: fail here, in the caller, as before
            raise self._error or RuntimeError("the SSL context was not loaded")
        return self._context

    def _load(self) -> None:
        try:
            self._context = _verifying_context()
        except BaseException as exc:  # handed to the thread that needs the context
            self._error = exc


def _verifying_context() -> ssl.SSLContext:
    """Certificates checked against certifi's CA bundle, or the file or directory that
    SSL_CERT_FILE or SSL_CERT_DIR names (as httpx does)."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi  # lazy: loaded on another thread while start-up goes on

    return ssl.create_default_context(cafile=certifi.where())


_ssl_loader = _SslContextLoader()
preload_ssl_context = _ssl_loader.start
shared_ssl_context = _ssl_loader.get


@functools.lru_cache(maxsize=4096)
def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


def _validators(headers: Headers) -> dict[str, str]:
    found = {}
    if headers.get("etag"):
        found["etag"] = headers["etag"]
    if headers.get("last-modified"):
        found["last_modified"] = headers["last-modified"]
    return found


def _backoff(attempt: int) -> float:
    return float(BACKOFF_BASE * 2**attempt * (1 + random.random() / 2))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_error(response: Response, wait: float | None) -> HttpStatusError:
    status = response.status
    url = redact(response.url)
    if status == 429:
        hint = f", retry after {wait:g}s" if wait is not None else ""
        return HttpStatusError(f"rate limited (HTTP 429{hint}): {url}", status, Kind.RATE_LIMITED,
                               response.headers, response.content)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # 432 and the like: a platform's own
        phrase = ""
    kind = Kind.AUTH if status in AUTH_STATUSES else Kind.HTTP
    return HttpStatusError(f"HTTP {status} {phrase}: {url}".replace("  ", " "), status, kind,
                           response.headers, response.content)


async def _read_decoded(raw: AsyncIterator[bytes], decoder: Decoder | None, limit: int,
                        truncate: bool) -> bytes:
    """The body (decoded, with a decoder); over `limit` bytes it is cut there (`truncate`) or
    refused."""
    pieces, size = [], 0
    async for chunk in raw:
        for piece in decoder.feed(chunk) if decoder else (chunk,):
            size += len(piece)
            if size > limit:
                if truncate:
                    pieces.append(piece[: len(piece) - (size - limit)])
                    return b"".join(pieces)
                raise SourceError(f"response too large: over {limit} bytes", Kind.TOO_LARGE)
            pieces.append(piece)
    return b"".join(pieces)


def _location(answer: httpcore.Response) -> str | None:
    if answer.status not in REDIRECT_STATUSES:
        return None
    for name, value in answer.headers:
        if name.lower() == b"location":
            return value.decode("utf-8", "replace").strip() or None
    return None


def _transport_error_kind(exc: BaseException) -> Kind | None:
    """`timeout` or `network` for what the transport raises; None for anything else."""
    if isinstance(exc, httpcore.TimeoutException):
        return Kind.TIMEOUT
    if isinstance(exc, httpcore.NetworkError | httpcore.ProtocolError | httpcore.ProxyError
                  | httpcore.UnsupportedProtocol):
        return Kind.NETWORK
    # httpx's own errors, when something under httpcore raises them (respx in the tests does);
    # looked up only where httpx is already imported
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.TimeoutException):
        return Kind.TIMEOUT
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return Kind.NETWORK
    return None


def _with_params(url: str, params: Mapping[str, Any]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))
