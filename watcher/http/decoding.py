"""Content-Encoding undone in bounded steps: a hostile body of a few KB can inflate to GBs
(`Content-Encoding: gzip, gzip`), so no step of any layer makes more than STEP bytes, and the
caller counts what comes out against its size cap before asking for more.

gzip and deflate always (zlib); br when the `brotli` package is installed (its decompressor
takes an output limit), zstd when `compression.zstd` (Python 3.14) or `backports.zstd` is.
"""

from __future__ import annotations

import functools
import importlib
import zlib
from collections.abc import Iterator
from typing import Any, Protocol

STEP = 64 * 1024  # bytes of output one decompression step makes at most
MAX_LAYERS = 5  # encodings stacked on one body (urllib3's limit, CVE-2025-66418)


class DecodingError(Exception):
    """A body that cannot be decoded: corrupt, stacked too deep, or an unknown encoding."""


class TooLarge(DecodingError):
    """A layer decoded more than the limit (the caller's cap counts only the last layer)."""


class _Layer(Protocol):
    def steps(self, data: bytes) -> Iterator[bytes]:
        """The output of `data`, in pieces of at most STEP bytes."""
        ...


class _Zlib:
    """gzip, or deflate with or without its zlib header (servers send both)."""

    def __init__(self, wbits: int) -> None:
        self._inflate = zlib.decompressobj(wbits)
        self._raw_fallback = wbits == zlib.MAX_WBITS
        self._started = False

    def steps(self, data: bytes) -> Iterator[bytes]:
        while data and not self._inflate.eof:
            try:
                out = self._inflate.decompress(data, STEP)
            except zlib.error:
                if self._started or not self._raw_fallback:
                    raise
                self._inflate, self._raw_fallback = zlib.decompressobj(-zlib.MAX_WBITS), False
                continue
            self._started = True
            data = self._inflate.unconsumed_tail
            if out:
                yield out


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = _brotli().Decompressor()

    def steps(self, data: bytes) -> Iterator[bytes]:
        out = self._decompressor.process(data, output_buffer_limit=STEP)
        while out:
            yield out
            if self._decompressor.can_accept_more_data():
                break
            out = self._decompressor.process(b"", output_buffer_limit=STEP)


class _Zstd:
    def __init__(self) -> None:
        self._module = _zstd()
        self._decompressor = self._module.ZstdDecompressor()

    def steps(self, data: bytes) -> Iterator[bytes]:
        while True:
            if self._decompressor.eof:  # a body may hold several frames
                data = self._decompressor.unused_data + data
                if not data:
                    return
                self._decompressor = self._module.ZstdDecompressor()
            out = self._decompressor.decompress(data, STEP)
            data = b""
            if out:
                yield out
            if self._decompressor.needs_input and not self._decompressor.eof:
                return


@functools.cache
def _brotli() -> Any:
    try:
        module = importlib.import_module("brotli")
    except ImportError:
        return None
    # before 1.2 its decompressor had no output limit: such a version is not used
    return module if hasattr(module.Decompressor, "can_accept_more_data") else None


@functools.cache
def _zstd() -> Any:
    for name in ("compression.zstd", "backports.zstd"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


@functools.cache
def _errors() -> tuple[type[Exception], ...]:
    """What the decompressors raise for a corrupt body."""
    found: list[type[Exception]] = [zlib.error, EOFError]
    if _brotli():
        found.append(_brotli().error)
    if _zstd():
        found.append(_zstd().ZstdError)
    return tuple(found)


@functools.cache
def accept_encoding() -> str:
    """The Accept-Encoding header: the encodings this module can undo here."""
    return ", ".join(["gzip", "deflate"] + (["br"] if _brotli() else [])
                     + (["zstd"] if _zstd() else []))


def _layer(name: str) -> _Layer:
    if name in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Zlib(zlib.MAX_WBITS)
    if name == "br" and _brotli():
        return _Brotli()
    if name == "zstd" and _zstd():
        return _Zstd()
    raise DecodingError(f"the body is in an encoding Watcher cannot read: {name}")


class Decoder:
    """The layers of one body's Content-Encoding, undone last first. The caller counts what
    comes out; the output of every layer before the last is counted here against `limit`, so
    that no layer grows unseen."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",")]
        names = [n for n in names if n and n != "identity"]
        if len(names) > MAX_LAYERS:
            raise DecodingError(f"{len(names)} content encodings stacked (at most {MAX_LAYERS})")
        self._layers = [_layer(name) for name in reversed(names)]
        self._made = [0] * len(self._layers)
        self._limit = limit

    @property
    def identity(self) -> bool:
        return not self._layers

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded output of the next piece of the body, at most STEP bytes a piece."""
        try:
            yield from self._through(0, data)
        except _errors() as exc:
            raise DecodingError(f"the body could not be decoded: {exc}") from None

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        inner = index + 1 < len(self._layers)
        for piece in self._layers[index].steps(data):
            self._made[index] += len(piece)
            if inner and self._made[index] > self._limit:
                raise TooLarge(f"over {self._limit} bytes once decoded")
            yield from self._through(index + 1, piece)
