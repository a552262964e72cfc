from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from alerts.render import TicketAlert, neutralize, render_ticket, safe_link
from alerts.routing import escalation_targets, new_ticket_targets, on_duty, person_targets
from alerts.senders import check_target, send
from tests.helpers import legacy_reasons
from tests.servers import Receiver, free_port
from watcher.config.sections import AlertsSection, DutySection, Shift
from watcher.units import parse_weekdays

ALERT = TicketAlert(
    ticket_id=42, level=1, category="product_quality", department="quality/tech",
    platform="weibo", source="brand-weibo", author="<b>张三</b>",
    text="热水器漏电了！[点我](http://evil.test) <script>alert(1)</script> **紧急**",
    url="https://weibo.test/p/1?a=(x)", deadline=datetime(2026, 11, 23, 1, 10, tzinfo=UTC),
    reasons=legacy_reasons("safety: 漏电"),
)


def test_message_carries_everything_staff_need() -> None:
    title, body = render_ticket(ALERT, ZoneInfo("Asia/Shanghai"))
    assert "#42" in title and "L1" in title and "产品质量" in title
    for expected in ("工单 #42", "weibo", "热水器漏电了", "2026-11-23 09:10 CST", "safety: 漏电",
                     "https://weibo.test/p/1?a=%28x%29"):
        assert expected in body, expected


def test_mention_text_cannot_inject_markup() -> None:
    _, body = render_ticket(ALERT, ZoneInfo("Asia/Shanghai"))
    for markup in ("<script>", "<b>", "[点我](", "**"):
        assert markup not in body
    assert "＜script＞" in body  # still readable, as text


def test_neutralize_and_links() -> None:
    assert neutralize("a\n\n[b](c)") == "a ［b］（c）"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link("https://x.test/a b") == "https://x.test/a%20b"


def test_routing_without_a_roster() -> None:
    alerts = AlertsSection(on_duty=("json://duty",), supervisor=("json://sup",),
                           manager=("json://boss",))
    nobody = DutySection()
    assert new_ticket_targets(3, None, nobody, alerts) == ["json://duty"]
    assert new_ticket_targets(1, None, nobody, alerts) == ["json://duty", "json://boss"]
    no_manager = AlertsSection(on_duty=("json://duty",), supervisor=("json://sup",))
    assert new_ticket_targets(1, None, nobody, no_manager) == ["json://duty", "json://sup"]
    assert escalation_targets(alerts) == ["json://sup"]


SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = Shift("小李", parse_weekdays("mon-fri"), time(9), time(18), ("json://li",))
NIGHT = Shift("老王", parse_weekdays("mon-fri"), time(18), time(9), ("json://wang",))
WEEKEND = Shift("阿张", parse_weekdays("sat,sun"), time(9), time(21), ())
ROSTER = DutySection((DAY, NIGHT, WEEKEND))


@pytest.mark.parametrize(
    ("when", "who"),
    [
        (datetime(2026, 11, 23, 9, 0), "小李"),  # Monday, the shift's first minute
        (datetime(2026, 11, 23, 17, 59), "小李"),
        (datetime(2026, 11, 23, 18, 0), "老王"),  # past midnight into Tuesday morning
        (datetime(2026, 11, 24, 3, 0), "老王"),
        (datetime(2026, 11, 28, 3, 0), "老王"),  # Saturday 03:00 ends Friday's night shift
        (datetime(2026, 11, 28, 10, 0), "阿张"),
        (datetime(2026, 11, 29, 22, 0), None),  # Sunday night: nobody
        (datetime(2026, 11, 23, 8, 59), None),  # Monday morning: Sunday had no night shift
    ],
)
def test_roster(when: datetime, who: str | None) -> None:
    shift = on_duty(ROSTER, when.replace(tzinfo=SHANGHAI), SHANGHAI)
    assert (shift.name if shift else None) == who


def test_person_targets_fall_back_to_on_duty() -> None:
    alerts = AlertsSection(on_duty=("json://duty",))
    assert person_targets("小李", ROSTER, alerts) == ["json://li"]
    assert person_targets("阿张", ROSTER, alerts) == ["json://duty"]  # no notify URLs of their own
    assert person_targets(None, ROSTER, alerts) == ["json://duty"]
    assert new_ticket_targets(3, "老王", ROSTER, alerts) == ["json://wang"]


def test_send_to_a_real_receiver() -> None:
    receiver = Receiver().start()
    try:
        assert send(receiver.json_url(), "标题", "正文 #42").ok
    finally:
        receiver.stop()
    assert receiver.received[0]["title"] == "标题" and receiver.received[0]["message"] == "正文 #42"


def test_the_urgency_level_is_the_notify_type() -> None:
    receiver = Receiver().start()
    try:
        for level in (1, 2, 3, None):
            assert send(receiver.json_url(), f"L{level}", "#42", level=level).ok
    finally:
        receiver.stop()
    assert {r["title"]: r["type"] for r in receiver.received} == {
        "L1": "failure", "L2": "warning", "L3": "info", "LNone": "info"}


def test_send_failures_are_values_with_a_reason() -> None:
    down = send(f"json://127.0.0.1:{free_port()}/alerts", "t", "b")
    assert not down.ok and down.error
    receiver = Receiver(status=500).start()
    try:
        rejected = send(receiver.json_url(), "t", "b")
    finally:
        receiver.stop()
    assert not rejected.ok and "500" in (rejected.error or "")
    assert send("nosuchscheme://x", "t", "b") == send("nosuchscheme://y", "t", "b")
    assert check_target("nosuchscheme://x") and check_target("json://localhost") is None


def test_secrets_in_targets_are_not_in_errors() -> None:
    result = send(f"json://user:topsecretpw@127.0.0.1:{free_port()}/x", "t", "b")
    assert not result.ok and "topsecretpw" not in (result.error or "")


def test_incident_alert_lists_fifty_then_counts() -> None:
    from alerts.render import render_incident

    members = [ALERT.__class__(**{**ALERT.__dict__, "ticket_id": i, "url": f"https://w.test/{i}"})
               for i in range(1, 51)]
    title, body = render_incident(7, members, ZoneInfo("Asia/Shanghai"), members[-1], total=60)
    assert "#50" in title and "共 60 条" in title
    lines = body.splitlines()
    assert sum(line.startswith("#") for line in lines) == 50
    assert lines[-1] == "……另有 10 条" and "#1 https://w.test/1" in body
