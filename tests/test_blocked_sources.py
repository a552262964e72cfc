"""Blocked is not broken (issue #12), end to end: a Chinese platform's refusal is an error of
kind `blocked` that `watcher sweep --json` reports and `watcher try-source` prints (exit 1); the
operators are told at once, once, and again when the source works; the other sources go on."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.cnserver import Answer, CnServer
from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.store.db import Store

RISK = json.dumps({"code": -412, "message": "请求被拦截"}).encode()
COMMENTS = json.dumps({"code": 0, "data": {"page": {"num": 1, "size": 20, "count": 1},
                                           "replies": [{
    "rpid": 9, "oid": 2, "mid": 5, "ctime": 1_764_000_000, "like": 2, "rcount": 0,
    "member": {"uname": "顾客", "official_verify": {"type": -1}},
    "content": {"message": "买的耳机一周就坏了，客服不理人"}, "replies": None}]}}).encode()


def _sweeps(flow: Flow, store: Store, clock: list, count: int) -> list:
    from watcher.http.client import HttpClient
    from watcher.intake.pipeline import Pipeline

    async def run() -> list:
        reports = []
        async with HttpClient(flow.config.http) as http:
            pipeline = Pipeline(flow.config, store, http, flow.intake.scorer,
                                clock=lambda: clock[0])
            for _ in range(count):
                reports.append(await pipeline.sweep_source(flow.config.source("bili")))
                clock[0] += timedelta(hours=2)
        return reports

    return asyncio.run(run())


def test_a_blocked_source_tells_the_operators_at_once_once_and_on_recovery(
        store: Store, receiver: Receiver, platform: CnServer) -> None:
    bili = {"name": "bili", "kind": "bilibili", "video": "av2", "base_url": platform.url,
            "page_delay": "0s"}
    flow = Flow(store, receiver, sources=[bili], http={"retries": 0}, health={"alert_after": 5})
    clock = [at(23, 9)]
    platform.serve("/x/v2/reply", RISK)
    (report,) = _sweeps(flow, store, clock, 1)
    assert report.error_kind == "blocked" and "-412" in report.error
    assert "slow down or change IP" in report.as_dict()["error"]
    flow.send(clock[0])
    told = receiver.to("ops")
    assert len(told) == 1 and "被封禁" in told[0]["title"] and "-412" in told[0]["message"]
    _sweeps(flow, store, clock, 3)  # still blocked: not told again, not even daily
    clock[0] += timedelta(days=2)
    _sweeps(flow, store, clock, 1)
    flow.send(clock[0])
    assert len(receiver.to("ops")) == 1 and receiver.to("duty") == []
    platform.serve("/x/v2/reply", COMMENTS)
    (works,) = _sweeps(flow, store, clock, 1)
    assert works.error is None and works.fetched == 1
    flow.send(clock[0])
    assert len(receiver.to("ops")) == 2 and "恢复" in receiver.to("ops")[-1]["title"]


def test_sweep_json_and_try_source(tmp_path: Path, platform: CnServer) -> None:
    platform.serve("/x/v2/reply", RISK)
    platform.serve("/api/v1/douyin/web/fetch_video_comments", Answer(b"[]"))
    config = tmp_path / "config.toml"
    config.write_text(f"""
[watcher]
database = "sqlite:///{tmp_path / 'w.db'}"
[http]
retries = 0
[[sources]]
name = "bili"
kind = "bilibili"
video = "BV1xx411c7mD"
base_url = "{platform.url}"
[[sources]]
name = "dy"
kind = "douyin"
video = "7565738211130035491"
token = "t"
base_url = "{platform.url}"
""", encoding="utf-8")

    def watcher(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "watcher", "--config", str(config), *args],
                              capture_output=True, text=True, timeout=120)

    swept = watcher("sweep", "--json")
    errors = {s["name"]: s["error"] for s in json.loads(swept.stdout)["sources"]}
    assert swept.returncode == 1
    assert errors["bili"].startswith("bilibili blocked the request (-412)")
    assert errors["dy"].startswith("changed shape")  # the other source is read and fails alone
    tried = watcher("try-source", "bili")
    assert tried.returncode == 1
    assert "bili: blocked error: bilibili blocked the request (-412): risk control -412" \
        in tried.stderr
