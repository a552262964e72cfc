"""Three `watcher run` replicas over one PostgreSQL store: each (source, slot) is fetched once,
nothing is duplicated, a replica killed mid-poll has its slot taken over, and alerts held while
the receiver is down all arrive once it is back."""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from tests.daemon_process import Daemon, wait_for
from tests.helpers import feeds_config
from tests.servers import PlatformServer, Receiver, Route, complaint_feed

SLOT = 3  # seconds between sweep slots
SOURCES = 4


def test_three_replicas_share_the_work(tmp_path: Path, postgres_database: str) -> None:
    routes = {f"/feed{i}.xml": Route(complaint_feed(i, 2), "application/rss+xml", delay=0.3)
              for i in range(SOURCES)}
    server, receiver = PlatformServer(routes).start(), Receiver().start()
    config = tmp_path / "config.toml"
    config.write_text(f'[watcher]\ndatabase = "{postgres_database}"\n' + feeds_config(
        server.url, receiver.json_url(), SOURCES, SLOT, "8s"), encoding="utf-8")
    replicas = [Daemon(config, tmp_path / f"replica{n}.log") for n in range(3)]
    engine = create_engine(postgres_database)
    try:
        assert wait_for(lambda: len(receiver.received) >= SOURCES * 2, 60)
        # the receiver goes down; new complaints arrive meanwhile
        receiver.stop()
        for i in range(SOURCES):
            server.routes[f"/feed{i}.xml"] = Route(complaint_feed(i, 4), "application/rss+xml",
                                                   delay=0.3)
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


def test_two_replicas_send_last_months_report_once(tmp_path: Path, postgres_database: str) -> None:
    from datetime import UTC, datetime

    from watcher.reporting.period import month_of

    receiver = Receiver().start()
    config = tmp_path / "config.toml"
    config.write_text(f"""
[watcher]
database = "{postgres_database}"
[reports]
to = ["{receiver.json_url("analyst")}"]
monthly = "1 00:00"
""", encoding="utf-8")
    replicas = [Daemon(config, tmp_path / f"replica{n}.log") for n in range(2)]
    try:
        assert wait_for(lambda: len(receiver.to("analyst")) >= 1, 60), \
            replicas[0].log.read_text(encoding="utf-8")
        time.sleep(3)  # a second copy would have arrived by now
    finally:
        codes = [r.stop() for r in replicas]
        receiver.stop()
    assert codes == [0, 0]
    last_month = month_of(datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date())
    (report,) = receiver.to("analyst")
    assert report["title"] == f"《投诉分析报告》{last_month.previous().label}"
    assert report["attachments"][0]["filename"].endswith(f"{last_month.previous().key}.html")
    engine = create_engine(postgres_database)
    with engine.connect() as conn:
        claims = conn.execute(text("SELECT period FROM sent_reports")).scalars().all()
    engine.dispose()
    assert claims == [last_month.previous().key]
