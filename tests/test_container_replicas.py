"""Two containers of the image sharing this machine's PostgreSQL, as docker-compose.yml runs
them: each (source, slot) is polled by one of them, once, and each alert goes out once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from tests.container_run import Scratch, healthz
from tests.daemon_process import wait_for
from tests.helpers import feeds_config
from tests.podman import Podman
from tests.servers import PlatformServer, Receiver, Route, complaint_feed, free_port

SLOT = 2  # seconds between sweep slots
SOURCES = 3
SLOTS = 4  # slots each source is polled for before the replicas stop
PASSWORD = "pw-3b1f9c7e"  # trust authentication accepts it; it must appear in no log


def test_two_containers_over_postgresql_poll_each_slot_once(
        podman: Podman, image: str, scratch: Scratch, tmp_path: Path,
        postgres_database: str) -> None:
    routes = {f"/feed{i}.xml": Route(complaint_feed(i, 1), "application/rss+xml", delay=0.3)
              for i in range(SOURCES)}
    server, receiver = PlatformServer(routes), Receiver()
    server.start()
    receiver.start()
    config = tmp_path / "config.toml"
    config.write_text(feeds_config(server.url, receiver.json_url(), SOURCES, SLOT, "6s"),
                      encoding="utf-8")
    store_url = make_url(postgres_database).set(password=PASSWORD).render_as_string(
        hide_password=False)
    ports = [free_port(), free_port()]
    replicas = [podman.run(image, scratch.name(f"replica{n}"),
                           env={"WATCHER_DATABASE_URL": store_url, "WATCHER_WEB_PORT": str(port)},
                           volumes=[f"{config}:/etc/watcher/config.toml:ro"])
                for n, port in enumerate(ports)]
    try:
        assert wait_for(lambda: all(healthz(port)[0] == 200 for port in ports), 90), \
            [replica.logs()[-10:] for replica in replicas]
        assert wait_for(lambda: min(server.hits.get(f"/feed{i}.xml", 0)
                                    for i in range(SOURCES)) >= SLOTS, 30 * SLOT * SLOTS)
        codes = [replica.stop() for replica in replicas]
    finally:
        server.stop()
        receiver.stop()
    assert codes == [0, 0]
    engine = create_engine(postgres_database)
    with engine.connect() as conn:
        claims: dict[str, int] = {source: count for source, count in conn.execute(text(
            "SELECT source, count(*) FROM slot_claims GROUP BY source"))}
        owners = conn.execute(text("SELECT count(DISTINCT owner) FROM slot_claims")).scalar()
        taken_over = conn.execute(text("SELECT sum(takeovers) FROM slot_claims")).scalar()
    engine.dispose()
    print(f"{sum(claims.values())} slots polled by {owners} replicas")
    assert {name: server.hits[f"/{name}.xml"] for name in claims} == claims  # each slot once
    assert taken_over == 0
    titles = Counter(alert["title"] for alert in receiver.received)
    assert len(titles) == SOURCES and max(titles.values()) == 1  # every alert, once
    assert not [line for replica in replicas for line in replica.logs() if PASSWORD in line]
