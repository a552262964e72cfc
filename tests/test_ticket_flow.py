"""What happens after a complaint is found: the roster, SLA reminders and escalation, repeats,
incidents, storm control and source health, with a controllable clock and real receivers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.errors import TicketActionError
from watcher.records import Ticket
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.tickets.actions import apply

SHOCK = "新买的电热水器漏电，洗澡的时候被电了一下，太危险了"
LATE = "快递送货太慢了，下单一个星期都没到，客服也不回复，太差了"


def only_ticket(flow: Flow) -> Ticket:
    with flow.store.engine.connect() as conn:
        (ticket,) = ticket_store.list_tickets(conn)
    return ticket


def history(flow: Flow, ticket_id: int) -> list[str]:
    with flow.store.engine.connect() as conn:
        return [e["action"] for e in ticket_store.events(conn, ticket_id)]


def test_patrol_complaint_reaches_the_shift_then_reminds_then_escalates_once(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    found = at(23, 9)  # Monday 09:00 patrol
    assert flow.take(found, flow.mention(LATE, "顾客甲")).tickets == 1
    ticket = only_ticket(flow)
    assert ticket.assignee == "小李" and ticket.level == 3
    assert ticket.deadline == found + timedelta(hours=2)
    flow.send(found)
    assert len(receiver.to("li")) == 1 and receiver.to("duty") == []
    assert f"#{ticket.id}" in receiver.to("li")[0]["title"]

    before = flow.sla(found + timedelta(hours=1, minutes=59))
    assert (before.reminded, before.escalated) == (0, 0)
    breach = found + timedelta(hours=2, minutes=1)
    assert flow.sla(breach).reminded == 1
    assert flow.sla(breach + timedelta(minutes=5)).reminded == 0  # same breach: once
    flow.send(breach)
    assert len(receiver.to("li")) == 2 and receiver.to("sup") == []
    late = found + timedelta(hours=2, minutes=31)
    assert flow.sla(late).escalated == 1
    assert flow.sla(late + timedelta(minutes=10)).escalated == 0
    flow.send(late)
    assert len(receiver.to("sup")) == 1 and len(receiver.to("li")) == 2
    assert "升级" in receiver.to("sup")[0]["title"]
    assert history(flow, ticket.id) == ["created", "reminded", "escalated"]


def test_acknowledging_meets_the_sla(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 10), flow.mention(LATE, "顾客乙"))
    ticket = only_ticket(flow)
    apply(store, flow.config, ticket.id, "ack", actor="小李", now=at(23, 10, 30),
          note="已联系顾客")
    report = flow.sla(at(23, 18))
    assert (report.reminded, report.escalated) == (0, 0)
    with store.engine.connect() as conn:
        events = ticket_store.events(conn, ticket.id)
    assert events[-1]["actor"] == "小李" and events[-1]["data"]["sla_met"] is True


def test_level_one_goes_to_the_manager_at_once_and_wants_progress(
        store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    found = at(23, 20)  # Monday night: 老王's shift
    flow.take(found, flow.mention(SHOCK, "顾客丙"))
    ticket = only_ticket(flow)
    assert ticket.level == 1 and ticket.assignee == "老王"
    flow.send(found)
    assert len(receiver.to("wang")) == 1 and len(receiver.to("boss")) == 1
    apply(store, flow.config, ticket.id, "ack", actor="老王", now=found + timedelta(minutes=5))
    assert flow.sla(found + timedelta(hours=1)).progress == 0
    assert flow.sla(found + timedelta(hours=2, minutes=6)).progress == 1
    assert flow.sla(found + timedelta(hours=2, minutes=30)).progress == 0
    apply(store, flow.config, ticket.id, "note", actor="老王", now=found + timedelta(hours=3),
          note="已上门检修")
    assert flow.sla(found + timedelta(hours=5, minutes=1)).progress == 1


def test_repeat_complaint_links_raises_and_realerts_once(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 10), flow.mention(LATE, "顾客丁"))
    flow.take(at(23, 12), flow.mention("还是没有收到货，打了三次电话都没人管，太差了", "顾客丁"))
    flow.take(at(23, 13), flow.mention("第三次投诉，快递到底什么时候到，太差劲了", "顾客丁"))
    ticket = only_ticket(flow)
    assert ticket.level == 2 and "repeat" in ticket.risks
    assert ticket.deadline <= at(23, 12, 30)
    with store.engine.connect() as conn:
        assert len(ticket_store.linked_mentions(conn, ticket.id)) == 2
    flow.send(at(23, 13))
    assert len(receiver.to("li")) == 2  # the new ticket, then one re-alert
    assert "重复投诉" in receiver.to("li")[1]["title"]
    assert history(flow, ticket.id) == ["created", "repeat", "repeat"]


def test_repeat_after_resolution_reopens(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 10), flow.mention(LATE, "顾客戊"))
    ticket = only_ticket(flow)
    apply(store, flow.config, ticket.id, "resolve", actor="小李", now=at(23, 11))
    flow.take(at(24, 10), flow.mention("问题根本没解决，快递还是没到，太差了", "顾客戊"))
    assert only_ticket(flow).status == "reopened"


BURST = [
    "外卖送餐超时一个多小时，饭菜都凉了，太差了",
    "中午点的外卖送餐超时，等了一个多小时，饭菜全凉了",
    "送餐超时一个小时，饭菜凉透了，非常失望",
    "今天外卖又送餐超时了，一个多小时才到，饭菜都凉了",
    "送餐严重超时，一个多小时，饭菜冰凉，差评",
    "又是送餐超时一个多小时，饭菜都凉了，什么服务",
]


def test_a_burst_of_similar_complaints_is_one_incident(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    start = at(23, 11)
    for i, text in enumerate(BURST[:5]):
        flow.take(start + timedelta(minutes=5 * i), flow.mention(text, f"用户{i}"))
    flow.send(start + timedelta(minutes=30))
    incident_alerts = [a for a in receiver.received if a["title"].startswith("[事件")]
    assert len(incident_alerts) == 2  # to the on-duty person and to the manager
    with store.engine.connect() as conn:
        tickets = ticket_store.list_tickets(conn)
    assert len(tickets) == 5 and {t.incident_id for t in tickets} != {None}
    assert all(t.level == 1 and "group" in t.risks for t in tickets)
    message = incident_alerts[0]["message"]
    assert all(f"#{t.id} {t.url}" in message for t in tickets)
    # the first four went out one by one before the burst was recognized; the fifth did not
    assert len(receiver.to("li")) == 4 + 1
    flow.take(start + timedelta(minutes=40), flow.mention(BURST[5], "用户5"))
    flow.send(start + timedelta(minutes=40))
    update = receiver.to("li")[-1]
    assert update["title"].startswith("[事件") and "新增工单" in update["title"]


def test_unrelated_complaints_do_not_make_an_incident(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    texts = ["外卖送餐超时一个多小时，太差了", "买的衣服起球掉色，质量太差了",
             "客服态度恶劣，问什么都不回复，太差了", "手机充电器用了两天就坏了，太差了",
             "退款申请一周了还没处理，太差了"]
    for i, text in enumerate(texts):
        flow.take(at(23, 11, i), flow.mention(text, f"路人{i}"))
    with store.engine.connect() as conn:
        assert {t.incident_id for t in ticket_store.list_tickets(conn)} == {None}


def test_storm_control_digests_the_rest_but_never_level_one(store: Store,
                                                            receiver: Receiver) -> None:
    flow = Flow(store, receiver, alerts={"on_duty": [receiver.json_url("duty")],
                                         "manager": [receiver.json_url("duty")],
                                         "digest_over": 3},
                duty={"shifts": []})
    now = at(23, 11)
    texts = ["买的衣服起球掉色，太差了", "充电器用两天就坏了，差评", "客服一直不回复，很失望",
             "退款一周没处理，太慢了", "快递丢件没人管，真差", "屏幕有坏点，质量差",
             "包装破损严重，失望"]
    for i, text in enumerate(texts):
        flow.take(now, flow.mention(text, f"买家{i}"))
    flow.take(now, flow.mention(SHOCK, "买家x"))
    report = flow.send(now)
    titles = [a["title"] for a in receiver.to("duty")]
    digests = [a for a in receiver.to("duty") if a["title"].startswith("[汇总]")]
    assert len(digests) == 1 and report.digests == 1
    assert any("L1" in t for t in titles)  # level 1 went out on its own
    individual = [t for t in titles if t.startswith("[工单") and "L1" not in t]
    assert len(individual) == 3
    assert digests[0]["message"].count("\n#") == len(texts) - 3


def test_a_broken_source_tells_the_operators_not_the_staff(store: Store,
                                                            receiver: Receiver) -> None:
    import asyncio

    from watcher.http.client import HttpClient
    from watcher.intake.pipeline import Pipeline

    flow = Flow(store, receiver)
    clock = [at(23, 9)]

    async def sweeps(count: int) -> None:
        async with HttpClient(flow.config.http) as http:
            pipeline = Pipeline(flow.config, store, http, lambda: None,  # type: ignore[arg-type,return-value]
                                clock=lambda: clock[0])
            for _ in range(count):
                await pipeline.sweep_source(flow.config.source("forum"))
                clock[0] += timedelta(hours=2)

    asyncio.run(sweeps(2))
    assert flow.send(clock[0]).sent == 0
    asyncio.run(sweeps(2))  # the third failure tells them; the fourth, the same day, does not
    flow.send(clock[0])
    assert len(receiver.to("ops")) == 1 and "连续失败 3 次" in receiver.to("ops")[0]["title"]
    assert receiver.to("duty") == [] and receiver.to("li") == []
    clock[0] += timedelta(days=1)
    asyncio.run(sweeps(1))
    flow.send(clock[0])
    assert len(receiver.to("ops")) == 2  # at most daily while it stays broken
    flow.take(clock[0], source="forum")  # it works again
    flow.send(clock[0])
    assert "恢复" in receiver.to("ops")[-1]["title"] and len(receiver.to("ops")) == 3


def test_lifecycle_rules(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 10), flow.mention(LATE, "顾客己"))
    ticket_id = only_ticket(flow).id
    step = iter(range(1, 100))

    def do(action: str, **kw: str) -> Ticket:
        return apply(store, flow.config, ticket_id, action, actor="组长",
                     now=at(23, 10, next(step)), **kw)

    with pytest.raises(TicketActionError, match="cannot reopen"):
        do("reopen")
    assert do("assign", assignee="老王").assignee == "老王"
    assert do("ack").status == "acknowledged"
    with pytest.raises(TicketActionError, match="needs some text"):
        do("note", note="  ")
    do("note", note="已补发")
    assert do("resolve").status == "resolved"
    assert do("close").status == "closed"
    with pytest.raises(TicketActionError, match="is closed: cannot note it; reopen it first"):
        do("note", note="x")
    assert do("reopen").status == "reopened"
    with pytest.raises(TicketActionError, match="no ticket #999"):
        apply(store, flow.config, 999, "ack", actor="x", now=at(23, 12))
    assert history(flow, ticket_id) == ["created", "assign", "ack", "note", "resolve", "close",
                                        "reopen"]
    flow.send(at(23, 12))
    assert len(receiver.to("wang")) == 2  # assigned to them, then reopened


def test_resolving_an_unacknowledged_ticket_is_its_first_response(store: Store,
                                                                  receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    flow.take(at(23, 10), flow.mention(LATE, "顾客庚"))
    ticket_id = only_ticket(flow).id
    after = apply(store, flow.config, ticket_id, "resolve", actor="小李", now=at(23, 10, 20))
    assert after.acknowledged_at == at(23, 10, 20)
    assert flow.sla(at(23, 13)).reminded == 0
