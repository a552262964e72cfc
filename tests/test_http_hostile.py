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
