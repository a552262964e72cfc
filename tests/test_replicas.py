"""Three `watcher run` replicas over one PostgreSQL store: each (source, slot) is fetched once,
nothing is duplicated, a replica killed mid-poll has its slot taken over, and alerts held while
the receiver is down all arrive once it is back."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_ENV, postgres_schema_url
from tests.daemon_process import Daemon, wait_for
from tests.servers import PlatformServer, Receiver, Route

SLOT = 3  # seconds between sweep slots
SOURCES = 4


# Distinct complaints: texts that differ in a number only would be near copies of each other
# across sources (watcher/intake/nearcopy.py), linked instead of ticketed.
COMPLAINTS = [
    "快递一个星期都没到，客服也不回复，太差了",
    "收到的洗衣机外壳凹了一大块，联系换货三天没人理",
    "安装师傅迟到三个小时，还额外收了两百块材料费",
    "冰箱用了两天就不制冷，售后电话一直打不通",
    "买的羽绒服钻毛严重，申请退货被商家拒绝了",
    "扫地机器人充不进电，客服让我自己拆开看看",
    "订的蛋糕送到时已经化了，商家说不负责",
    "耳机左边没声音，寄回维修一个月还没寄回来",
    "热水器漏水把地板泡坏了，厂家只肯退一半的钱",
    "会员自动续费没有任何提醒，扣了我三百多",
    "酒店房间有霉味，前台说满房不能换",
    "手机壳尺寸不对，卖家坚持说是我买错了型号",
    "外卖少送了一份饭，骑手和商家互相推脱",
    "空调外机噪音大得整夜睡不着，上门检查的人敷衍了事，太失望了",
    "奶粉罐子密封条是破的，担心孩子喝了出问题",
    "网课退款承诺七天到账，现在一个月了还没退",
]


def feed(source: int, items: int) -> bytes:
    entries = "".join(
        f"<item><guid>s{source}-{i}</guid><link>http://forum.local/{source}/{i}</link>"
        f"<author>用户{source}-{i}</author><description>{COMPLAINTS[source * 4 + i]}"
        f"（订单{source}{i}）</description></item>"
        for i in range(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{entries}' \
           f"</channel></rss>".encode()


@pytest.fixture
def database() -> Iterator[str]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    yield from postgres_schema_url(base)


def test_three_replicas_share_the_work(tmp_path: Path, database: str) -> None:
    routes = {f"/feed{i}.xml": Route(feed(i, 2), "application/rss+xml", delay=0.3)
              for i in range(SOURCES)}
    server, receiver = PlatformServer(routes).start(), Receiver().start()
    sources = "".join(f'[[sources]]\nname = "feed{i}"\nkind = "rss"\n'
                      f'url = "{server.url}/feed{i}.xml"\n' for i in range(SOURCES))
    config = tmp_path / "config.toml"
    config.write_text(f"""
[watcher]
database = "{database}"
[monitor]
max_age = "3650d"
[schedule]
sweep_every = "{SLOT}s"
claim_lease = "8s"
[http]
retries = 0
[alerts]
on_duty = ["{receiver.json_url()}"]
[incidents]
min_complaints = 1000
{sources.replace('"rss"', '"rss"' + chr(10) + 'schedule = ["sweep"]')}""", encoding="utf-8")
    replicas = [Daemon(config, tmp_path / f"replica{n}.log") for n in range(3)]
    engine = create_engine(database)
    try:
        assert wait_for(lambda: len(receiver.received) >= SOURCES * 2, 60)
        # the receiver goes down; new complaints arrive meanwhile
        receiver.stop()
        for i in range(SOURCES):
            server.routes[f"/feed{i}.xml"] = Route(feed(i, 4), "application/rss+xml", delay=0.3)
        victim = replicas[0]
        with engine.connect() as conn:
            def victim_polling() -> bool:
                query = text("SELECT count(*) FROM slot_claims WHERE done_at IS NULL "
                             "AND owner LIKE :pid")
                pid = f"%:{victim.process.pid}:%"
                return bool(conn.execute(query, {"pid": pid}).scalar())
            assert wait_for(victim_polling, 30)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(10)
        time.sleep(SLOT * 3)
        receiver.start()
        assert wait_for(lambda: len(receiver.received) >= SOURCES * 4, 90)
        time.sleep(SLOT * 2)
    finally:
        codes = [r.stop() for r in replicas[1:]]
        server.stop()
        receiver.stop()
    assert codes == [0, 0]

    with engine.connect() as conn:
        claims = {name: (count, over) for name, count, over in conn.execute(text(
            "SELECT source, count(*), sum(takeovers) FROM slot_claims GROUP BY source"))}
        mentions = conn.execute(text("SELECT count(*) FROM mentions")).scalar()
        tickets = conn.execute(text("SELECT count(*) FROM tickets")).scalar()
        takeovers = conn.execute(text("SELECT coalesce(sum(takeovers), 0) FROM slot_claims"))
        taken_over = takeovers.scalar()
        unfinished = conn.execute(text("SELECT count(*) FROM slot_claims WHERE done_at IS NULL "
                                       "AND lease_until < now() - interval '1 minute'")).scalar()
    engine.dispose()
    # each slot claimed once and fetched once; a slot taken over from the killed replica may
    # have been fetched by it before it died
    for i in range(SOURCES):
        requests = server.hits[f"/feed{i}.xml"]
        slots, over = claims[f"feed{i}"]
        assert slots <= requests <= slots + over, (i, requests, slots, over)
        print(f"feed{i}: {requests} requests for {slots} slots, {over} taken over")
        assert slots >= 6  # it ran for many slots
    assert mentions == SOURCES * 4 and tickets == SOURCES * 4  # nothing lost, nothing twice
    assert taken_over >= 1 and unfinished == 0
    titles = Counter(a["title"] for a in receiver.received)
    assert len(titles) == SOURCES * 4 and max(titles.values()) == 1  # every alert, once
