"""The slot claims a replica has in hand are renewed together, in one statement, however many
polls wait their turn (#15: 10,000 sources renewed one by one every 20 s); a claim another
replica took over meanwhile is no longer renewed, and the log says so."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, update

from connectors import connector_for
from watcher.config import parse
from watcher.intake.intake import SourceReport
from watcher.runtime.metrics import Metrics
from watcher.runtime.polling import Poller
from watcher.store import claims
from watcher.store.db import Store
from watcher.store.schema import slot_claims


class Waiting:
    """A pipeline whose sweeps wait until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def sweep_source(self, source: Any) -> SourceReport:
        await self.release.wait()
        return SourceReport(source.name)


def test_claims_in_hand_are_renewed_in_one_statement(
        store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"feed{i}" for i in range(5)]
    config = parse({"schedule": {"claim_lease": "1s"},
                    "sources": [{"name": n, "kind": "rss", "url": f"http://127.0.0.1:1/{n}"}
                                for n in names]}, None, connector_for)
    renewals: list[str] = []
    renewed: list[int] = []  # claims each renewal kept
    real_renew = claims.renew_all

    def renew_all(*args: Any) -> set[tuple[str, datetime]]:
        kept = real_renew(*args)
        renewed.append(len(kept))
        return kept

    monkeypatch.setattr(claims, "renew_all", renew_all)

    def count(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        if sql.startswith("UPDATE slot_claims SET lease_until"):
            renewals.append(sql)

    async def run() -> None:
        pipeline = Waiting()
        poller = Poller(config, store, pipeline, Metrics(store), lambda: None)  # type: ignore[arg-type]
        slot = datetime(2026, 11, 23, 2, tzinfo=UTC)
        polls = [asyncio.create_task(poller.poll(config.source(n), slot)) for n in names]
        # Wait on what a renewal kept, not on its statement being sent: the renewal runs on a
        # thread, and a takeover that lands between the two would be seen by the first one.
        while len(renewed) < 1:  # the first renewal: all five claims
            await asyncio.sleep(0.05)
        with store.begin() as conn:  # another replica takes feed0's slot over
            conn.execute(update(slot_claims).where(slot_claims.c.source == "feed0")
                         .values(owner="replica-b"))
        while len(renewed) < 3:
            await asyncio.sleep(0.05)
        pipeline.release.set()
        assert all(await asyncio.gather(*polls))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with caplog.at_level(logging.WARNING, logger="watcher.runtime.polling"):
            asyncio.run(run())
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    lost = [r.getMessage() for r in caplog.records if "taken over" in r.getMessage()]
    assert len(lost) == 1 and "feed0" in lost[0]  # told once, then no longer renewed
    assert renewed[0] == 5 and all(n <= 4 for n in renewed[1:])  # all at once
    assert len(renewals) == len(renewed)  # one statement each
    with store.engine.connect() as conn:
        owners = dict(conn.execute(select(slot_claims.c.source, slot_claims.c.owner)).all())
    assert owners["feed0"] == "replica-b" and len(set(owners.values())) == 2
