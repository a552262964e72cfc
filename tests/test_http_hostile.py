"""Hostile platforms against the HTTP layer (#17): decompression bombs, redirects into the
private network, secrets that would follow a redirect. Real servers on loopback."""

from __future__ import annotations

import functools
import gzip
import json
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import PlatformServer, Route

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 1_000_000
INFLATED = 256 * 2**20  # what each bomb below inflates to
CONSTANT = 16 * 2**20  # what reading may add beyond max_bytes: buffers, one step per layer


def _zeros() -> Iterator[bytes]:
    block = bytes(2**20)
    for _ in range(INFLATED // len(block)):
        yield block


def _gzip(chunks: Iterator[bytes]) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip wrapper
    return b"".join(squeeze.compress(c) for c in chunks) + squeeze.flush()


def _deflate(chunks: Iterator[bytes]) -> bytes:
    squeeze = zlib.compressobj(9)
    return b"".join(squeeze.compress(c) for c in chunks) + squeeze.flush()


def _br(chunks: Iterator[bytes]) -> bytes:
    import brotli

    squeeze = brotli.Compressor(quality=5)
    return b"".join(squeeze.process(c) for c in chunks) + squeeze.finish()


def _zstd(chunks: Iterator[bytes]) -> bytes:
    from backports import zstd

    squeeze = zstd.ZstdCompressor(level=3)
    return b"".join(squeeze.compress(c) for c in chunks) + squeeze.flush()


BUILDERS: dict[str, Callable[[], bytes]] = {
    "gzip, gzip": lambda: gzip.compress(_gzip(_zeros()), 9),
    "deflate": lambda: _deflate(_zeros()),
    "br": lambda: _br(_zeros()),
    "zstd": lambda: _zstd(_zeros()),
    "deflate, gzip": lambda: gzip.compress(_deflate(_zeros()), 9),
}

BOMBS = {name: functools.cache(build) for name, build in BUILDERS.items()}

# Run in a process of its own, so that its peak RSS is this request's: it fetches a small page
# first (everything imported and warmed up), then the bomb, and prints the growth of the peak.
PROBE = """
import asyncio, json, resource, sys
from watcher.config.schema import ByteSize
from watcher.config.sections import HttpSection
from watcher.http.client import HttpClient
from watcher.model import SourceError

async def main():
    async with HttpClient(HttpSection(retries=0, max_bytes=ByteSize(int(sys.argv[2])))) as http:
        await http.get(sys.argv[1] + "/small")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            answer = await http.get(sys.argv[1] + "/bomb")
            outcome = f"read {len(answer.content)} bytes"
        except SourceError as exc:
            outcome = f"{exc.kind}: {exc}"
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"outcome": outcome, "grown": grown * 1024}))

asyncio.run(main())
"""


@pytest.mark.parametrize("encoding", list(BOMBS))
def test_a_compression_bomb_is_refused_within_max_bytes(encoding: str) -> None:
    bomb = BOMBS[encoding]()
    assert len(bomb) < 300_000  # a small body that inflates to INFLATED bytes
    server = PlatformServer({
        "/small": Route(gzip.compress(b"fine"), "text/plain",
                        headers={"Content-Encoding": "gzip"}),
        "/bomb": Route(bomb, "application/xml", headers={"Content-Encoding": encoding}),
    }).start()
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, server.url, str(MAX_BYTES)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found["outcome"].startswith("too_large: response too large"), found
    assert found["grown"] < MAX_BYTES + CONSTANT, found


@pytest.mark.parametrize("encoding", list(BOMBS))
def test_each_decoding_step_makes_at_most_one_step_of_output(encoding: str) -> None:
    """The bound itself, counted: each piece a decoder hands out is about STEP bytes at most
    (brotli's limit stops its buffer growing, so a piece may pass STEP by one block)."""
    from watcher.http.decoding import STEP, Decoder

    bomb = BOMBS[encoding]()
    decoder = Decoder(encoding, limit=MAX_BYTES)
    pieces: list[int] = []
    for start in range(0, len(bomb), 16_384):
        for piece in decoder.feed(bomb[start:start + 16_384]):
            pieces.append(len(piece))
            if sum(pieces) > MAX_BYTES:
                break  # where the caller's cap stops reading
        if sum(pieces) > MAX_BYTES:
            break
    assert sum(pieces) > MAX_BYTES and max(pieces) <= 2 * STEP


def test_an_inner_layer_is_counted_too() -> None:
    from watcher.http.decoding import STEP, Decoder, TooLarge

    inner = _gzip(_zeros())  # ~256 KB of gzip, itself gzipped: the inner layer passes the limit
    body = gzip.compress(inner)
    decoder = Decoder("gzip, gzip", limit=STEP)
    with pytest.raises(TooLarge):
        for start in range(0, len(body), 1024):
            list(decoder.feed(body[start:start + 1024]))


def test_decoding_layers_round_trip() -> None:
    from watcher.http.decoding import Decoder

    text = "热水器漏电，要求赔偿！".encode() * 1000
    body = gzip.compress(zlib.compress(text))
    decoder = Decoder("deflate, gzip", limit=len(text))
    assert b"".join(p for i in range(0, len(body), 100) for p in decoder.feed(body[i:i + 100])) \
        == text
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)  # deflate without its header
    headerless = raw.compress(text) + raw.flush()
    assert b"".join(Decoder("deflate", len(text)).feed(headerless)) == text
    assert b"".join(Decoder("identity", 10).feed(b"as is")) == b"as is"


@pytest.mark.parametrize(("encoding", "body", "message"), [
    ("gzip", b"not gzip at all", "could not be decoded"),
    ("compress", b"...", "cannot read: compress"),
    ("gzip, " * 6, b"", "6 content encodings stacked"),
])
def test_undecodable_bodies(encoding: str, body: bytes, message: str) -> None:
    from watcher.http.decoding import Decoder, DecodingError

    with pytest.raises(DecodingError, match=message):
        list(Decoder(encoding, 1000).feed(body))


def test_an_undecodable_body_is_a_parse_error_naming_the_url() -> None:
    import asyncio

    from watcher.config.sections import HttpSection
    from watcher.http.client import HttpClient
    from watcher.model import SourceError

    server = PlatformServer({"/feed": Route(b"garbage", "text/xml",
                                            headers={"Content-Encoding": "gzip"})}).start()

    async def go() -> None:
        async with HttpClient(HttpSection(retries=0)) as http:
            await http.get(f"{server.url}/feed")

    try:
        with pytest.raises(SourceError, match=f"could not be decoded.*{server.url}/feed") as caught:
            asyncio.run(go())
    finally:
        server.stop()
    assert caught.value.kind == "parse"


def test_an_error_body_is_cut_not_refused() -> None:
    import asyncio

    from watcher.config.sections import HttpSection
    from watcher.http.client import ERROR_BODY_BYTES, HttpClient, HttpStatusError

    body = gzip.compress(b"x" * 100_000)
    server = PlatformServer({"/feed": Route(body, "text/plain", status=403,
                                            headers={"Content-Encoding": "gzip"})}).start()

    async def go() -> None:
        async with HttpClient(HttpSection(retries=0)) as http:
            await http.get(f"{server.url}/feed")

    try:
        with pytest.raises(HttpStatusError) as caught:
            asyncio.run(go())
    finally:
        server.stop()
    assert caught.value.body == b"x" * ERROR_BODY_BYTES


# Redirects (#17 item 2): a platform's redirect into the private network is refused unless the
# configured URL is itself there; configured headers never follow a redirect to another origin;
# errors name the URL that failed.

def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0,
         max_bytes: int = MAX_BYTES) -> Any:
    import asyncio
    from datetime import timedelta

    from watcher.config.schema import ByteSize
    from watcher.config.sections import HttpSection
    from watcher.http.client import HttpClient

    settings = HttpSection(retries=0, timeout=timedelta(seconds=timeout),
                           max_bytes=ByteSize(max_bytes))

    async def go() -> object:
        async with HttpClient(settings) as http:
            return await http.get(url, headers=headers)

    return asyncio.run(go())


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{port}/internal", "http://localhost:{port}/internal",
    "http://[::1]:{port}/internal", "http://10.1.2.3/admin", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/",
    "http://0.0.0.0:{port}/internal",
])
def test_a_redirect_into_the_private_network_is_refused(target: str) -> None:
    import respx

    from watcher.model import SourceError

    internal = PlatformServer({"/internal": Route(b"secret", "text/plain")}).start()
    target = target.format(port=internal.port)
    try:
        with respx.mock(assert_all_called=False) as mock:
            for host in ("127.0.0.1", "localhost", "::1", "0.0.0.0"):
                mock.route(host=host).pass_through()
            mock.get("https://platform.test/feed").respond(302, headers={"Location": target})
            with pytest.raises(SourceError, match="refused a redirect") as caught:
                _get("https://platform.test/feed", timeout=2)
    finally:
        internal.stop()
    assert target in str(caught.value)
    assert internal.hits == {}


def test_redirects_inside_a_private_network_the_config_points_to_are_followed() -> None:
    server = PlatformServer({
        "/old": Route(b"", "text/plain", status=301, headers={"Location": "/new"}),
        "/new": Route(b"moved here", "text/plain"),
    }).start()
    try:
        answer = _get(f"{server.url}/old")
    finally:
        server.stop()
    assert answer.content == b"moved here"
    assert answer.url == f"{server.url}/new"


def test_configured_headers_stay_behind_when_a_redirect_leaves_the_origin() -> None:
    other = PlatformServer({"/landing": Route(b"elsewhere", "text/plain")}).start()
    first = PlatformServer({
        "/same": Route(b"", "text/plain", status=302, headers={"Location": "/there"}),
        "/there": Route(b"", "text/plain", status=302,
                        headers={"Location": f"http://localhost:{other.port}/landing"}),
    }).start()
    secrets = {"X-Api-Key": "k-123", "Authorization": "Bearer t-456", "Cookie": "SUB=c-789",
               "X-Custom": "c"}
    try:
        answer = _get(f"{first.url}/same", headers=secrets)
    finally:
        first.stop()
        other.stop()
    assert answer.content == b"elsewhere"
    (same_origin,) = first.headers["/there"]
    assert {k.lower(): v for k, v in secrets.items()}.items() <= same_origin.items()
    (landing,) = other.headers["/landing"]
    assert not {"x-api-key", "authorization", "cookie", "x-custom"} & landing.keys(), landing
    assert landing["user-agent"].startswith("Watcher/")


@pytest.mark.parametrize(("path", "kind"), [("/gone", "http"), ("/slow", "timeout"),
                                            ("/big", "too_large")])
def test_errors_after_a_redirect_name_the_final_url(path: str, kind: str) -> None:
    from watcher.model import SourceError

    server = PlatformServer({
        "/start": Route(b"", "text/plain", status=302, headers={"Location": path}),
        "/gone": Route(b"", "text/plain", status=404),
        "/slow": Route(b"late", "text/plain", delay=2.0),
        "/big": Route(b"x" * 5000, "text/plain"),
    }).start()
    try:
        with pytest.raises(SourceError) as caught:
            _get(f"{server.url}/start", timeout=1, max_bytes=1000)
    finally:
        server.stop()
    assert caught.value.kind == kind
    assert f"{server.url}{path}" in str(caught.value)


def test_a_redirect_to_a_name_that_resolves_inside_is_refused_where_it_connects() -> None:
    import socket

    import respx

    from watcher.http.addresses import internal_address
    from watcher.model import SourceError

    name = socket.gethostname()  # a name, not an address; it resolves to this machine
    addresses = {info[4][0] for info in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
    if not addresses or not all(internal_address(str(a)) for a in addresses):
        pytest.skip(f"{name} does not resolve to an internal address here")
    internal = PlatformServer({"/internal": Route(b"secret", "text/plain")}).start()
    internal_url = f"http://{name}:{internal.port}/internal"
    try:
        with respx.mock(assert_all_called=False) as mock:
            mock.route(host=name).pass_through()
            mock.get("https://platform.test/feed").respond(302, headers={"Location": internal_url})
            with pytest.raises(SourceError, match="refused a redirect") as caught:
                _get("https://platform.test/feed", timeout=2)
    finally:
        internal.stop()
    assert internal_url in str(caught.value) and caught.value.kind == "http"
    assert internal.hits == {}
