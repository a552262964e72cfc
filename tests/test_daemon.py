"""`watcher run` as a real process: sweeps at once, on schedule, survives broken sources, and
stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.servers import PlatformServer, Receiver, Route, free_port

ROOT = Path(__file__).resolve().parents[1]
FEED = (Path(__file__).parent / "fixtures" / "e2e" / "feed.xml").read_bytes()


def start(config: Path) -> subprocess.Popen[str]:
    env = os.environ | {"WATCHER_LOG_FORMAT": "json"}
    return subprocess.Popen([sys.executable, "-m", "watcher", "--config", str(config), "run"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)


def wait_for(condition: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, stderr


def test_runs_on_schedule_alerts_and_stops_on_sigterm(tmp_path: Path) -> None:
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
    process = start(config)
    try:
        # a source never swept before is swept at once, and its alerts go out
        assert wait_for(lambda: server.hits.get("/feed.xml", 0) >= 1, 20)
        assert wait_for(lambda: len(receiver.received) >= 1, 30)
        # then again on every slot, conditional requests answered 304
        assert wait_for(lambda: server.hits.get("/feed.xml", 0) >= 3, 20)
        assert process.poll() is None, "a broken source does not stop the daemon"
    finally:
        code, stderr = stop(process)
        server.stop()
        receiver.stop()
    assert code == 0, stderr
    logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any("offline" in e["message"] and e["level"] == "error" for e in logs)
    assert any(e["message"] == "stopped" for e in logs)
    alerted = len(receiver.received)
    assert alerted >= 1 and all("#" in a["title"] for a in receiver.received)
