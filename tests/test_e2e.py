"""End to end, no mocks: a real local platform server, `watcher sweep` as a subprocess, a real
local receiver behind apprise's json:// URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.servers import PlatformServer, Receiver, Route

FIXTURES = Path(__file__).parent / "fixtures" / "e2e"
ROOT = Path(__file__).resolve().parents[1]


def platform() -> PlatformServer:
    return PlatformServer({
        "/feed.xml": Route((FIXTURES / "feed.xml").read_bytes(), "application/rss+xml"),
        "/api/reviews": Route((FIXTURES / "reviews.json").read_bytes(), "application/json"),
        "/page.html": Route((FIXTURES / "page.html").read_bytes(), "text/html; charset=utf-8"),
    }).start()


def write_config(path: Path, server: PlatformServer, receiver: Receiver, database: str,
                 extra: str = "") -> Path:
    path.write_text(f"""
[watcher]
database = "{database}"
[monitor]
max_age = "3650d"
[http]
retries = 0
timeout = "5s"
[alerts]
on_duty = ["{receiver.json_url()}"]
[[sources]]
name = "forum"
kind = "rss"
url = "{server.url}/feed.xml"
[[sources]]
name = "shop-api"
kind = "json"
url = "{server.url}/api/reviews"
items = "data.list"
fields = {{ id = "rid", text = "body", author = "nick", time = "ts" }}
platform = "shop"
[[sources]]
name = "shop-page"
kind = "html"
url = "{server.url}/page.html"
items = "div.review"
fields = {{ id = "@data-rid", text = "p", author = ".who", url = "a@href" }}
{extra}
""", encoding="utf-8")
    return path


def watcher(config: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"WATCHER_LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-m", "watcher", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def sweep(config: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(watcher(config, "sweep", "--json").stdout)
    return result


def tickets(config: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(watcher(config, "tickets", "list", "--json").stdout)
    return found


@pytest.fixture
def servers() -> Any:
    server, receiver = platform(), Receiver().start()
    yield server, receiver
    server.stop()
    receiver.stop()


def test_sweep_tickets_alerts_and_a_quiet_second_run(tmp_path: Path, servers: Any,
                                                     database_url: str) -> None:
    server, receiver = servers
    config = write_config(tmp_path / "config.toml", server, receiver, database_url)
    first = sweep(config)
    by_name = {s["name"]: s for s in first["sources"]}
    assert set(by_name) == {"forum", "shop-api", "shop-page"}
    assert all(s["error"] is None for s in first["sources"])
    assert [by_name[n]["fetched"] for n in ("forum", "shop-api", "shop-page")] == [3, 3, 2]
    assert by_name["shop-page"]["new"] == 2
    # the forum reposts a complaint the JSON source has too: whichever is stored second is
    # linked to the first, not ticketed again
    assert by_name["forum"]["new"] + by_name["shop-api"]["new"] == 5
    assert by_name["forum"]["duplicates"] + by_name["shop-api"]["duplicates"] == 1

    made = tickets(config)
    assert sum(s["tickets"] for s in first["sources"]) == len(made) >= 3
    texts = {t["mention"]["text"]: t for t in made}
    shock = next(t for text, t in texts.items() if "漏电" in text)
    assert shock["level"] == 1 and shock["status"] == "open"
    assert shock["mention"] == shock["mention"] | {"source": "forum", "author": "用户甲",
                                                    "url": "http://forum.local/t/1"}
    assert shock["deadline"].endswith("+08:00") and shock["reasons"]
    assert not any("满意" in text or "推荐" in text for text in texts)
    assert sum("快递一个星期" in text for text in texts) == 1

    assert first["alerts"] == {"sent": len(made), "failed": 0}
    received = {a["title"] for a in receiver.received}
    assert len(receiver.received) == len(made)
    for ticket in made:
        assert any(f"#{ticket['id']}" in title for title in received)
    bodies = "\n".join(a["message"] for a in receiver.received)
    assert "<script>" not in bodies and "<b>" not in bodies
    # the urgency rides on apprise's notify type: level 1 red (failure), level 3 plain info
    types = {t["level"]: next(a["type"] for a in receiver.received if f"#{t['id']}" in a["title"])
             for t in made}
    assert types[1] == "failure" and types.get(3, "info") == "info", types

    second = sweep(config)
    assert all(s["new"] == 0 and s["tickets"] == 0 for s in second["sources"])
    assert [s["fetched"] for s in second["sources"]] == [0, 0, 0]  # 304 Not Modified
    assert len(tickets(config)) == len(made) and len(receiver.received) == len(made)


def test_alerts_wait_while_the_receiver_is_down(tmp_path: Path, servers: Any) -> None:
    server, receiver = servers
    receiver.stop()
    config = write_config(tmp_path / "config.toml", server, receiver,
                          f"sqlite:///{tmp_path / 'w.db'}")
    down = sweep(config)
    made = len(tickets(config))
    assert made and down["alerts"] == {"sent": 0, "failed": made}
    shown = watcher(config, "tickets", "show", str(tickets(config)[0]["id"]))
    assert "created" in shown.stdout
    receiver.start()
    up = sweep(config)
    assert up["alerts"] == {"sent": made, "failed": 0}
    assert len(receiver.received) == made
    assert sweep(config)["alerts"] == {"sent": 0, "failed": 0}


def test_a_failing_source_does_not_stop_the_sweep(tmp_path: Path, servers: Any) -> None:
    server, receiver = servers
    extra = f'[[sources]]\nname = "gone"\nkind = "rss"\nurl = "{server.url}/missing.xml"\n'
    config = write_config(tmp_path / "config.toml", server, receiver,
                          f"sqlite:///{tmp_path / 'w.db'}", extra)
    done = watcher(config, "sweep", "--json", check=False)
    assert done.returncode == 1
    by_name = {s["name"]: s for s in json.loads(done.stdout)["sources"]}
    assert "HTTP 404" in by_name["gone"]["error"]
    assert by_name["forum"]["error"] is None and by_name["forum"]["fetched"] == 3
    text = watcher(config, "sweep", "--source", "forum").stdout
    assert text.splitlines()[0].split() == ["name", "fetched", "new", "duplicates", "complaints",
                                            "tickets", "error"]


def test_unknown_source_name_is_a_usage_error(tmp_path: Path, servers: Any) -> None:
    server, receiver = servers
    config = write_config(tmp_path / "config.toml", server, receiver,
                          f"sqlite:///{tmp_path / 'w.db'}")
    done = watcher(config, "sweep", "--source", "nope", check=False)
    assert done.returncode == 2 and "no source named 'nope'" in done.stderr


def test_try_source_stores_nothing(tmp_path: Path, servers: Any) -> None:
    server, receiver = servers
    database = tmp_path / "w.db"
    config = write_config(tmp_path / "config.toml", server, receiver, f"sqlite:///{database}")
    shown = json.loads(watcher(config, "try-source", "forum", "--limit", "2", "--json").stdout)
    assert shown["fetched"] == 3 and len(shown["items"]) == 2
    shock = shown["items"][0]
    assert shock["id"] == "post-1" and shock["level"] == 1 and "safety" in shock["risks"]
    assert not database.exists() and receiver.received == []
    text = watcher(config, "try-source", "shop-page").stdout
    assert text.startswith("shop-page (html): 2 items") and "访客A" in text
    missing = watcher(config, "try-source", "nope", check=False)
    assert missing.returncode == 2 and "no source named 'nope'" in missing.stderr
    extra = f'[[sources]]\nname = "gone"\nkind = "rss"\nurl = "{server.url}/missing.xml"\n'
    config = write_config(tmp_path / "config.toml", server, receiver, f"sqlite:///{database}",
                          extra)
    failed = watcher(config, "try-source", "gone", check=False)
    assert failed.returncode == 1 and "HTTP 404" in failed.stderr
