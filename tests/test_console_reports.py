"""The console's queries (watcher.store.reports, watcher.store.sessions) on SQLite and
PostgreSQL: queue filters and counts, per-day figures in the configured zone, SLA outcomes,
category shares, sessions and failed logins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.console_harness import add_mention, add_ticket, console_config
from watcher.records import Ticket
from watcher.store import reports, sessions
from watcher.store.db import Store
from watcher.store.reports import QueueFilter
from watcher.tickets.actions import apply
from watcher.web.console import data

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def _ids(rows: list[Ticket]) -> list[int]:
    return [row.id for row in rows]


def _mention_ids(rows: list[dict[str, object]]) -> list[object]:
    return [row["id"] for row in rows]


def test_queue_filters_and_order(store: Store) -> None:
    config = console_config()
    base = NOW - timedelta(hours=3)
    red = add_ticket(store, level=1, created=base, deadline=timedelta(minutes=10),
                     platform="weibo", assignee="小李")
    yellow = add_ticket(store, level=3, category="logistics", created=base,
                        deadline=timedelta(hours=4), platform="shop")
    answered = add_ticket(store, level=2, created=base, deadline=timedelta(minutes=5))
    done = add_ticket(store, level=4, category="service", created=base)
    apply(store, config, answered, "ack", actor="小李", now=base + timedelta(minutes=1))
    apply(store, config, done, "close", actor="小李", now=base + timedelta(minutes=1))
    with store.engine.connect() as conn:
        # awaiting a response first, by deadline; then the answered ones
        assert _ids(reports.queue(conn, QueueFilter())) == [red, yellow, answered]
        assert _ids(reports.queue(conn, QueueFilter(statuses=()))) == [red, yellow, answered,
                                                                       done]
        assert _ids(reports.queue(conn, QueueFilter(statuses=("closed",)))) == [done]
        assert _ids(reports.queue(conn, QueueFilter(level=3))) == [yellow]
        assert _ids(reports.queue(conn, QueueFilter(category="logistics"))) == [yellow]
        assert _ids(reports.queue(conn, QueueFilter(platform="weibo"))) == [red]
        # acknowledging the unassigned ticket took it for 小李; closing one did not
        assert _ids(reports.queue(conn, QueueFilter(assignee="小李"))) == [red, answered]
        assert _ids(reports.queue(conn, QueueFilter(unassigned=True))) == [yellow]
        assert _ids(reports.queue(conn, QueueFilter(overdue_at=NOW))) == [red]
        counts = reports.queue_counts(conn, NOW, "小李")
        assert (counts.unresolved, counts.awaiting, counts.overdue, counts.unassigned,
                counts.mine) == (3, 2, 1, 1, 2)
        assert counts.by_level == {1: 1, 2: 1, 3: 1, 4: 0}
        assert reports.ticket_platforms(conn) == ["forum", "shop", "weibo"]
        assert reports.assignees(conn) == ["小李"]


def test_reposts_and_counts_by_source(store: Store) -> None:
    first = add_mention(store, text="原帖", source="forum")
    copy = add_mention(store, text="转发 原帖", source="shop", platform="shop",
                       duplicate_of=first)
    with store.engine.connect() as conn:
        assert _mention_ids(reports.reposts(conn, first)) == [copy]
        assert reports.mention_counts(conn) == {"forum": 1, "shop": 1}


def test_daily_counts_by_local_day(store: Store) -> None:
    late = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC, the 22nd in Shanghai
    early = datetime(2026, 11, 23, 0, 30, tzinfo=SHANGHAI)  # 16:30 UTC on the 22nd
    first = add_mention(store, text="a", platform="weibo", created=late, category="logistics")
    add_mention(store, text="b", platform="weibo", created=early, category="logistics")
    add_mention(store, text="c", platform="weibo", created=early, duplicate_of=first)
    add_mention(store, text="d", platform="shop", created=early, complaint=False)
    add_mention(store, text="old", platform="shop", created=NOW - timedelta(days=30))
    add_mention(store, text="future", platform="shop", created=NOW + timedelta(hours=1))
    with store.engine.connect() as conn:
        daily = reports.daily(conn, SHANGHAI, NOW, days=30)
    assert daily.days[0].isoformat() == "2026-10-25" and daily.days[-1].isoformat() == "2026-11-23"
    assert daily.mentions_by_platform["weibo"][-2:] == [1, 2]  # the repost is volume
    assert daily.mentions_by_platform["shop"][-1] == 1
    assert sum(daily.mentions_by_platform["shop"]) == 1  # neither too old nor from the future
    assert daily.complaints_by_category["logistics"][-2:] == [1, 1]
    assert sum(map(sum, daily.complaints_by_category.values())) == 2  # the repost is not


def test_sla_outcomes_by_level(store: Store) -> None:
    config = console_config()
    start = NOW - timedelta(days=2)
    met = add_ticket(store, level=1, created=start, deadline=timedelta(minutes=10))
    late = add_ticket(store, level=1, created=start, deadline=timedelta(minutes=10))
    closed = add_ticket(store, level=2, created=start, deadline=timedelta(minutes=30))
    add_ticket(store, level=2, created=start, deadline=timedelta(minutes=30))  # never answered
    add_ticket(store, level=3, created=NOW - timedelta(minutes=5), deadline=timedelta(hours=2))
    add_ticket(store, level=3, created=NOW - timedelta(days=40))  # before the window
    apply(store, config, met, "ack", actor="a", now=start + timedelta(minutes=9))
    apply(store, config, late, "ack", actor="a", now=start + timedelta(minutes=11))
    apply(store, config, closed, "close", actor="a", now=start + timedelta(minutes=1))
    with store.engine.connect() as conn:
        outcomes = reports.sla_by_level(conn, NOW - timedelta(days=30), NOW)
    summary = {level: (o.met, o.missed, o.pending) for level, o in outcomes.items()}
    assert summary == {1: (1, 1, 0), 2: (1, 1, 0), 3: (0, 0, 1), 4: (0, 0, 0)}
    assert outcomes[1].rate == 0.5 and outcomes[4].rate is None


def test_category_shares_this_month(store: Store) -> None:
    month = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    for _ in range(3):
        add_mention(store, text="q", created=NOW - timedelta(days=1), category="product_quality")
    first = add_mention(store, text="l", created=NOW - timedelta(days=1), category="logistics")
    add_mention(store, text="l2", created=NOW - timedelta(days=1), duplicate_of=first,
                category="logistics")
    add_mention(store, text="fine", created=NOW - timedelta(days=1), complaint=False)
    add_mention(store, text="october", created=month - timedelta(days=1))
    with store.engine.connect() as conn:
        shares = reports.category_shares(conn, month, NOW)
    assert [(s.category, s.complaints, s.share) for s in shares] == [
        ("product_quality", 3, 0.75), ("logistics", 1, 0.25)]


def test_dashboard_gathers_thirty_days(store: Store) -> None:
    config = console_config()
    add_ticket(store, level=1, created=datetime.now(UTC) - timedelta(hours=1))
    board = data.dashboard(store, config, datetime.now(UTC))
    assert len(board.daily.days) == 30
    assert board.totals == {"mentions": 1, "complaints": 1, "tickets": 1, "met": 0, "missed": 1}
    assert [s.category for s in board.month] == ["product_quality"]


def test_sessions_and_failed_logins(store: Store) -> None:
    now = datetime.now(UTC)
    with store.begin() as conn:
        sessions.create(conn, id_hash="a" * 64, user_name="小李", csrf="t", now=now,
                        expires_at=now + timedelta(hours=1))
        sessions.create(conn, id_hash="b" * 64, user_name="小李", csrf="u", now=now,
                        expires_at=now - timedelta(seconds=1))
    with store.engine.connect() as conn:
        assert sessions.find(conn, "a" * 64, now) == ("小李", "t")
        assert sessions.find(conn, "b" * 64, now) is None  # expired
    with store.begin() as conn:
        sessions.forget_expired(conn, now)
        sessions.end(conn, "a" * 64)
        for name, address in (("x", "1.1.1.1"), ("x", "2.2.2.2"), ("y", "1.1.1.1")):
            sessions.record_failure(conn, user_name=name, address=address, now=now)
        sessions.record_failure(conn, user_name="x", address="1.1.1.1",
                                now=now - timedelta(hours=1))
    with store.engine.connect() as conn:
        assert sessions.find(conn, "a" * 64, now) is None
        since = now - timedelta(minutes=15)
        assert sessions.failures_since(conn, since, user_name="x", address="1.1.1.1") == (2, 2)
    with store.begin() as conn:
        sessions.forget_failures(conn, before=since, user_name="x")
    with store.engine.connect() as conn:
        assert sessions.failures_since(conn, now - timedelta(days=1), user_name="x",
                                       address="1.1.1.1") == (0, 1)
