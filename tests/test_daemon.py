"""`watcher run` as a real process: sweeps at once, on schedule, survives broken sources, serves
/healthz and /metrics, and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.daemon_process import Daemon, wait_for
from tests.servers import PlatformServer, Receiver, Route, complaint_feed, free_port

FEED = (Path(__file__).parent / "fixtures" / "e2e" / "feed.xml").read_bytes()


def test_runs_on_schedule_alerts_serves_health_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = PlatformServer({"/feed.xml": Route(FEED, "application/rss+xml")}).start()
    receiver = Receiver().start()
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"
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
[alerts]
on_duty = ["{receiver.json_url()}"]
[[sources]]
name = "forum"
kind = "rss"
url = "{server.url}/feed.xml"
schedule = ["sweep"]
[[sources]]
name = "offline"
kind = "rss"
url = "{dead}"
schedule = ["sweep"]
""", encoding="utf-8")
    daemon = Daemon(config, tmp_path / "daemon.log")
    try:
        # a source never swept before is swept at once, and its alerts go out
        assert wait_for(lambda: server.hits.get("/feed.xml", 0) >= 1, 20)
        assert wait_for(lambda: len(receiver.received) >= 1, 30)
        # then again on every slot, conditional requests answered 304
        assert wait_for(lambda: server.hits.get("/feed.xml", 0) >= 3, 20)
        assert daemon.process.poll() is None, "a broken source does not stop the daemon"
        status, body = daemon.get("/healthz")
        assert status == 200 and '"scheduler": true' in body and '"store": true' in body
        status, metrics = daemon.get("/metrics")
        assert status == 200
        for expected in ('watcher_sweeps_total{result="ok",source="forum"}',
                         'watcher_source_errors_total{kind="network",source="offline"}',
                         'watcher_items_fetched_total{source="forum"} 3.0',
                         'watcher_tickets_open{level="1"} 1.0',
                         "watcher_alerts_pending ", "watcher_alerts_oldest_pending_age_seconds",
                         "watcher_sweep_duration_seconds_bucket"):
            assert expected in metrics, expected
    finally:
        code = daemon.stop()
        server.stop()
        receiver.stop()
    assert code == 0, daemon.log.read_text(encoding="utf-8")
    logs = daemon.logs()
    assert any("offline" in e["message"] and e["level"] == "error" for e in logs)
    assert any(e["message"] == "stopped" for e in logs)
    assert all("#" in a["title"] for a in receiver.received)
    # a failed sweep says when the source is tried again, in the configured zone's time
    assert any(re.fullmatch(r"source offline: next sweep at \d{4}-\d\d-\d\d \d\d:\d\d",
                            e["message"]) for e in logs), logs
    # the scheduler keeps its "Added job ..." to itself; times are Asia/Shanghai's (the default)
    assert not [e for e in logs if e["logger"].startswith("apscheduler")], logs
    assert all(e["time"].endswith("+08:00") for e in logs), logs


def test_healthz_is_503_when_the_store_is_gone(tmp_path: Path) -> None:
    """PostgreSQL behind a proxy the test cuts: the daemon stays up and says it is unhealthy."""
    import os
    from urllib.parse import urlsplit

    import pytest

    from tests.conftest import POSTGRES_ENV, postgres_schema_url
    from tests.servers import TcpProxy

    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    real = urlsplit(base)
    proxy = TcpProxy((real.hostname or "127.0.0.1", real.port or 5432)).start()
    schemas = postgres_schema_url(base)
    url = next(schemas).replace(f"{real.hostname}:{real.port or 5432}",
                                f"127.0.0.1:{proxy.port}")
    config = tmp_path / "config.toml"
    config.write_text(f'[watcher]\ndatabase = "{url}"\n', encoding="utf-8")
    daemon = Daemon(config, tmp_path / "daemon.log")
    try:
        assert daemon.get("/healthz")[0] == 200
        proxy.stop()
        status, body = daemon.get("/healthz")
        assert status == 503 and '"store": false' in body and '"scheduler": true' in body
        assert daemon.process.poll() is None
    finally:
        assert daemon.stop() == 0
        next(schemas, None)


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "config.toml"
        config.write_text(f'[watcher]\ndatabase = "sqlite:///{tmp_path / "w.db"}"\n'
                          f'[web]\nport = {port}\n', encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "watcher", "--config", str(config), "run"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"config.toml: web: cannot listen on 127.0.0.1:{port}" in done.stderr


def test_sigterm_lets_a_scheduled_poll_in_hand_finish(tmp_path: Path) -> None:
    """The scheduler's shutdown cancels its running jobs; a poll that has claimed its slot and
    is waiting for a slow platform must still finish, and its slot be marked done."""
    server = PlatformServer({"/feed.xml": Route(FEED, "application/rss+xml")}).start()
    config = tmp_path / "config.toml"
    config.write_text(f"""
[watcher]
database = "sqlite:///{tmp_path / 'w.db'}"
[monitor]
max_age = "3650d"
[schedule]
sweep_every = "2s"
[[sources]]
name = "slow"
kind = "rss"
url = "{server.url}/feed.xml"
schedule = ["sweep"]
""", encoding="utf-8")
    daemon = Daemon(config, tmp_path / "daemon.log")
    try:
        assert wait_for(lambda: server.hits.get("/feed.xml", 0) >= 1, 20)  # the catch-up poll
        server.routes["/feed.xml"] = Route(FEED, "application/rss+xml", delay=3.0)
        assert wait_for(lambda: server.hits.get("/feed.xml", 0) >= 2, 20)  # a scheduled one
    finally:
        code = daemon.stop()  # while that request waits for its answer
        server.stop()
    assert code == 0, daemon.log.read_text(encoding="utf-8")
    with sqlite3.connect(tmp_path / "w.db") as db:
        unfinished = db.execute("SELECT count(*) FROM slot_claims WHERE done_at IS NULL")
        assert unfinished.fetchone()[0] == 0
    assert not [e for e in daemon.logs() if e["level"] == "error"], daemon.logs()


def test_sigterm_sends_the_alerts_of_the_polls_it_let_finish(tmp_path: Path) -> None:
    """Stopping while the dispatcher is busy sending and a poll is still fetching: the poll
    finishes after that dispatch pass began, and its alert must still go out before exit."""
    server = PlatformServer({"/slow.xml": Route(complaint_feed(0, 1), "application/rss+xml"),
                             "/quick.xml": Route(complaint_feed(1, 1), "application/rss+xml")})
    server.start()
    receiver = Receiver().start()
    config = tmp_path / "config.toml"
    config.write_text(f"""
[watcher]
database = "sqlite:///{tmp_path / 'w.db'}"
[schedule]
sweep_every = "2s"
[alerts]
on_duty = ["{receiver.json_url()}"]
[[sources]]
name = "slow"
kind = "rss"
url = "{server.url}/slow.xml"
schedule = ["sweep"]
[[sources]]
name = "quick"
kind = "rss"
url = "{server.url}/quick.xml"
schedule = ["sweep"]
""", encoding="utf-8")
    daemon = Daemon(config, tmp_path / "daemon.log")
    try:
        assert wait_for(lambda: len(receiver.received) == 2, 30)  # the catch-up polls' tickets
        receiver.delay = 4.0  # the next alert keeps the dispatcher busy for 4 s
        hits = server.hits["/slow.xml"]
        server.routes["/quick.xml"] = Route(complaint_feed(1, 2), "application/rss+xml")
        server.routes["/slow.xml"] = Route(complaint_feed(0, 2), "application/rss+xml",
                                           delay=6.0)  # answered after that send is over
        assert wait_for(lambda: server.hits["/slow.xml"] > hits, 20)
    finally:
        code = daemon.stop()  # the quick source's alert is being sent, the slow poll fetching
        server.stop()
        receiver.stop()
    assert code == 0, daemon.log.read_text(encoding="utf-8")
    assert len(receiver.received) == 4, [a["title"] for a in receiver.received]
