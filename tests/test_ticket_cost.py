"""A ticket costs the same however many came before it in the sweep (#15): the SQL statements
per ticket (both backends) and, on SQLite, the database engine's own work per ticket (its
virtual machine's steps, counted by a progress handler: rows read show there, statements do
not) stay flat from a sweep of 50 complaints to one of 500. Counts, not times."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.store.db import Store

BURST = "新买的充电器充电的时候冒烟了，差点着火，太危险了"  # an incident: most join it
ITEMS = 10  # per source
STEP = 100  # SQLite VM instructions per progress-handler call


def _texts(rng: random.Random, count: int) -> list[str]:
    """Half one burst of similar complaints, half complaints of the same category that are
    like nothing else (each stays in the incident window)."""
    def tail() -> str:
        return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(20))
    return [f"{BURST}。{tail()}" if i % 2 else f"质量太差了，{tail()}" for i in range(count)]


def _sweep(store: Store, receiver: Receiver, sources: int, hour: int) -> dict[str, float]:
    names = [f"s{hour}-{n}" for n in range(sources)]
    flow = Flow(store, receiver, sources=[{"name": name, "kind": "rss",
                                           "url": f"http://127.0.0.1:1/{name}"}
                                          for name in names])
    texts = _texts(random.Random(hour), sources * ITEMS)
    counts = {"statements": 0, "steps": 0}

    def step() -> int:
        counts["steps"] += 1
        return 0

    def before(conn: Any, *_: Any) -> None:
        counts["statements"] += 1
        raw = conn.connection.dbapi_connection
        if store.is_sqlite:
            raw.set_progress_handler(step, STEP)

    event.listen(store.engine, "before_cursor_execute", before)
    tickets = 0
    try:
        for n, name in enumerate(names):
            batch = [flow.mention(texts[n * ITEMS + i], f"{name}-u{i}", source=name)
                     for i in range(ITEMS)]
            tickets += flow.take(at(23, hour) + timedelta(seconds=n), *batch, source=name).tickets
    finally:
        event.remove(store.engine, "before_cursor_execute", before)
    assert tickets == sources * ITEMS
    return {"statements": counts["statements"] / tickets, "steps": counts["steps"] / tickets}


def test_a_ticket_costs_the_same_in_a_sweep_ten_times_larger(store: Store,
                                                             receiver: Receiver) -> None:
    small = _sweep(store, receiver, 5, hour=9)
    large = _sweep(store, receiver, 50, hour=13)  # hours later: the first sweep's window is over
    assert large["statements"] <= small["statements"], (small, large)
    if store.is_sqlite:
        assert large["steps"] <= 1.15 * small["steps"], (small, large)
