"""The HTTP layer on respx: every error path is one SourceError of a telling kind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import respx

from watcher.config.schema import ByteSize
from watcher.config.sections import HttpSection
from watcher.errors import SourceError
from watcher.http.client import HttpClient, HttpStatusError

URL = "https://platform.test/feed"
FAST = HttpSection(timeout=timedelta(seconds=1), retries=2, max_bytes=ByteSize(1000))


def get(url: str = URL, settings: HttpSection = FAST, **kw: object) -> object:
    async def go() -> object:
        async with HttpClient(settings) as http:
            return await http.get(url, **kw)  # type: ignore[arg-type]

    return asyncio.run(go())


@respx.mock
def test_ok_and_validators_remembered() -> None:
    respx.get(URL).respond(200, content=b"hello", headers={"ETag": '"v1"',
                                                           "Last-Modified": "Mon, 01 Jan 2024"})
    response = get()
    assert response.content == b"hello"  # type: ignore[attr-defined]
    assert response.validators == {"etag": '"v1"', "last_modified": "Mon, 01 Jan 2024"}  # type: ignore[attr-defined]


@respx.mock
def test_conditional_request_and_304() -> None:
    route = respx.get(URL).respond(304)
    response = get(validators={"etag": '"v1"', "last_modified": "Mon, 01 Jan 2024"})
    sent = route.calls.last.request
    assert sent.headers["If-None-Match"] == '"v1"'
    assert sent.headers["If-Modified-Since"] == "Mon, 01 Jan 2024"
    assert response.not_modified  # type: ignore[attr-defined]
    assert response.validators == {"etag": '"v1"', "last_modified": "Mon, 01 Jan 2024"}  # type: ignore[attr-defined]


@respx.mock
def test_404_is_an_http_error_without_retry() -> None:
    route = respx.get(URL).respond(404)
    with pytest.raises(HttpStatusError, match="HTTP 404 Not Found") as caught:
        get()
    assert caught.value.kind == "http" and caught.value.status == 404
    assert route.call_count == 1


@respx.mock
def test_500_is_retried_then_reported() -> None:
    route = respx.get(URL).respond(500)
    with pytest.raises(HttpStatusError, match="HTTP 500"):
        get(settings=HttpSection(retries=1, timeout=timedelta(seconds=1)))
    assert route.call_count == 2


@respx.mock
def test_503_then_success() -> None:
    route = respx.get(URL)
    route.side_effect = [httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(200)]
    assert get().status == 200  # type: ignore[attr-defined]
    assert route.call_count == 2


@respx.mock
def test_429_honours_retry_after() -> None:
    route = respx.get(URL)
    route.side_effect = [httpx.Response(429, headers={"Retry-After": "1"}),
                         httpx.Response(200, content=b"ok")]
    loop_time = []

    async def go() -> None:
        async with HttpClient(FAST) as http:
            start = asyncio.get_running_loop().time()
            await http.get(URL)
            loop_time.append(asyncio.get_running_loop().time() - start)

    asyncio.run(go())
    assert route.call_count == 2
    assert loop_time[0] >= 0.95


@respx.mock
def test_429_with_long_retry_after_fails_this_sweep() -> None:
    route = respx.get(URL).respond(429, headers={"Retry-After": "3600"})
    with pytest.raises(SourceError, match=r"rate limited .*retry after 3600s") as caught:
        get()
    assert caught.value.kind == "rate_limited"
    assert route.call_count == 1


@respx.mock
def test_transport_timeout() -> None:
    respx.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(SourceError, match="timed out") as caught:
        get(settings=HttpSection(retries=0))
    assert caught.value.kind == "timeout"


@respx.mock
def test_total_deadline_covers_a_slow_body() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(2)
        return httpx.Response(200)

    respx.get(URL).mock(side_effect=slow)
    settings = HttpSection(timeout=timedelta(seconds=1), retries=0)
    with pytest.raises(SourceError, match="timed out after 1s") as caught:
        get(settings=settings)
    assert caught.value.kind == "timeout"


@respx.mock
def test_connection_refused_is_a_network_error() -> None:
    respx.get(URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(SourceError, match="ConnectError") as caught:
        get(settings=HttpSection(retries=0))
    assert caught.value.kind == "network"


@respx.mock
def test_oversize_body_declared() -> None:
    respx.get(URL).respond(200, content=b"x" * 5000)
    with pytest.raises(SourceError, match="too large") as caught:
        get()
    assert caught.value.kind == "too_large"


@respx.mock
def test_oversize_body_streamed_without_length() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 300

    respx.get(URL).mock(return_value=httpx.Response(200, content=chunks()))
    with pytest.raises(SourceError, match="too large"):
        get()


@respx.mock
def test_redirect_loop() -> None:
    respx.get(URL).respond(302, headers={"Location": URL})
    with pytest.raises(SourceError, match="redirect loop or more than 5 redirects"):
        get()


@respx.mock
def test_auth_statuses_are_their_own_kind() -> None:
    respx.get(URL).respond(432)
    with pytest.raises(HttpStatusError) as caught:
        get()
    assert caught.value.kind == "auth" and caught.value.status == 432


@respx.mock
def test_secrets_in_urls_are_masked_in_errors() -> None:
    respx.get(url__startswith="https://platform.test/").respond(404)
    with pytest.raises(SourceError) as caught:
        get("https://platform.test/feed?access_token=abcdef123456")
    assert "abcdef123456" not in str(caught.value)


@respx.mock
def test_per_host_concurrency_is_bounded() -> None:
    active, peak = 0, 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        return httpx.Response(200)

    respx.get(url__startswith="https://platform.test/").mock(side_effect=handler)

    async def go() -> None:
        async with HttpClient(HttpSection(per_host=3)) as http:
            await asyncio.gather(*(http.get(f"{URL}/{i}") for i in range(12)))

    asyncio.run(go())
    assert peak == 3


# The same error paths through the production transport (httpx over watcher/netbackend.py),
# against a real server on loopback instead of respx.

def test_real_server_error_paths() -> None:
    from tests.servers import PlatformServer, Route, free_port

    server = PlatformServer({
        "/ok": Route(b"fine", "text/plain"),
        "/slow": Route(b"late", "text/plain", delay=2.0),
        "/big": Route(b"x" * 5000, "text/plain"),
        "/gone": Route(b"", "text/plain", status=404),
        "/busy": Route(b"", "text/plain", status=429, headers={"Retry-After": "3600"}),
        "/loop": Route(b"", "text/plain", status=302, headers={"Location": "/loop"}),
    }).start()
    base = server.url

    async def go() -> dict[str, object]:
        settings = HttpSection(timeout=timedelta(seconds=1), retries=0,
                               max_bytes=ByteSize(1000))
        found: dict[str, object] = {}
        async with HttpClient(settings) as http:
            first = await http.get(f"{base}/ok")
            found["ok"] = first.content
            found["304"] = (await http.get(f"{base}/ok", validators=first.validators)).not_modified
            for name in ("slow", "big", "gone", "busy", "loop"):
                try:
                    await http.get(f"{base}/{name}")
                except SourceError as exc:
                    found[name] = exc.kind
            try:
                await http.get(f"http://127.0.0.1:{free_port()}/x")
            except SourceError as exc:
                found["refused"] = exc.kind
        return found

    try:
        found = asyncio.run(go())
    finally:
        server.stop()
    assert found == {"ok": b"fine", "304": True, "slow": "timeout", "big": "too_large",
                     "gone": "http", "busy": "rate_limited", "loop": "http",
                     "refused": "network"}


def test_ssl_context_is_loaded_once_on_another_thread() -> None:
    from watcher.http.client import _SslContextLoader

    loader = _SslContextLoader()
    loader.start()
    loader.start()  # a second start does not load again
    context = loader.get()
    assert context is loader.get()
    assert context.verify_mode.name == "CERT_REQUIRED"


def test_ssl_context_that_cannot_load_fails_in_the_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watcher.http.client import _SslContextLoader

    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))  # honoured by httpx
    loader = _SslContextLoader()
    loader.start()
    with pytest.raises(FileNotFoundError):
        loader.get()
    with pytest.raises(FileNotFoundError):  # and again, not a hang or a None
        loader.get()


@pytest.mark.parametrize("settings", [HttpSection(per_host=1, retries=1),
                                      HttpSection(concurrency=1, retries=1)],
                         ids=["per-host slot", "overall slot"])
@respx.mock
def test_retry_after_wait_frees_the_slot(settings: HttpSection) -> None:
    """A source told to wait by Retry-After does not hold its slot while it waits: a healthy
    source on the same host (or any host, for the overall limit) is fetched in the meantime."""
    order: list[str] = []
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200)])

    def busy(request: httpx.Request) -> httpx.Response:
        order.append("busy")
        return next(answers)

    def healthy(request: httpx.Request) -> httpx.Response:
        order.append("healthy")
        return httpx.Response(200)

    respx.get(f"{URL}/busy").mock(side_effect=busy)
    respx.get(f"{URL}/healthy").mock(side_effect=healthy)

    async def go() -> None:
        async with HttpClient(settings) as http:
            async def later() -> object:
                await asyncio.sleep(0.1)  # the busy source has its 429 by then
                return await http.get(f"{URL}/healthy")

            await asyncio.gather(http.get(f"{URL}/busy"), later())

    asyncio.run(go())
    assert order == ["busy", "healthy", "busy"]
