from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alerts.render import TicketAlert, neutralize, render_new_ticket, safe_link
from alerts.routing import targets_for_new_ticket
from alerts.senders import check_target, send
from tests.servers import Receiver, free_port
from watcher.config import AlertsSection

ALERT = TicketAlert(
    ticket_id=42, level=1, category="product_quality", department="quality/tech",
    platform="weibo", source="brand-weibo", author="<b>张三</b>",
    text="热水器漏电了！[点我](http://evil.test) <script>alert(1)</script> **紧急**",
    url="https://weibo.test/p/1?a=(x)", deadline=datetime(2026, 11, 23, 1, 10, tzinfo=UTC),
    reasons=("safety: 漏电",),
)


def test_message_carries_everything_staff_need() -> None:
    title, body = render_new_ticket(ALERT, ZoneInfo("Asia/Shanghai"))
    assert "#42" in title and "L1" in title and "产品质量" in title
    for expected in ("工单 #42", "weibo", "热水器漏电了", "2026-11-23 09:10 CST", "safety: 漏电",
                     "https://weibo.test/p/1?a=%28x%29"):
        assert expected in body, expected


def test_mention_text_cannot_inject_markup() -> None:
    _, body = render_new_ticket(ALERT, ZoneInfo("Asia/Shanghai"))
    for markup in ("<script>", "<b>", "[点我](", "**"):
        assert markup not in body
    assert "＜script＞" in body  # still readable, as text


def test_neutralize_and_links() -> None:
    assert neutralize("a\n\n[b](c)") == "a ［b］（c）"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link("https://x.test/a b") == "https://x.test/a%20b"


def test_routing() -> None:
    alerts = AlertsSection(on_duty=("json://duty",), supervisor=("json://sup",),
                           manager=("json://boss",))
    assert targets_for_new_ticket(3, alerts) == ["json://duty"]
    assert targets_for_new_ticket(1, alerts) == ["json://duty", "json://boss"]
    no_manager = AlertsSection(on_duty=("json://duty",), supervisor=("json://sup",))
    assert targets_for_new_ticket(1, no_manager) == ["json://duty", "json://sup"]


def test_send_to_a_real_receiver() -> None:
    receiver = Receiver().start()
    try:
        assert send(receiver.json_url(), "标题", "正文 #42").ok
    finally:
        receiver.stop()
    assert receiver.received[0]["title"] == "标题" and receiver.received[0]["message"] == "正文 #42"


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
