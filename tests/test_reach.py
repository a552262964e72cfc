"""Reach (issue #14): a complaint by an author with a large audience, or one that spread far, is
at least level 2 with the `reach` risk and a reason naming the figure; a later sweep that sees a
known mention's likes + reposts + replies cross `[scoring] viral_engagement` raises its open
ticket and alerts once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cnserver import CnServer
from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.config import ConfigError, parse
from watcher.reasons import ReasonCode, chinese, english, reason
from watcher.records import Ticket
from watcher.scoring import Scorer
from watcher.scoring.reach import ReachLine, engagement_total, with_reach
from watcher.store import tickets as ticket_store
from watcher.store.db import Store

RECORDED = "fixtures/weibo/m_weibo_cn__api_container_getIndex__containerid1076036279793937_user_timeline.json"
POST = "4648806186747944"  # 1340 likes, 7 reposts, 147 replies; the author has 1,363,591 followers
COMPLAINT = "买的耳机用了一周就坏了，客服也不理人，太差了"
LATE = "快递一个星期都没到，客服也不回复，太差了"


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def tickets(flow: Flow) -> list[Ticket]:
    with flow.store.engine.connect() as conn:
        return ticket_store.list_tickets(conn)


def test_a_large_audience_or_a_wide_spread_raises_a_complaint(scorer: Scorer) -> None:
    base = scorer.score(COMPLAINT)
    assert base.complaint and base.level == 3
    line = ReachLine()
    big = with_reach(base, line, followers=1_200_000, engagement=None)
    assert big.level == 2 and big.risks[-1] == "reach"
    assert "作者粉丝 120 万" in chinese(big.reasons)
    assert chinese(big.reasons)[-1] == "等级 L2：触发风险规则"
    spread = with_reach(base, line, followers=50, engagement={"likes": 600, "reposts": 300,
                                                              "replies": 100})
    assert spread.level == 2
    assert "reach: 1,000 likes, reposts and replies (line 1,000)" in english(spread.reasons)
    below = with_reach(base, line, followers=99_999, engagement={"likes": 999, "reposts": None})
    assert below == base
    calm = scorer.score("这款耳机音质很好，推荐")
    assert with_reach(calm, line, followers=5_000_000, engagement=None) == calm  # no complaint
    grave = scorer.score("充电器冒烟起火了，差点烧到孩子")
    assert with_reach(grave, line, followers=5_000_000, engagement=None).level == grave.level == 1


def test_engagement_counts_likes_reposts_and_replies_only() -> None:
    assert engagement_total({"likes": 1, "reposts": 2, "replies": 3, "views": 10_000}) == 6
    assert engagement_total(None) == 0 and engagement_total({"likes": None}) == 0


def test_reach_figures_read_in_chinese_units() -> None:
    def followers(n: int) -> str:
        return chinese([reason(ReasonCode.REACH_FOLLOWERS, followers=n, line=1)])[0]

    assert [followers(n) for n in (999, 12_345, 100_000, 1_363_591, 250_000_000)] == [
        "作者粉丝 999", "作者粉丝 1.2 万", "作者粉丝 10 万", "作者粉丝 136 万", "作者粉丝 2.5 亿"]


@pytest.mark.parametrize("key", ["reach_followers", "viral_engagement"])
def test_the_lines_must_be_positive(key: str) -> None:
    with pytest.raises(ConfigError, match=f"scoring.{key}: must be at least 1"):
        parse({"scoring": {key: 0}}, None, lambda kind: None)


def _sweep(flow: Flow, name: str) -> Any:
    from watcher.http.client import HttpClient
    from watcher.intake.pipeline import Pipeline

    async def run() -> Any:
        async with HttpClient(flow.config.http) as http:
            pipeline = Pipeline(flow.config, flow.store, http, flow.intake.scorer,
                                clock=lambda: at(23, 10))
            return await pipeline.sweep_source(flow.config.source(name))

    return asyncio.run(run())


def test_reach_raises_a_complaint_on_a_recorded_weibo_timeline(
        store: Store, receiver: Receiver, platform: CnServer, shared: Path,
        scorer: Scorer) -> None:
    """The real m.weibo.cn answer (a verified author, 1,363,591 followers, real counts), one
    post's words replaced by a complaint: the ticket is level 2, not the text's own level 3."""
    body = json.loads((shared / RECORDED).read_bytes())
    for card in body["data"]["cards"]:
        if card.get("mblog", {}).get("id") == POST:
            card["mblog"]["text"] = COMPLAINT
            followers = card["mblog"]["user"]["followers_count"]
    assert followers == 1_363_591
    platform.serve("/api/container/getIndex", json.dumps(body, ensure_ascii=False).encode())
    weibo = {"name": "weibo", "kind": "weibo", "uid": "6279793937", "cookie": "SUB=s",
             "base_url": platform.url, "page_delay": "0s", "max_pages": 1}
    flow = Flow(store, receiver, sources=[weibo], monitor={"max_age": "3650d"})  # posts of 2021
    report = _sweep(flow, "weibo")
    assert report.error is None and report.fetched == len(body["data"]["cards"])
    (ticket,) = tickets(flow)  # the post is a repost: Weibo shows the words, then the post
    assert ticket.text.startswith(COMPLAINT + " //@明日方舟Arknights:")
    assert scorer.score(ticket.text).level == 3
    assert ticket.level == 2 and "reach" in ticket.risks
    assert ticket.deadline == at(23, 10) + timedelta(minutes=30)
    assert "作者粉丝 136 万" in chinese(ticket.reasons)
    assert "已广泛传播：点赞、转发、评论共 1494 次" in chinese(ticket.reasons)
    flow.send(at(23, 10))
    assert any("作者粉丝 136 万" in a["message"] for a in receiver.to("li"))


def test_a_known_complaint_that_spreads_raises_its_ticket_and_alerts_once(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    first = flow.mention(LATE, "顾客甲")
    first.engagement = {"likes": 10, "reposts": 2, "replies": 3}
    flow.take(at(23, 10), first)
    (ticket,) = tickets(flow)
    assert ticket.level == 3 and ticket.deadline == at(23, 12)
    flow.send(at(23, 10))
    (new,) = receiver.to("li")
    assert new["title"].startswith(f"[工单 #{ticket.id}] 新工单 · L3 黄色")

    def seen_again(when: Any, likes: int) -> None:
        again = flow.mention(LATE, "顾客甲")
        again.external_id, again.url = first.external_id, first.url
        again.engagement = {"likes": likes, "reposts": 200, "replies": 100}
        flow.take(when, again)

    seen_again(at(23, 11), 300)  # 600: not yet
    assert tickets(flow)[0].level == 3
    seen_again(at(23, 11, 10), 800)  # 1,100: over the line
    (raised,) = tickets(flow)
    assert raised.level == 2 and "reach" in raised.risks
    assert raised.deadline == at(23, 11, 40)
    assert "已广泛传播：点赞、转发、评论共 1100 次" in chinese(raised.reasons)
    seen_again(at(23, 12), 5_000)
    seen_again(at(23, 14), 9_000)
    flow.send(at(23, 14))
    told = receiver.to("li")
    assert len(told) == 2 and "传播扩大，已升级" in told[1]["title"]
    assert "L2" in told[1]["title"]
    with store.engine.connect() as conn:
        actions = [e["action"] for e in ticket_store.events(conn, ticket.id)]
    assert actions == ["created", "reach"]


def test_a_spreading_mention_without_an_open_ticket_changes_nothing(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    calm = flow.mention("新买的耳机音质很好，推荐给大家", "顾客乙")
    flow.take(at(23, 10), calm)
    calm.engagement = {"likes": 50_000}
    flow.take(at(23, 11), calm)
    assert tickets(flow) == []
    flow.send(at(23, 11))
    assert receiver.received == []


def test_copies_on_other_sources_spread_a_complaint_too(store: Store,
                                                        receiver: Receiver) -> None:
    """A complaint reposted elsewhere: the copies' likes, reposts and replies count with the
    original's, and the copy that takes them over the line raises its ticket, once."""
    flow = Flow(store, receiver)
    original = flow.mention(LATE, "顾客丙")
    original.engagement = {"likes": 400}
    flow.take(at(23, 10), original)
    copy = flow.mention(LATE, "转发者一", source="shop")
    copy.engagement = {"likes": 300, "reposts": 100, "views": 90_000}  # views are not reach
    flow.take(at(23, 11), copy, source="shop")
    (ticket,) = tickets(flow)
    assert (ticket.level, ticket.copies, ticket.copies_engagement) == (3, 1, 400)
    more = flow.mention(LATE, "转发者二", source="shop")
    more.engagement = {"replies": 250}
    flow.take(at(23, 12), more, source="shop")
    (raised,) = tickets(flow)
    assert raised.level == 2 and "reach" in raised.risks
    assert "已广泛传播：点赞、转发、评论共 1050 次" in chinese(raised.reasons)
    last = flow.mention(LATE, "转发者三", source="shop")
    last.engagement = {"likes": 5_000}
    flow.take(at(23, 13), last, source="shop")
    flow.send(at(23, 13))
    assert [a["title"].split("] ")[1][:4] for a in receiver.to("li")] == ["新工单 ", "传播扩大"]
