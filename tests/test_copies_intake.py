"""Near copies through the real intake and store (SQLite and PostgreSQL): a complaint passed on
to other platforms is one ticket carrying the copies' reach; a different customer's similar
complaint is a ticket of its own; two writers racing agree on the first mention; a lookup costs
the same number of statements however many mentions are stored."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.intake.intake import Intake
from watcher.intake.nearcopy import signature
from watcher.model import FetchResult, Mention
from watcher.records import Ticket
from watcher.store import copies as copy_store
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.store.schema import copy_bands, mentions

SOURCES = [{"name": n, "kind": "rss", "url": f"http://127.0.0.1:1/{n}"}
           for n in ("tousu", "weibo", "xiaohongshu")]
# A 黑猫投诉 complaint, as customers write them
COMPLAINT = ("11月20日在官方旗舰店买的滚筒洗衣机，送货师傅说包安装，结果装完第二天就漏水，"
             "地板泡坏了一大片。联系客服五次都说等通知，到现在一个星期没人上门，要求退货并赔偿地板损失")
# The same complaint reposted on Weibo with a comment in front
REPOST = f"转发微博 气死了，大家帮忙扩散 //@张女士: {COMPLAINT} #洗衣机漏水# [怒]"
# ... and pasted to Xiaohongshu with a few words changed
PASTE = COMPLAINT.replace("11月20日", "上周五").replace("五次", "好几次").replace("一大片", "一片")
# Another customer, the same machine and the same kind of trouble, in their own words
OTHER = ("我家的滚筒洗衣机也是官方旗舰店买的，用了两周开始漏水，客服电话打了三次都说会安排师傅，"
         "一直没人来，孩子的衣服都没法洗，要求换新机")


def mention(source: str, key: str, text: str, author: str, followers: int | None = None,
            **engagement: int) -> Mention:
    return Mention(source=source, platform=source, text=text, author=author,
                   external_id=key, url=f"http://{source}.local/{key}",
                   author_followers=followers, engagement=dict(engagement))


def rows(store: Store) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as conn:
        return {r["external_id"]: dict(r) for r in
                conn.execute(select(mentions).order_by(mentions.c.id)).mappings()}


def all_tickets(store: Store) -> list[Ticket]:
    with store.engine.connect() as conn:
        return ticket_store.list_tickets(conn)


def test_a_repost_and_a_paste_are_one_ticket_with_their_reach(store: Store,
                                                               receiver: Receiver) -> None:
    flow = Flow(store, receiver, sources=SOURCES)
    first = flow.take(at(23, 10), mention("tousu", "t1", COMPLAINT, "张女士", 12),
                      source="tousu")
    assert (first.new, first.tickets) == (1, 1)
    reposted = flow.take(at(23, 10, 20), mention("weibo", "w1", REPOST, "路人甲", 120_000,
                                                 likes=300, reposts=50, replies=20, views=9),
                         source="weibo")
    pasted = flow.take(at(23, 11), mention("xiaohongshu", "x1", PASTE, "小红薯", 800,
                                           likes=40, replies=2),
                       source="xiaohongshu")
    assert (reposted.new, reposted.duplicates, reposted.tickets) == (0, 1, 0)
    assert (pasted.new, pasted.duplicates, pasted.tickets) == (0, 1, 0)
    (ticket,) = all_tickets(store)
    found = rows(store)
    assert found["w1"]["duplicate_of"] == found["x1"]["duplicate_of"] == found["t1"]["id"]
    assert ticket.mention_id == found["t1"]["id"]
    assert (ticket.copies, ticket.copies_followers, ticket.copies_engagement) == (
        2, 120_800, 370 + 42)  # views are not reach
    with store.engine.connect() as conn:
        linked = ticket_store.linked_mentions(conn, ticket.id)
    assert sorted((m["external_id"], m["kind"]) for m in linked) == [("w1", "copy"),
                                                                    ("x1", "copy")]
    # a different customer's complaint about the same thing is a ticket of its own
    other = flow.take(at(23, 12), mention("weibo", "w2", OTHER, "李先生", 300), source="weibo")
    assert (other.new, other.tickets) == (1, 1)
    assert rows(store)["w2"]["duplicate_of"] is None
    assert len(all_tickets(store)) == 2


def test_exact_reposts_add_their_reach_too(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, sources=SOURCES)
    flow.take(at(23, 10), mention("tousu", "t1", COMPLAINT, "张女士"), source="tousu")
    report = flow.take(at(23, 10, 5), mention("weibo", "w1", f"转发微博 {COMPLAINT}", "乙", 5,
                                              reposts=7), source="weibo")
    assert (report.duplicates, report.tickets) == (1, 0)
    (ticket,) = all_tickets(store)
    assert (ticket.copies, ticket.copies_followers, ticket.copies_engagement) == (1, 5, 7)


def test_copies_in_one_source_and_of_unticketed_mentions_stay_as_today(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, sources=SOURCES)
    flow.take(at(23, 10), mention("tousu", "t1", COMPLAINT, "张女士"), source="tousu")
    same_source = flow.take(at(23, 10, 5), mention("tousu", "t2", PASTE, "王女士"),
                            source="tousu")
    assert (same_source.new, same_source.tickets) == (1, 1)  # as exact copies: across sources
    praise = ("这家店的洗衣机安装师傅非常专业，准时上门，还帮忙把旧机器搬走了，"
              "洗得干净声音也小，非常满意，推荐大家购买")
    assert flow.take(at(23, 11), mention("weibo", "w1", praise, "甲"), source="weibo").tickets == 0
    copied = flow.take(at(23, 11, 5), mention("xiaohongshu", "x1", "种草！" + praise, "乙", 99),
                       source="xiaohongshu")
    assert (copied.new, copied.duplicates, copied.tickets) == (0, 1, 0)
    assert rows(store)["x1"]["duplicate_of"] == rows(store)["w1"]["id"]
    assert len(all_tickets(store)) == 2


def test_racing_writers_link_the_later_text_to_the_first(store: Store, receiver: Receiver,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two replicas take a complaint and its paste at once: neither sees the other when it
    reads, the band keys' primary key decides, and the later one becomes the copy."""
    flow = Flow(store, receiver, sources=SOURCES)
    replicas = {"tousu": flow.intake, "weibo": Intake(flow.config, store, flow.intake.scorer)}
    first_claimed, second_looked = threading.Event(), threading.Event()
    real_claim, real_owners = copy_store.claim_bands, copy_store.band_owners

    def claim_and_hold(store_: Store, conn: Any, source: str, claims: Any) -> set[int]:
        claimed = real_claim(store_, conn, source, claims)
        if source == "tousu":  # keep the first writer's transaction open until the other read
            first_claimed.set()
            assert second_looked.wait(20)
        return claimed

    def owners(conn: Any, bands: Any) -> Any:
        found = real_owners(conn, bands)
        if threading.current_thread().name == "weibo":
            second_looked.set()
        return found

    monkeypatch.setattr(copy_store, "claim_bands", claim_and_hold)
    monkeypatch.setattr(copy_store, "band_owners", owners)
    reports = {}

    def writer(source: str, text: str) -> None:
        found = [mention(source, f"{source}-1", text, source, 1000, likes=5)]
        reports[source] = replicas[source].take(flow.config.source(source),
                                                FetchResult(found, {}), at(23, 10))

    a = threading.Thread(target=writer, args=("tousu", COMPLAINT), name="tousu")
    b = threading.Thread(target=writer, args=("weibo", REPOST), name="weibo")
    a.start()
    assert first_claimed.wait(20)
    b.start()
    a.join(30)
    b.join(30)
    assert (reports["tousu"].new, reports["tousu"].tickets) == (1, 1)
    assert (reports["weibo"].new, reports["weibo"].duplicates, reports["weibo"].tickets) == (
        0, 1, 0)
    found = rows(store)
    assert found["weibo-1"]["duplicate_of"] == found["tousu-1"]["id"]
    (ticket,) = all_tickets(store)
    assert (ticket.copies, ticket.copies_followers, ticket.copies_engagement) == (
        1, 1000, 5)


UNRELATED = [  # praise: no tickets, whose statements would depend on the incidents window
    "这家火锅店的服务员特别热情，锅底味道正宗，毛肚新鲜，下次还带朋友来吃，强烈推荐给大家",
    "酒店房间干净整洁，前台小姐姐帮我们免费升级了房型，早餐品种丰富，下次出差还住这里",
    "新买的手机拍照效果很好，夜景也很清楚，电池用一整天没问题，快递第二天就送到了",
    "健身房的教练很专业，课程安排合理，器材也都很新，办卡三个月瘦了八斤，非常满意",
    "快递小哥每次都打电话确认再送货，包裹包装得很仔细，从来没有出现过破损，点赞",
]


def _fill(store: Store, start: int, count: int, texts: list[str]) -> None:
    """`count` stored mentions of source `old`, each with its signature and band keys."""
    seen = at(1, 10)
    signed = {}
    for i in range(start, start + count):
        text = f"{texts[i % len(texts)]}，订单号{i * 7919}，编号{i}"
        signed[str(i)] = (text, signature(text))
    with store.begin() as conn:
        conn.execute(insert(mentions), [
            {"source": "old", "platform": "old", "external_id": key, "text": text,
             "created_at": seen, "first_seen_at": seen, "content_hash": key,
             "signature": sig.digest} for key, (text, sig) in signed.items() if sig])
        ids = dict(conn.execute(select(mentions.c.external_id, mentions.c.id)
                                .where(mentions.c.source == "old")).all())
        conn.execute(store.insert_ignoring_conflicts(copy_bands), [
            {"band": band, "mention_id": ids[key], "source": "old"}
            for key, (_, sig) in signed.items() if sig for band in sig.bands])


def test_a_lookup_costs_the_same_statements_however_large_the_store(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, sources=[*SOURCES, {"name": "old", "kind": "rss",
                                                     "url": "http://127.0.0.1:1/old"}])
    texts = [COMPLAINT, OTHER, PASTE[::-1], OTHER[::-1]]
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *args: statements.append(sql))
    counts = []
    stored = 0
    for size in (10, 50, 500, 1500):  # the first round is the source's first sweep
        _fill(store, stored, size - stored, texts)
        stored = size
        batch = [mention("weibo", f"{size}-{n}", f"{COMPLAINT}，订单号{n * 7919}，编号{n}",
                         f"u{n}") for n in range(1, 6)]
        batch += [mention("weibo", f"{size}-new-{n}", text, f"v{n}")
                  for n, text in enumerate(UNRELATED)]
        statements.clear()
        report = flow.take(at(23, 10) + timedelta(minutes=size), *batch, source="weibo")
        assert (report.new, report.duplicates) == (5, 5)
        counts.append(len(statements))
    assert counts[1] == counts[2] == counts[3], counts
