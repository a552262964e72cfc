"""`watcher run` against hostile clients holding connections (issue 17, item 10): hundreds of
idle connections from one address, then from many, against a daemon allowed only 256 open
files; and a slowloris client. /healthz keeps answering other addresses, sweeps keep running,
the daemon's descriptors stay bounded, and a request head that never ends is cut off."""

from __future__ import annotations

import http.client
import os
import re
import socket
import time
from pathlib import Path

import pytest

from connectors import connector_for
from tests.daemon_process import Daemon, wait_for
from tests.servers import PlatformServer, Route
from watcher.config import ConfigError, parse

FEED = (Path(__file__).parent / "fixtures" / "e2e" / "feed.xml").read_bytes()


def _config(tmp_path: Path, feed: str, web: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f"""
[watcher]
database = "sqlite:///{tmp_path / 'w.db'}"
[monitor]
max_age = "3650d"
[schedule]
sweep_every = "2s"
[http]
retries = 0
[web]
{web}
[[sources]]
name = "forum"
kind = "rss"
url = "{feed}"
schedule = ["sweep"]
""", encoding="utf-8")
    return config


def _address(daemon: Daemon) -> tuple[str, int]:
    host, port = daemon.address().removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _get_from(source: str, address: tuple[str, int], path: str) -> int:
    """GET `path` from another client address (127.0.0.x are all this machine)."""
    connection = http.client.HTTPConnection(*address, timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def _descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _open_idle(address: tuple[str, int], count: int, source: str) -> list[socket.socket]:
    return [socket.create_connection(address, timeout=10, source_address=(source, 0))
            for _ in range(count)]


def test_idle_connections_cannot_take_the_daemons_descriptors(tmp_path: Path) -> None:
    platform = PlatformServer({"/feed.xml": Route(FEED, "application/rss+xml")}).start()
    config = _config(tmp_path, f"{platform.url}/feed.xml", 'header_timeout = "60s"\n'
                     "max_client_connections = 16\nmax_connections = 40")
    daemon = Daemon(config, tmp_path / "daemon.log", open_files=256)
    held: list[socket.socket] = []
    try:
        address = _address(daemon)
        assert wait_for(lambda: platform.hits.get("/feed.xml", 0) >= 1, 30)
        before = _descriptors(daemon.process.pid)
        held += _open_idle(address, 300, "127.0.0.1")  # one client, 300 idle connections
        assert _get_from("127.0.0.2", address, "/healthz") == 200
        swept = platform.hits.get("/feed.xml", 0)
        assert wait_for(lambda: platform.hits.get("/feed.xml", 0) >= swept + 2, 30)
        assert wait_for(lambda: _descriptors(daemon.process.pid) <= before + 16 + 8, 30)
        for i in range(10):  # then ten clients, each under its own limit, over the total
            held += _open_idle(address, 10, f"127.0.0.{10 + i}")
        assert wait_for(lambda: _descriptors(daemon.process.pid) <= before + 40 + 8, 30)
        swept = platform.hits.get("/feed.xml", 0)
        assert wait_for(lambda: platform.hits.get("/feed.xml", 0) >= swept + 2, 30)
        refused = held[-1].recv(200)
        assert refused.startswith(b"HTTP/1.1 503") and b"too many connections" in refused
    finally:
        for sock in held:
            sock.close()
        code = daemon.stop()
        platform.stop()
    assert code == 0
    assert any("refusing connections" in e["message"] for e in daemon.logs())


def _until_closed(sock: socket.socket, trickle: bytes | None, limit: float = 60) -> bytes:
    """Reads until the server closes, sending `trickle` every 0.2 s meanwhile; what was read."""
    sock.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            if trickle is not None:
                try:
                    sock.sendall(trickle)
                except OSError:
                    return received
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise AssertionError("the server kept the connection open")


def test_a_request_head_that_never_ends_is_cut_off(tmp_path: Path) -> None:
    platform = PlatformServer({"/feed.xml": Route(FEED, "application/rss+xml")}).start()
    config = _config(tmp_path, f"{platform.url}/feed.xml", 'header_timeout = "1s"')
    daemon = Daemon(config, tmp_path / "daemon.log", open_files=256)
    try:
        address = _address(daemon)
        with socket.create_connection(address, timeout=10) as slow:  # slowloris
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: watcher\r\n")
            assert b"200 OK" not in _until_closed(slow, b"X-Slow: 1\r\n")
        with socket.create_connection(address, timeout=10) as silent:  # connects, says nothing
            assert _until_closed(silent, None) == b""
        with socket.create_connection(address, timeout=10) as polite:  # a whole request: served
            polite.sendall(b"GET /healthz HTTP/1.1\r\nHost: watcher\r\n\r\n")
            assert polite.recv(4096).startswith(b"HTTP/1.1 200")
            assert _until_closed(polite, None) == b""  # then idle: closed too
        assert _get_from("127.0.0.1", address, "/healthz") == 200
    finally:
        assert daemon.stop() == 0
        platform.stop()
    # max_connections (512 by default) is cut to half the 256 open files allowed, and said so
    assert any("at most 128 connections" in e["message"] for e in daemon.logs())


def test_a_request_body_that_never_ends_is_cut_off(tmp_path: Path) -> None:
    """A form trickled a byte at a time, slower than `body_timeout` allows, gets 408 and a closed
    connection instead of holding the login handler; a whole form is still read."""
    platform = PlatformServer({"/feed.xml": Route(FEED, "application/rss+xml")}).start()
    config = _config(tmp_path, f"{platform.url}/feed.xml", 'body_timeout = "1s"')
    daemon = Daemon(config, tmp_path / "daemon.log")
    try:
        address = _address(daemon)
        head = (b"POST /login HTTP/1.1\r\nHost: watcher\r\nContent-Length: 1000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
        with socket.create_connection(address, timeout=10) as slow:
            slow.sendall(head + b"name=a")
            started = time.monotonic()
            slow.settimeout(0.2)
            answer = b""
            while not answer and time.monotonic() - started < 20:
                try:
                    answer = slow.recv(4096)
                except TimeoutError:
                    slow.sendall(b"a")  # 5 bytes a second: 200 s for the whole body
            waited = time.monotonic() - started
            assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
            assert waited < 5  # cut at body_timeout, long before the 1,000 bytes could come
            # aiohttp then reads on for at most its 10 s lingering time before it closes
            _until_closed(slow, b"a", limit=20)
        form = b"name=nobody&password=wrong"
        with socket.create_connection(address, timeout=10) as polite:  # a whole form: read
            polite.sendall(head.replace(b"1000", str(len(form)).encode()) + form)
            assert not polite.recv(4096).startswith(b"HTTP/1.1 408")
        assert _get_from("127.0.0.1", address, "/healthz") == 200
    finally:
        assert daemon.stop() == 0
        platform.stop()
    assert any("did not arrive within 1s" in e["message"] for e in daemon.logs())


@pytest.mark.parametrize(("web", "problem"), [
    ({"header_timeout": "0s"}, "web.header_timeout: must be at least 1s"),
    ({"body_timeout": "0s"}, "web.body_timeout: must be at least 1s"),
    ({"max_client_connections": 0}, "web.max_client_connections: must be at least 1"),
    ({"max_connections": -1}, "web.max_connections: must be at least 1"),
])
def test_connection_limits_are_checked(web: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        parse({"web": web}, None, connector_for)
    defaults = parse({}, None, connector_for).web
    assert (defaults.header_timeout.total_seconds(), defaults.body_timeout.total_seconds(),
            defaults.max_client_connections, defaults.max_connections) == (10, 30, 64, 512)
