"""The one HTTP layer every connector fetches through.

One `httpx.AsyncClient` per host (measured faster than one shared client when many hosts are
polled at once) on asyncio streams (watcher/netbackend.py), bounded concurrency overall and
per host, a total deadline per attempt, a cap on the body size, retries with backoff that
honour `Retry-After`, and conditional requests (ETag / Last-Modified) whose validators the
caller keeps in the source's cursor.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import random
import ssl
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from watcher.config.sections import HttpSection
from watcher.http.decoding import Decoder, DecodingError, TooLarge, accept_encoding
from watcher.http.netbackend import asyncio_transport
from watcher.model import SourceError
from watcher.redaction import redact

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403, 432})  # 432: Weibo's "log in again"
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a platform asking for a longer pause fails this sweep instead
BACKOFF_BASE = 0.5
ERROR_BODY_BYTES = 2048  # of an error answer's body, kept for the connector to read


class HttpStatusError(SourceError):
    """An answer with an error status; `headers` and the start of `body` let a connector tell
    a rate limit from a rejected token, as platforms say it in different places."""

    def __init__(self, message: str, status: int, kind: str = "http",
                 headers: httpx.Headers | None = None, body: bytes = b"") -> None:
        super().__init__(message, kind)
        self.status = status
        self.headers = headers or httpx.Headers()
        self.body = body


@dataclass
class Response:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes = b""
    not_modified: bool = False
    validators: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'")
        return None

    def text(self) -> str:
        """The body decoded by its declared charset, else UTF-8; bad bytes become U+FFFD."""
        try:
            return self.content.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


class HttpClient:
    def __init__(self, settings: HttpSection, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._per_host: dict[str, asyncio.Semaphore] = {}
        self._overall = asyncio.Semaphore(settings.concurrency)
        self.requests = 0  # attempts made, for metrics and benchmarks

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = self._clients, {}
        await asyncio.gather(*(c.aclose() for c in clients.values()), return_exceptions=True)

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        validators: Mapping[str, str] | None = None,
    ) -> Response:
        """GET `url`; raises SourceError for anything that is not a usable answer."""
        request_headers = dict(headers or {})
        if validators:
            if validators.get("etag"):
                request_headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                request_headers["If-Modified-Since"] = validators["last_modified"]
        host = _host_key(url)
        for attempt in range(self.settings.retries + 1):
            # The slots are held for one attempt only: a source waiting out a Retry-After or
            # a backoff leaves them to the other sources of its host meanwhile.
            async with self._overall, self._host_semaphore(host):
                outcome = await self._attempt(host, url, request_headers, params, attempt)
            if isinstance(outcome, Response):
                if outcome.not_modified:
                    outcome.validators = dict(validators or {})
                return outcome
            await asyncio.sleep(outcome)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _attempt(
        self,
        host: str,
        url: str,
        headers: dict[str, str],
        params: Mapping[str, Any] | None,
        attempt: int,
    ) -> Response | float:
        """One try: the response, the seconds to wait before trying again, or a raised
        SourceError."""
        last = attempt >= self.settings.retries
        try:
            response = await self._send(host, url, headers, params)
        except SourceError as exc:
            if last or exc.kind not in ("timeout", "network"):
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

    async def _send(
        self, host: str, url: str, headers: dict[str, str], params: Mapping[str, Any] | None
    ) -> Response:
        client = self._client(host)
        self.requests += 1
        if params:  # merged, not replaced: httpx would drop a query the URL already has
            url = str(httpx.URL(url).copy_merge_params(dict(params)))
        try:
            async with asyncio.timeout(self.settings.timeout.total_seconds()):
                request = client.build_request("GET", _parsed_url(url), headers=headers)
                stream = await client.send(request, stream=True)
                try:
                    return await self._read(stream)
                finally:
                    await stream.aclose()
        except TimeoutError:
            raise SourceError(
                f"timed out after {self.settings.timeout.total_seconds():g}s: {redact(url)}",
                "timeout",
            ) from None
        except httpx.TooManyRedirects:
            raise SourceError(
                f"redirect loop or more than {MAX_REDIRECTS} redirects: {redact(url)}", "http"
            ) from None
        except httpx.TimeoutException:
            raise SourceError(f"timed out: {redact(url)}", "timeout") from None
        except httpx.HTTPError as exc:
            raise SourceError(
                f"{type(exc).__name__}: {redact(str(exc)) or 'connection failed'}", "network"
            ) from None

    async def _read(self, stream: httpx.Response) -> Response:
        """The body, decoded step by step and counted against the size cap as it comes: a
        few KB that inflate to GBs never reach memory (watcher/http/decoding.py)."""
        limit: int = self.settings.max_bytes
        declared = stream.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(f"response too large: {int(declared)} bytes > {limit}", "too_large")
        failed = stream.status_code >= 400
        if failed:  # only what an error message may need
            limit = ERROR_BODY_BYTES
        try:
            decoder = Decoder(stream.headers.get("content-encoding", ""), limit)
            content = await _read_decoded(stream.aiter_raw(), decoder, limit, failed)
        except TooLarge:
            if failed:
                content = b""
            else:
                raise SourceError(f"response too large: over {limit} bytes once decoded",
                                  "too_large") from None
        except DecodingError as exc:
            raise SourceError(f"{exc}: {redact(str(stream.url))}", "parse") from None
        return Response(
            url=str(stream.url),
            status=stream.status_code,
            headers=stream.headers,
            content=content,
            validators=_validators(stream.headers),
        )

    def _client(self, host: str) -> httpx.AsyncClient:
        client = self._clients.get(host)
        if client is None:
            limits = httpx.Limits(
                max_connections=self.settings.per_host,
                max_keepalive_connections=self.settings.per_host,
            )
            transport = self._transport
            if transport is None and not _environment_proxies():
                transport = asyncio_transport(shared_ssl_context(), limits)
            # With a proxy in the environment, httpx's own transports (anyio) take it.
            client = httpx.AsyncClient(
                headers={"User-Agent": self.settings.user_agent,
                         "Accept-Encoding": accept_encoding()},
                timeout=httpx.Timeout(self.settings.timeout.total_seconds()),
                limits=limits,
                follow_redirects=self.settings.follow_redirects,
                max_redirects=MAX_REDIRECTS,
                transport=transport,
                verify=shared_ssl_context(),
            )
            self._clients[host] = client
        return client

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
            self._context = httpx.create_ssl_context()
        except BaseException as exc:  # handed to the thread that needs the context
            self._error = exc


_ssl_loader = _SslContextLoader()
preload_ssl_context = _ssl_loader.start
shared_ssl_context = _ssl_loader.get


def _environment_proxies() -> bool:
    """Whether HTTP_PROXY, HTTPS_PROXY or ALL_PROXY is set (NO_PROXY alone is not a proxy)."""
    return any(scheme != "no" for scheme in urllib.request.getproxies())


# A daemon fetches the same URLs sweep after sweep, and parsing one costs httpx ~50 µs of pure
# Python per request; the parsed forms are immutable, so they are kept.
@functools.lru_cache(maxsize=4096)
def _parsed_url(url: str) -> httpx.URL:
    return httpx.URL(url)


@functools.lru_cache(maxsize=4096)
def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


async def _read_decoded(raw: AsyncIterator[bytes], decoder: Decoder, limit: int,
                        truncate: bool) -> bytes:
    """The decoded body; over `limit` bytes it is cut there (`truncate`) or refused."""
    pieces, size = [], 0
    async for chunk in raw:
        for piece in decoder.feed(chunk):
            size += len(piece)
            if size > limit:
                if truncate:
                    pieces.append(piece[: len(piece) - (size - limit)])
                    return b"".join(pieces)
                raise SourceError(f"response too large: over {limit} bytes", "too_large")
            pieces.append(piece)
    return b"".join(pieces)


def _validators(headers: httpx.Headers) -> dict[str, str]:
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
        return HttpStatusError(f"rate limited (HTTP 429{hint}): {url}", status, "rate_limited",
                               response.headers, response.content)
    phrase = httpx.codes.get_reason_phrase(status)
    kind = "auth" if status in AUTH_STATUSES else "http"
    return HttpStatusError(f"HTTP {status} {phrase}: {url}".replace("  ", " "), status, kind,
                           response.headers, response.content)
