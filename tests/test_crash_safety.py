"""`kill -9` at any point of a sweep or a dispatch loses no mention, ticket or alert and
duplicates no mention or ticket; an alert may repeat only when the crash fell between the
target's answer and the commit."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.servers import PlatformServer, Receiver, Route
from watcher.store import outbox

ROOT = Path(__file__).resolve().parents[1]
LEASE = outbox.LEASE.total_seconds()
TOPICS = ["快递一个星期都没到", "客服态度恶劣不回复", "收到的商品是坏的", "退款申请没人处理",
          "质量太差用两天就坏", "包装破损漏液", "价格虚高乱收费", "安装师傅迟到三小时"]


def feed(items: int) -> bytes:
    entries = "".join(
        f"<item><guid>p{i}</guid><link>http://forum.local/{i}</link><author>顾客{i}</author>"
        f"<description>订单{i}：{TOPICS[i % len(TOPICS)]}，编号{i * 7919}，太差了，非常失望"
        f"</description></item>" for i in range(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'.encode()


def config_for(tmp_path: Path, name: str, server: PlatformServer, receiver: Receiver) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f"""
[watcher]
database = "sqlite:///{tmp_path / name}.db"
[monitor]
max_age = "3650d"
[alerts]
on_duty = ["{receiver.json_url(name)}"]
digest_over = 100000
[incidents]
min_complaints = 100000
[[sources]]
name = "forum"
kind = "rss"
url = "{server.url}/feed.xml"
""", encoding="utf-8")
    return path


def sweep(config: Path, kill_after: float | None = None) -> None:
    process = subprocess.Popen([sys.executable, "-m", "watcher", "--config", str(config),
                                "sweep", "--json"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    if kill_after is None:
        process.wait(timeout=300)
        return
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def counts(tmp_path: Path, name: str) -> tuple[int, int, list[int]]:
    engine = create_engine(f"sqlite:///{tmp_path / name}.db")
    with engine.connect() as conn:
        mentions = conn.execute(text("SELECT count(*) FROM mentions")).scalar()
        tickets = [row[0] for row in conn.execute(text("SELECT id FROM tickets"))]
        unsent = conn.execute(text("SELECT count(*) FROM outbox WHERE status != 'sent'"))
        unsent = unsent.scalar()
    engine.dispose()
    assert unsent == 0
    return int(mentions or 0), len(tickets), tickets


def test_kill_minus_nine_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    server = PlatformServer({"/feed.xml": Route(feed(120), "application/rss+xml",
                                                etag=False)}).start()
    receiver = Receiver(delay=0.01).start()
    try:
        reference = config_for(tmp_path, "reference", server, receiver)
        sweep(reference)
        expected_mentions, expected_tickets, _ = counts(tmp_path, "reference")
        assert expected_tickets >= 100

        crashed = config_for(tmp_path, "crashed", server, receiver)
        rng = random.Random(7)
        kills = 0
        for _ in range(5):  # kills land in start-up, fetch, scoring, the write, the dispatch
            sweep(crashed, kill_after=rng.uniform(0.3, 4.0))
            kills += 1
        time.sleep(LEASE + 1)  # claims a killed dispatcher held expire
        sweep(crashed)
        mentions, tickets, ids = counts(tmp_path, "crashed")
    finally:
        server.stop()
        receiver.stop()
    assert (mentions, tickets) == (expected_mentions, expected_tickets)
    delivered = Counter(int(a["title"].split("#")[1].split("]")[0])
                        for a in receiver.to("crashed"))
    assert set(delivered) == set(ids)  # every ticket's alert arrived
    repeats = sum(n - 1 for n in delivered.values())
    assert repeats <= kills  # at most the one in flight at each kill
    print(json.dumps({"kills": kills, "tickets": tickets, "repeated_alerts": repeats}))
