"""Suggested first replies and similar resolved tickets: the shipped texts follow the handbooks'
pattern for every category and every level 1 and level 2 risk; the gravest risk decides; a
[[replies]] table replaces a shipped one; the new-ticket alert a real json:// receiver gets
carries the reply; similar cases come from the store, same category first."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from connectors import connector_for
from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.config import ConfigError, parse
from watcher.config.sections import Reply
from watcher.records import TICKET_FIELDS, Ticket
from watcher.scoring import CATEGORIES, RISK_RULES, RISKS
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.tickets import replies
from watcher.tickets.actions import apply
from watcher.tickets.similar import similar_resolved

RULES = Path(replies.__file__).parents[1] / "scoring" / "data" / "rules.toml"


def test_shipped_replies_cover_every_category_and_grave_risk() -> None:
    shipped = replies.shipped()
    assert {r.category for r in shipped if r.category} == set(CATEGORIES)
    levels = {name: rule["level"] for name, rule in
              tomllib.loads(RULES.read_text(encoding="utf-8"))["rules"].items()}
    levels |= {"repeat": 2, "group": 1}  # the text rules' own risks
    assert set(levels) == set(RISK_RULES)
    levels |= {"reach": 2}  # judged on the audience, not the text
    assert {r.risk for r in shipped if r.risk} == {n for n, level in levels.items() if level <= 2}
    assert set(replies.RISK_ORDER) == set(RISKS)
    assert [levels[r] for r in replies.RISK_ORDER] == sorted(levels[r] for r in RISKS)


@pytest.mark.parametrize("reply", replies.shipped(), ids=lambda r: r.category or r.risk)
def test_each_reply_follows_the_handbooks_pattern(reply: Reply) -> None:
    text = replies.PLACEHOLDER.sub("", reply.text)
    thanks = reply.category in ("inquiry", "suggestion")  # not complaints: thanks, no apology
    assert ("感谢" if thanks else "抱歉") in text  # 致歉
    assert "重视" in text  # 重视
    assert any(step in text for step in ("私信", "联系", "转交", "告诉"))  # 初步方案: what next
    assert text.startswith("您好") and len(text) <= 140  # fits a Weibo reply


def ticket(**fields: Any) -> Ticket:
    return Ticket.from_row(dict.fromkeys(TICKET_FIELDS) | {
        "id": 7, "author": "小王", "platform": "weibo", "category": "logistics", "risks": [],
        "status": "open", "reasons": []} | fields)


def test_the_gravest_risk_decides_then_the_category() -> None:
    config = parse({}, None, connector_for)
    chosen = replies.suggested_reply(config, ticket(risks=["repeat", "safety"]))
    assert chosen is not None and chosen.startswith("小王您好") and "停止使用" in chosen
    logistics = replies.suggested_reply(config, ticket())
    assert logistics is not None and "物流" in logistics
    platform = replies.suggested_reply(config, ticket(risks=["complaint_platform"], author=None))
    assert platform is not None and platform.startswith("您好") and "您在微博的反馈" in platform
    unknown = replies.suggested_reply(config, ticket(category="something_new"))
    assert unknown == replies.suggested_reply(config, ticket(category="other"))


def test_a_configured_reply_replaces_the_shipped_one() -> None:
    config = parse({"replies": [
        {"category": "logistics", "text": "{author}，抱歉！工单 {ticket}（{category}，{platform}）"},
        {"risk": "safety", "text": "请立即断电，我们马上联系您。"}]}, None, connector_for)
    assert replies.suggested_reply(config, ticket()) == "小王，抱歉！工单 7（物流配送，微博）"
    assert replies.suggested_reply(config, ticket(risks=["safety"])) == "请立即断电，我们马上联系您。"
    service = replies.suggested_reply(config, ticket(category="service"))
    assert service is not None and "客服主管" in service  # the others stay shipped


@pytest.mark.parametrize(("table", "message"), [
    ({"text": "x"}, r"replies\[0\]\.category: give either category or risk"),
    ({"risk": "safety", "category": "price", "text": "x"}, "give either category or risk"),
    ({"risk": "safety", "text": "{phone}"}, r"unknown placeholder \{phone\}"),
    ({"risk": "safety", "text": "{author"}, "a { without its }"),
    ({"risk": "safety", "text": ""}, "must be 1 to 1000 characters"),
    ({"category": "price"}, r"replies\[0\]\.text: missing required key"),
])
def test_bad_replies_are_config_errors(table: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse({"replies": [table]}, None, connector_for)


def test_unknown_category_or_risk_stops_start_up() -> None:
    from watcher.cli.checks import check_runtime

    config = parse({"replies": [{"category": "weather", "text": "x"},
                                {"risk": "fire", "text": "y"}]}, None, connector_for)
    with pytest.raises(ConfigError) as caught:
        check_runtime(config)
    assert caught.value.problems[0].startswith("built-in defaults: replies[0].category: unknown category "
                                               "'weather' (known: product_quality,")
    assert caught.value.problems[1].startswith("built-in defaults: replies[1].risk: unknown risk 'fire'")


SHOCK = "新买的电热水器漏电，洗澡的时候被电了一下，太危险了"
LATE = "快递送货太慢了，下单一个星期都没到，客服也不回复，太差了"


def test_the_new_ticket_alert_carries_the_suggested_reply(store: Store,
                                                         receiver: Receiver) -> None:
    flow = Flow(store, receiver, replies=[{"category": "logistics",
                                           "text": "{author}您好，抱歉久等！{platform}订单已加急"}])
    flow.take(at(23, 10), flow.mention(SHOCK, "<顾客甲>"), flow.mention(LATE, "顾客乙"))
    flow.send(at(23, 10))
    alerts = {a["message"].split("作者：")[1].split("\n")[0]: a["message"]
              for a in receiver.to("li")}
    shock = alerts["＜顾客甲＞"]  # markup in an author name stays inert in the reply too
    assert "建议回复：＜顾客甲＞您好，非常抱歉！涉及安全的问题我们最优先处理" in shock
    assert "建议回复：顾客乙您好，抱歉久等！forum订单已加急" in alerts["顾客乙"]
    with store.engine.connect() as conn:
        first = ticket_store.list_tickets(conn)[0]
    apply(store, flow.config, first.id, "assign", actor="组长", now=at(23, 11),
          assignee="老王")
    flow.send(at(23, 11))
    assert "建议回复" not in receiver.to("wang")[-1]["message"]  # only the new-ticket alert


LEAKS = ["热水器漏水，地板都泡坏了", "热水器又漏水了，地板全湿", "洗碗机漏水严重，厨房地板泡了",
         "热水器加热很慢", "快递丢件没人管"]


def test_similar_resolved_tickets_same_category_first(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    made = []
    for i, text in enumerate([*LEAKS, "热水器漏水，浴室地板泡坏了，太差了"]):
        flow.take(at(23, 9, i), flow.mention(text + "，太差了", f"用户{i}"))
        with store.engine.connect() as conn:
            made.append(max(ticket_store.list_tickets(conn), key=lambda t: t.id))
    *old, new = made
    for i, done in enumerate(old):
        apply(store, flow.config, done.id, "resolve", actor="小李", note=f"处理{i}",
              now=at(23, 12, i))
    apply(store, flow.config, old[0].id, "followup", actor="小李", score=4, now=at(24, 10))
    with store.engine.connect() as conn:
        found = similar_resolved(conn, new)
        few = similar_resolved(conn, new, candidates=1)
    assert [f.ticket.id for f in found][:2] == [old[0].id, old[1].id]
    assert found[0].resolution == "处理0" and found[0].satisfaction == 4
    assert found[1].satisfaction is None and found[0].similarity >= found[1].similarity
    same = [f for f in found if f.ticket.category == new.category]
    assert found[:len(same)] == same  # same category first
    assert old[4].id not in [f.ticket.id for f in found]  # nothing in common
    assert len(few) <= 2  # one candidate per group: the bound holds
    assert all(f.ticket.id != new.id for f in found)


def test_unresolved_tickets_are_not_cases(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 9), flow.mention(LEAKS[0], "甲"))
    flow.take(at(23, 9, 5), flow.mention(LEAKS[1], "乙"))
    with store.engine.connect() as conn:
        first, second = ticket_store.list_tickets(conn)
    apply(store, flow.config, first.id, "close", actor="小李", now=at(23, 10))  # no resolve
    with store.engine.connect() as conn:
        assert similar_resolved(conn, second) == []
    apply(store, flow.config, first.id, "reopen", actor="小李", now=at(23, 10, 1))
    apply(store, flow.config, first.id, "resolve", actor="小李", now=at(23, 10, 2))
    with store.engine.connect() as conn:
        assert [f.ticket.id for f in similar_resolved(conn, second)] == [first.id]
