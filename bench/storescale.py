"""Scenario 3: the dedup of a warm sweep (every item already stored) against stores that hold
more and more other mentions. Run as `python -m bench.storescale SIZE=URL,... FEEDS ITEMS RUNS`;
prints JSON {"seconds": {size: [seconds per run]}, ...}.

Each size has a store of its own, filled directly (bulk inserts, explicit ids): the
`feeds x items` mentions the sweep will find, then other mentions of the same sources up to the
size, with their fingerprints, then left at rest. The runs go round the stores in turn, so a
change in the machine's load hits every size alike.
What is timed is `Intake.take` for every source, given what its connector returned: the lookup
of the known items, the edit check, and the write of each source's state. Fetching and parsing
are the same at every size and left out, so they cannot hide a slower store."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.texts import load_texts

CHUNK = 5000


def _mentions(feeds: int, items: int, texts: list[str]) -> dict[str, list[Any]]:
    """What each source's connector returns in the warm sweep: `items` mentions per feed."""
    from watcher.model import Mention

    found: dict[str, list[Any]] = {}
    for feed in range(feeds):
        name = f"feed-{feed:05d}"
        found[name] = [
            Mention(source=name, platform="bench", text=texts[(n * feeds + feed) % len(texts)],
                    external_id=f"bench-{feed}-{n}", url=f"http://bench.test/item/{feed}/{n}",
                    author=f"user{n * feeds + feed}", language="zh",
                    created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n))
            for n in range(items)
        ]
    return found


def _row(mention_id: int, mention: Any, seen: datetime) -> dict[str, Any]:
    from watcher.intake import dedup

    return {
        "id": mention_id, "source": mention.source, "platform": mention.platform,
        "external_id": mention.external_id, "url": mention.url, "author": mention.author,
        "title": mention.title, "text": mention.text, "created_at": mention.created_at,
        "first_seen_at": seen, "language": mention.language, "raw": None,
        "content_hash": dedup.content_hash(mention), "fingerprint": dedup.fingerprint(mention.text),
        "complaint": False, "sentiment": 0.8, "probability": 0.2, "level": None,
        "category": "other", "reasons": [], "risks": [],
    }


def _insert(store: Any, rows: list[dict[str, Any]]) -> None:
    from watcher.store.schema import fingerprints, mentions

    with store.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            conn.execute(mentions.insert(), chunk)
            owners = [{"fingerprint": r["fingerprint"], "mention_id": r["id"],
                       "source": r["source"]} for r in chunk if r["fingerprint"]]
            if owners:
                conn.execute(store.insert_ignoring_conflicts(fingerprints), owners)


def _fill(store: Any, first_id: int, count: int, feeds: int, texts: list[str]) -> None:
    """`count` other mentions (ids from `first_id`), spread over the same sources."""
    from watcher.model import Mention

    seen = datetime(2025, 6, 1, tzinfo=UTC)
    for start in range(0, count, 50_000):
        rows = []
        for i in range(first_id + start, first_id + min(count, start + 50_000)):
            name = f"feed-{i % feeds:05d}"
            mention = Mention(source=name, platform="bench", text=f"{texts[i % len(texts)]} #{i}",
                              external_id=f"old-{i}", url=f"http://bench.test/old/{i}",
                              author=f"old{i}", language="zh", created_at=seen)
            rows.append(_row(i, mention, seen))
        _insert(store, rows)


def _after_fill(store: Any) -> None:
    """The store at rest, as stored mentions are: the WAL checkpointed (SQLite); vacuumed and
    analysed, as autovacuum leaves a table some time after a bulk insert (PostgreSQL)."""
    from sqlalchemy import text

    if store.is_sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with store.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('mentions', 'id'), "
                          "(SELECT max(id) FROM mentions))"))
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE mentions"))
        conn.execute(text("VACUUM ANALYZE fingerprints"))
        conn.execute(text("VACUUM ANALYZE sources"))


def _sweep_dedup(intake: Any, config: Any, batches: dict[str, list[Any]]) -> float:
    from watcher.model import FetchResult

    now = datetime.now(UTC)
    started = time.perf_counter()
    for name, found in batches.items():
        report = intake.take(config.source(name), FetchResult(list(found), {}), now)
        if report.new or report.duplicates != len(found):
            raise RuntimeError(f"{name}: expected {len(found)} duplicates, got {report}")
    return time.perf_counter() - started


def _never_score() -> Any:
    raise AssertionError("a warm sweep has nothing to score")


def _prepared(url: str, size: int, config: Any, batches: dict[str, list[Any]],
              texts: list[str]) -> tuple[Any, Any, float]:
    """A store at `url` holding the swept mentions and `size` others, swept once (untimed):
    the store, its Intake and the seconds the filling took."""
    from watcher.intake.intake import Intake
    from watcher.store.db import open_store

    started = time.perf_counter()
    store = open_store(url)
    swept = [m for found in batches.values() for m in found]
    seen = datetime(2026, 1, 2, tzinfo=UTC)
    _insert(store, [_row(i + 1, m, seen) for i, m in enumerate(swept)])
    intake = Intake(config, store, _never_score)
    _sweep_dedup(intake, config, batches)  # the sources' first sweep
    _fill(store, len(swept) + 1, size, len(batches), texts)
    _after_fill(store)
    return store, intake, time.perf_counter() - started


def run(urls: dict[int, str], feeds: int, items: int, runs: int) -> dict[str, Any]:
    from connectors import connector_for
    from watcher.config import parse

    texts = load_texts(limit=max(feeds * items, 20_000))
    sources = [{"name": f"feed-{f:05d}", "kind": "rss", "url": f"http://bench.test/{f}.xml"}
               for f in range(feeds)]
    config = parse({"sources": sources}, None, connector_for)
    batches = _mentions(feeds, items, texts)
    prepared = {size: _prepared(url, size, config, batches, texts)
                for size, url in sorted(urls.items())}
    seconds: dict[int, list[float]] = {size: [] for size in prepared}
    for _ in range(runs):
        for size, (_, intake, _) in prepared.items():
            seconds[size].append(_sweep_dedup(intake, config, batches))
    for store, _, _ in prepared.values():
        store.close()
    return {"swept": feeds * items, "seconds": seconds,
            "fill": {size: fill for size, (_, _, fill) in prepared.items()}}


def main() -> None:
    urls = {int(size): url for size, _, url in
            (pair.partition("=") for pair in sys.argv[1].split(","))}
    feeds, items, runs = (int(v) for v in sys.argv[2:5])
    print(json.dumps(run(urls, feeds, items, runs)))


if __name__ == "__main__":
    main()
