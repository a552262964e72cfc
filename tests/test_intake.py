"""Dedup, keywords, first-sweep age and edits, through the real intake and store."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.model import FetchResult, Mention
from watcher.store import sources as source_store
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.store.schema import mentions

COMPLAINT = "买的冰箱不制冷，客服一直推诿不处理，太差了"
PRAISE = "冰箱很好用，安装师傅很专业，非常满意"


def stored(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(mentions).order_by(mentions.c.id))
                .mappings()]


def test_same_item_twice_in_one_page_and_across_sweeps(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    item = Mention(source="forum", platform="forum", text=COMPLAINT, external_id="a1",
                   author="顾客")
    first = flow.take(at(23, 10), item, item)
    assert (first.fetched, first.new, first.tickets) == (1, 1, 1)
    again = flow.take(at(23, 12), item)
    assert (again.fetched, again.new, again.duplicates, again.tickets) == (1, 0, 1, 0)
    assert len(stored(store)) == 1


def test_keywords_keep_only_matching_mentions(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, monitor={"keywords": ["冰箱"]})
    report = flow.take(at(23, 10), flow.mention(COMPLAINT, "甲"),
                       flow.mention("外卖送餐太慢了，差评", "乙"))
    assert (report.fetched, report.new) == (2, 1)
    assert [m["text"] for m in stored(store)] == [COMPLAINT]


def test_old_items_on_a_first_sweep_are_stored_not_ticketed(store: Store,
                                                            receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    old = flow.mention(COMPLAINT, "甲")
    old.created_at = at(1, 10)  # three weeks before the first sweep
    recent = flow.mention("热水器漏电，太危险了", "乙")
    recent.created_at = at(23, 9)
    undated = flow.mention("客服态度恶劣，问三次都不回复，太差了", "丙")
    report = flow.take(at(23, 10), old, recent, undated)
    assert (report.new, report.tickets) == (3, 2)
    by_text = {m["text"]: m for m in stored(store)}
    assert by_text[undated.text]["created_at"] == at(23, 10)  # dated when first seen
    later = flow.mention(COMPLAINT.replace("冰箱", "洗衣机"), "丁")
    later.created_at = at(1, 10)
    assert flow.take(at(23, 12), later).tickets == 1  # not the first sweep any more


def test_an_edited_mention_is_updated_and_rescored(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    post = Mention(source="forum", platform="forum", text=PRAISE, external_id="e1", author="戊")
    assert flow.take(at(23, 10), post).tickets == 0
    edited = Mention(source="forum", platform="forum", external_id="e1", author="戊",
                     text="更新：冰箱用了三天就漏电了，太危险了，要求退货")
    report = flow.take(at(23, 11), edited)
    assert (report.new, report.tickets) == (0, 1)
    (row,) = stored(store)
    assert row["text"] == edited.text and row["updated_at"] == at(23, 11)
    assert row["level"] == 1 and "safety" in row["risks"]
    assert flow.take(at(23, 12), edited).tickets == 0  # unchanged: nothing more
    with store.engine.connect() as conn:
        assert len(ticket_store.list_tickets(conn)) == 1


def test_a_repost_from_another_source_is_linked_not_ticketed(store: Store,
                                                             receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 10), flow.mention(COMPLAINT, "甲", source="forum"))
    repost = flow.mention(f"转发微博 //@甲: {COMPLAINT} http://t.cn/x", "乙", source="shop")
    report = flow.take(at(23, 10) + timedelta(minutes=5), repost, source="shop")
    assert (report.new, report.duplicates, report.tickets) == (0, 1, 0)
    first, second = stored(store)
    assert second["duplicate_of"] == first["id"]


def test_304_answers_are_recorded_together_healthy_or_not(store: Store,
                                                         receiver: Receiver) -> None:
    """A sweep's 304s go in one batch; sources that were failing, or never swept, still get
    the full success path (errors reset, first sweep dated) in the same transaction."""
    flow = Flow(store, receiver, sources=[
        {"name": n, "kind": "rss", "url": f"http://127.0.0.1:1/{n}"}
        for n in ("healthy", "failing", "new")])
    source = flow.config.source
    with store.begin() as conn:
        source_store.record_success(store, conn, "healthy", cursor={"etag": '"1"'},
                                    now=at(23, 8), fetched=3, new=3)
        source_store.record_success(store, conn, "failing", cursor={"etag": '"1"'},
                                    now=at(23, 8), fetched=3, new=3)
        source_store.record_failure(store, conn, "failing", now=at(23, 9), error="HTTP 500",
                                    kind="http")
    now = at(23, 10)
    flow.intake.take_unchanged([
        (source(n), FetchResult([], {"etag": f'"{n}"'}, not_modified=True), now)
        for n in ("healthy", "failing", "new")])
    with store.engine.connect() as conn:
        states = source_store.all_states(conn)
    for name in ("healthy", "failing", "new"):
        state = states[name]
        assert (state.cursor, state.last_run_at, state.last_success_at, state.errors_in_row,
                state.last_error) == ({"etag": f'"{name}"'}, now, now, 0, None), name
    assert states["healthy"].first_swept_at == at(23, 8)
    assert states["new"].first_swept_at == now
