"""The follow-up (回访) after resolving, through the real intake, store, SLA pass and dispatcher
with a controllable clock: due three working days on by China's calendar, reminded, escalated,
and a low score sending the ticket back to the supervisor while a high one closes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.flow import SHANGHAI, Flow
from tests.servers import Receiver
from watcher.errors import TicketActionError
from watcher.reasons import ReasonCode, reason
from watcher.records import Ticket
from watcher.store import followups as followup_store
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.tickets import followup
from watcher.tickets.actions import apply
from watcher.tickets.view import ticket_json

LATE = "快递送货太慢了，下单一个星期都没到，客服也不回复，太差了"
OFFICIAL_CALENDAR = {"sla": {"business_hours": {"calendar": "cn"}}}  # no level on business hours


def on(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def only_ticket(flow: Flow) -> Ticket:
    with flow.store.engine.connect() as conn:
        (ticket,) = ticket_store.list_tickets(conn)
    return ticket


def view(flow: Flow, ticket_id: int, now: datetime) -> dict[str, Any]:
    with flow.store.engine.connect() as conn:
        row = ticket_store.get(conn, ticket_id)
        current = followup_store.current(conn, ticket_id)
    assert row is not None
    return ticket_json(row, SHANGHAI, current_followup=current, now=now,
                       low_score=flow.config.followup.low_score)


def history(flow: Flow, ticket_id: int) -> list[str]:
    with flow.store.engine.connect() as conn:
        return [e["action"] for e in ticket_store.events(conn, ticket_id)]


def resolved_ticket(flow: Flow, found: datetime, resolved: datetime) -> int:
    flow.take(found, flow.mention(LATE, "顾客甲"))
    ticket_id = only_ticket(flow).id
    apply(flow.store, flow.config, ticket_id, "ack", actor="小李", now=found + timedelta(minutes=5))
    apply(flow.store, flow.config, ticket_id, "resolve", actor="小李", now=resolved,
          note="已补发，顺丰单号 SF123")
    return ticket_id


def test_due_three_working_days_on_across_the_national_day_week(store: Store,
                                                                  receiver: Receiver) -> None:
    flow = Flow(store, receiver, **OFFICIAL_CALENDAR)
    # resolved on Wednesday 09-30, the eve of the National Day week (10-01 to 10-07 off): the
    # three working days are the rest of 09-30, Thursday 10-08, Friday 10-09 and the 调休
    # Saturday 10-10 up to 15:00
    ticket_id = resolved_ticket(flow, on(9, 30, 10), on(9, 30, 15))
    due = on(10, 10, 15)
    assert view(flow, ticket_id, on(10, 1, 9))["followup"] == {
        "state": "pending", "due": due.isoformat(), "score": None, "at": None, "by": None,
        "note": None}

    assert flow.sla(due - timedelta(minutes=1)).followup_reminded == 0
    assert flow.sla(due + timedelta(minutes=1)).followup_reminded == 1
    assert flow.sla(due + timedelta(minutes=10)).followup_reminded == 0  # once
    assert view(flow, ticket_id, due + timedelta(minutes=10))["followup"]["state"] == "overdue"
    flow.send(due + timedelta(minutes=10))
    (reminder,) = [a for a in receiver.to("li") if "回访" in a["title"]]
    assert f"#{ticket_id}" in reminder["title"] and "回访已到期" in reminder["title"]
    assert "回访截止：2026-10-10 15:00 CST" in reminder["message"]
    assert receiver.to("sup") == []

    late = due + flow.config.sla.escalate_after
    assert flow.sla(late - timedelta(minutes=1)).followup_escalated == 0
    assert flow.sla(late).followup_escalated == 1
    assert flow.sla(late + timedelta(hours=1)).followup_escalated == 0
    flow.send(late)
    (escalation,) = receiver.to("sup")
    assert "回访超时未完成，升级主管" in escalation["title"]
    assert history(flow, ticket_id)[-2:] == ["followup_reminded", "followup_escalated"]


def test_a_low_score_sends_the_ticket_back_to_the_supervisor(store: Store,
                                                             receiver: Receiver) -> None:
    flow = Flow(store, receiver, **OFFICIAL_CALENDAR)
    ticket_id = resolved_ticket(flow, on(9, 30, 10), on(9, 30, 15))
    flow.send(on(9, 30, 15))
    called = on(10, 8, 10)
    after = apply(store, flow.config, ticket_id, "followup", actor="小李", now=called, score=2,
                  note="补发的也是坏的，要求退款")
    assert after.status == "reopened" and after.level == 2
    assert after.deadline == called + timedelta(hours=48)  # supervisor_within
    assert after.acknowledged_at is None and after.resolved_at is None
    assert reason(ReasonCode.UNSATISFIED, score=2) in after.reasons
    shown = view(flow, ticket_id, called)["followup"]
    assert (shown["state"], shown["score"], shown["by"]) == ("unsatisfied", 2, "小李")
    assert shown["note"] == "补发的也是坏的，要求退款"
    flow.send(called)
    (back,) = receiver.to("sup")
    assert "回访不满意，退回主管处理" in back["title"] and "L2" in back["title"]
    assert "回访不满意：满意度 2 分" in back["message"]
    assert "说明：补发的也是坏的，要求退款" in back["message"]
    assert len([a for a in receiver.to("li") if "回访不满意" in a["title"]]) == 1
    # back in the response SLA: no follow-up reminder, the supervisor's deadline instead
    assert flow.sla(called + timedelta(hours=47)).reminded == 0
    report = flow.sla(called + timedelta(hours=48, minutes=1))
    assert (report.followup_reminded, report.reminded) == (0, 1)
    flow.send(called + timedelta(hours=48, minutes=1))

    # handled again and resolved on Monday: a new follow-up, whose high score closes the ticket
    apply(store, flow.config, ticket_id, "ack", actor="主管", now=on(10, 10, 11))
    apply(store, flow.config, ticket_id, "resolve", actor="主管", now=on(10, 12, 10))
    assert view(flow, ticket_id, on(10, 12, 10))["followup"]["due"] == on(10, 15, 10).isoformat()
    closed = apply(store, flow.config, ticket_id, "followup", actor="小李", now=on(10, 12, 16),
                   score=5)
    assert closed.status == "closed" and closed.closed_at == on(10, 12, 16)
    assert view(flow, ticket_id, on(10, 12, 16))["followup"]["state"] == "satisfied"
    sent_before = len(receiver.received)
    flow.send(on(10, 12, 16))
    assert len(receiver.received) == sent_before  # a satisfied customer alerts nobody
    assert history(flow, ticket_id) == ["created", "ack", "resolve", "followup",
                                        "progress_reminder", "reminded", "ack", "resolve",
                                        "followup"]


def test_a_high_score_closes_and_refusals_say_why(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, followup={"within": "24h", "low_score": 2})
    flow.take(on(11, 23, 10), flow.mention(LATE, "顾客乙"))
    ticket_id = only_ticket(flow).id

    def record(score: int | None, at: datetime) -> Ticket:
        return apply(store, flow.config, ticket_id, "followup", actor="小李", now=at,
                     score=score)

    with pytest.raises(TicketActionError, match="is open: cannot followup it; a follow-up"):
        record(5, on(11, 23, 11))
    apply(store, flow.config, ticket_id, "resolve", actor="小李", now=on(11, 23, 12))
    assert view(flow, ticket_id, on(11, 23, 12))["followup"]["due"] == on(11, 24, 12).isoformat()
    for bad in (None, 0, 6):
        with pytest.raises(TicketActionError, match="score from 1 to 5"):
            record(bad, on(11, 23, 13))
    assert record(3, on(11, 23, 14)).status == "closed"  # above low_score = 2
    with pytest.raises(TicketActionError, match="no follow-up due; it was followed up already"):
        record(1, on(11, 23, 15))
    with store.engine.connect() as conn:
        event = ticket_store.events(conn, ticket_id)[-1]
    assert event["data"] == {"score": 3, "from": "resolved", "to": "closed", "low_score": 2}


def test_a_follow_up_is_cancelled_by_a_repeat_complaint(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    ticket_id = resolved_ticket(flow, on(11, 23, 10), on(11, 23, 12))
    flow.take(on(11, 24, 9), flow.mention("问题还是没有解决，快递还是没到，太差了", "顾客甲"))
    assert view(flow, ticket_id, on(11, 24, 9))["followup"]["state"] == "cancelled"
    assert flow.sla(on(12, 1, 9)).followup_reminded == 0  # reopened: nobody is asked to call
    with pytest.raises(TicketActionError, match="cannot followup"):
        apply(store, flow.config, ticket_id, "followup", actor="小李", now=on(11, 24, 10),
              score=4)


def test_states() -> None:
    due = {"due_at": on(10, 10, 15), "score": None}
    assert followup.state("open", None, on(10, 1, 0), 3) == "none"
    assert followup.state("resolved", due, on(10, 10, 14), 3) == "pending"
    assert followup.state("closed", due, on(10, 10, 16), 3) == "overdue"
    assert followup.state("reopened", due, on(10, 10, 14), 3) == "cancelled"
    assert followup.state("reopened", due | {"score": 3}, on(10, 10, 14), 3) == "unsatisfied"
    assert followup.state("closed", due | {"score": 4}, on(10, 10, 14), 3) == "satisfied"
