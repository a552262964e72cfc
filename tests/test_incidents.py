"""Similarity of complaints for incidents, and the keyword index that finds them quickly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import event

from watcher.store.db import Store
from watcher.tickets.window import COMMON_KEYWORD, IncidentWindow, Window, keywords, similar

LATE = [
    "外卖送餐超时一个多小时，饭菜都凉了，太差了",
    "中午点的外卖送餐超时，等了一个多小时，饭菜全凉了",
    "送餐严重超时，一个多小时，饭菜冰凉，差评",
]
OTHER = ["买的衣服起球掉色，质量太差了", "手机充电器用了两天就坏了", "退款申请一周了还没处理"]


def test_similar_complaints_share_their_words() -> None:
    assert all(similar(keywords(a), keywords(b)) for a in LATE for b in LATE)
    assert not any(similar(keywords(a), keywords(b)) for a in LATE for b in OTHER)
    assert keywords("我们，一个，问题") == frozenset()  # only common pairs: nothing telling


def test_long_reviews_are_not_similar_by_a_few_common_pairs() -> None:
    a = "这款电热水壶外观漂亮，烧水速度很快，但是用了一个月底部开始生锈，客服说要寄回检测，来回运费自己出"
    b = "这个吹风机风力很大，外观也漂亮，可是用了一个月就开始有焦糊味，联系客服让我自己寄回去检测"
    assert len(keywords(a) & keywords(b)) >= 3
    assert not similar(keywords(a), keywords(b))


def complaint(**fields: object) -> SimpleNamespace:
    """What the window reads of a ticket (watcher.tickets.incidents.Complaint)."""
    return SimpleNamespace(**fields)


def test_the_index_finds_what_a_full_scan_finds() -> None:
    texts = LATE + OTHER + [t + "，请尽快处理" for t in LATE + OTHER]
    tickets = [complaint(id=i, text=t, category="logistics", author=str(i))
               for i, t in enumerate(texts)]
    window = Window((t, keywords(t.text)) for t in tickets[:-1])
    newcomer = tickets[-1]
    words = keywords(newcomer.text)
    found = {t.id for t in window.similar_to(newcomer, words)}
    scanned = {t.id for t in tickets[:-1] if similar(words, keywords(t.text))}
    assert found == scanned and found
    window.remove(sorted(found))
    assert window.similar_to(newcomer, words) == []
    other_category = complaint(**vars(newcomer) | {"category": "service"})
    assert Window((t, keywords(t.text)) for t in tickets[:-1]).similar_to(
        other_category, words) == []


def test_a_keyword_every_recent_ticket_shares_is_left_out() -> None:
    common = [complaint(id=i, text=f"送餐超时{i}号单", category="logistics", author=str(i))
              for i in range(COMMON_KEYWORD + 1)]
    window = Window((t, keywords(t.text)) for t in common)
    newcomer = complaint(id=-1, text="送餐超时", category="logistics", author="x")
    assert window.similar_to(newcomer, keywords(newcomer.text)) == []


def test_the_window_reads_only_what_is_new_and_what_is_recent(store: Store) -> None:
    from tests.console_harness import add_ticket

    now = datetime.now(UTC)
    late = add_ticket(store, text=LATE[0], category="logistics", level=3,
                      created=now - timedelta(minutes=10))
    broken = add_ticket(store, text=OTHER[1], category="product_quality", level=3,
                        created=now - timedelta(minutes=10))
    add_ticket(store, text=LATE[1], category="logistics", level=3,
               created=now - timedelta(hours=2))  # before the window
    newcomers = {"logistics": complaint(id=0, text=LATE[2], category="logistics"),
                 "product_quality": complaint(id=0, text=OTHER[1] + "，还没人管",
                                              category="product_quality")}

    def found(window: IncidentWindow, category: str) -> list[int]:
        newcomer = newcomers[category]
        return [t.id for t in window.similar_to(newcomer, keywords(newcomer.text))]

    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *args: statements.append(sql))
    window = IncidentWindow(timedelta(hours=1))
    with store.engine.connect() as conn:
        window.at(conn, now)
        assert statements == []  # nothing read until a ticket asks
        assert found(window, "logistics") == [late]
        assert found(window, "product_quality") == [broken]
        assert len(statements) == 1  # one read for the batch
    later = add_ticket(store, text=LATE[1] + "，第二次", category="logistics", level=3,
                       created=now + timedelta(seconds=10))
    statements.clear()
    with store.engine.connect() as conn:
        window.at(conn, now + timedelta(seconds=20))
        assert found(window, "logistics") == [late, later]
        assert len(statements) == 1 and "tickets.id >" in statements[0]  # only what is new
        window.at(conn, now + timedelta(minutes=51))  # past `late`'s hour; read afresh
        assert found(window, "logistics") == [later]
