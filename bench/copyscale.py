"""Scenario 6: the near-copy lookup against stores that hold more and more mentions. Run as
`python -m bench.copyscale SIZE=URL,... BATCH RUNS`; prints JSON with, per size, the CPU and
wall seconds and the SQL statements of one batch's lookup and claim.

Each store is filled inside the database (generate_series on PostgreSQL, a recursive CTE on
SQLite): SIZE mentions, each owning 32 random band keys (what a lookup pays for is the size of
the band index, not what the keys were computed from), then 200 real texts signed and claimed
as the intake does. A batch is BATCH new texts of another source, half of them near copies of
the real ones (a comment in front) and half unrelated; timed: signing them, the lookup of their
band keys before scoring, the claim of their band keys and the lookup after it, in a
transaction rolled back afterwards so every run sees the same store."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench.texts import load_texts

REAL = 200
FILL_CHUNK = 100_000


def _fill(store: Any, size: int, texts: list[str]) -> None:
    from sqlalchemy import insert, select, text

    from watcher.intake import copies, nearcopy
    from watcher.store import copies as copy_store
    from watcher.store.schema import mentions

    seen = datetime(2025, 6, 1, tzinfo=UTC)
    for start in range(0, size, FILL_CHUNK):
        count = min(FILL_CHUNK, size - start)
        with store.begin() as conn:
            for statement in _FILL_SQL["sqlite" if store.is_sqlite else "postgresql"]:
                conn.execute(text(statement), {"start": start, "count": count,
                                               "bands": nearcopy.BANDS, "seen": seen})
    with store.begin() as conn:
        rows = [{"source": "old", "platform": "bench", "external_id": f"real-{i}",
                 "text": texts[i], "created_at": seen, "first_seen_at": seen,
                 "content_hash": str(i)} for i in range(REAL)]
        conn.execute(insert(mentions), rows)
        ids = dict(conn.execute(select(mentions.c.external_id, mentions.c.id)
                                .where(mentions.c.external_id.like("real-%"))).all())
        signed = copies.sign({f"real-{i}": _mention(texts[i]) for i in range(REAL)})
        for key, sig in signed.items():
            conn.execute(mentions.update().where(mentions.c.id == ids[key])
                         .values(signature=sig.digest))
        copy_store.claim_bands(store, conn, "old", {b: ids[k] for k, s in signed.items()
                                                    for b in s.bands})
    _at_rest(store)


# Mentions with ids from :start + 1,000,001 and :bands random band keys each (a key drawn twice
# is dropped, as a claim would drop it).
_FILL_SQL = {
    "sqlite": [
        """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
           INSERT INTO mentions (id, source, platform, external_id, text, created_at,
                                 first_seen_at, content_hash, signature)
           SELECT :start + i + 1000000, 'old', 'bench', 'old-' || (:start + i), 'filler',
                  :seen, :seen, 'h', zeroblob(512) FROM n""",
        """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count),
                          b(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM b WHERE j < :bands)
           INSERT OR IGNORE INTO copy_bands (band, mention_id, source)
           SELECT random(), :start + i + 1000000, 'old' FROM n, b""",
    ],
    "postgresql": [
        """INSERT INTO mentions (id, source, platform, external_id, text, created_at,
                                first_seen_at, content_hash, signature)
           SELECT :start + i + 1000000, 'old', 'bench', 'old-' || (:start + i), 'filler',
                  :seen, :seen, 'h', decode(repeat('00', 512), 'hex')
           FROM generate_series(1, :count) AS i""",
        """INSERT INTO copy_bands (band, mention_id, source)
           SELECT (random() * 1.8e19 - 9.0e18)::bigint, :start + i + 1000000, 'old'
           FROM generate_series(1, :count) AS i, generate_series(1, :bands) AS b
           ON CONFLICT DO NOTHING""",
    ],
}


def _mention(text: str) -> Any:
    from watcher.model import Mention

    return Mention(source="bench", platform="bench", text=text)


def _at_rest(store: Any) -> None:
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
        conn.execute(text("VACUUM ANALYZE copy_bands"))


def _batch(texts: list[str], size: int, run: int) -> dict[str, Any]:
    half = size // 2
    found = {f"copy-{run}-{i}": _mention(f"转发 //@某人: {texts[(run * half + i) % REAL]}")
             for i in range(half)}
    found |= {f"new-{run}-{i}": _mention(texts[REAL + (run * half + i) % (len(texts) - REAL)])
              for i in range(size - half)}
    return found


def _lookup(store: Any, batch: dict[str, Any], counter: list[int]) -> tuple[float, float, int,
                                                                              int]:
    """CPU seconds, wall seconds, statements and copies found for one batch."""
    from watcher.intake import copies

    counter[0] = 0
    cpu, wall = time.process_time(), time.perf_counter()
    signatures = copies.sign(batch)
    with store.engine.connect() as conn, conn.begin() as transaction:
        found = copies.originals(conn, "bench", signatures)
        # claimed for filler mentions (the batch's own rows are not what is measured)
        stored = {key: 1_000_001 + n for n, key in enumerate(signatures)}
        copies.claim(store, conn, "bench", signatures, stored, set(stored) - set(found))
        transaction.rollback()
    return time.process_time() - cpu, time.perf_counter() - wall, counter[0], len(found)


def run(urls: dict[int, str], batch: int, runs: int) -> dict[str, Any]:
    from sqlalchemy import event

    from watcher.store.db import open_store

    # long enough to be signed (dev.csv's reviews are often a few words)
    found = load_texts(limit=20_000)
    texts = [t for t in found if len(t) >= 60]
    if len(texts) <= REAL:  # no dev.csv: its generated stand-ins are short, so three make one
        texts = ["".join(found[(i + k) % len(found)] for k in range(3)) for i in range(len(found))]
    stores, fill = {}, {}
    for size, url in sorted(urls.items()):
        started = time.perf_counter()
        store = open_store(url)
        _fill(store, size, texts)
        stores[size], fill[size] = store, time.perf_counter() - started
    counter = [0]
    for store in stores.values():
        event.listen(store.engine, "before_cursor_execute",
                     lambda *_: counter.__setitem__(0, counter[0] + 1))
    results: dict[int, dict[str, list[float]]] = {
        size: {"cpu": [], "wall": [], "statements": [], "copies": []} for size in stores}
    for n in range(runs):
        for size, store in stores.items():
            cpu, wall, statements, found = _lookup(store, _batch(texts, batch, n), counter)
            for key, value in (("cpu", cpu), ("wall", wall), ("statements", statements),
                               ("copies", found)):
                results[size][key].append(value)
    for store in stores.values():
        store.close()
    return {"batch": batch, "results": results, "fill": fill}


def main() -> None:
    urls = {int(size): url for size, _, url in
            (pair.partition("=") for pair in sys.argv[1].split(","))}
    batch, runs = (int(v) for v in sys.argv[2:4])
    print(json.dumps(run(urls, batch, runs)))


if __name__ == "__main__":
    main()
