"""A month of complaints made through the real intake (scorer, repeats, incidents, tickets),
then handled like a team would: acknowledged in time or late, resolved, followed up with
scores. September 2026 is the month before, quieter; October 2026 is the month reported."""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta
from typing import Any

from tests.flow import SHANGHAI, Flow
from watcher.errors import TicketActionError
from watcher.model import Mention
from watcher.records import Ticket
from watcher.store import tickets as ticket_store
from watcher.tickets.actions import apply

TEXTS = {
    "logistics": ["快递送货太慢了，下单一个星期都没到，太差了", "物流三天没更新，包裹不知道在哪，太慢了",
                  "快递到了也不送上门，打电话也不接，太差了", "包裹在中转站停了五天，物流太慢"],
    "product_quality": ["新买的电饭煲用了两天就坏了，质量太差了", "衣服洗一次就起球掉色，质量太差",
                        "手机屏幕有坏点，质量有问题，太失望了"],
    "service": ["客服态度恶劣，问什么都不回复，太差了", "打了三次客服电话都没人接，服务太差"],
    "after_sales": ["退货申请一周了还没人处理，售后太差", "申请换货一直没人审核，售后太慢了"],
    "price": ["刚买就降价了，也不给价保，太坑了", "扣费不明不白多扣了钱，乱收费"],
}
SHOCK = "热水器漏电，洗澡的时候被电了一下，太危险了"
BURST = ["外卖送餐超时一个多小时，饭菜都凉了，太差了", "中午点的外卖送餐超时，等了一个多小时，饭菜全凉了",
         "送餐超时一个小时，饭菜凉透了，非常失望", "今天外卖又送餐超时了，一个多小时才到，饭菜都凉了",
         "送餐严重超时，一个多小时，饭菜冰凉，差评"]
WEIGHTS = {"logistics": 5, "product_quality": 3, "service": 2, "after_sales": 1, "price": 1}
PLATFORMS = {"weibo": 5, "xiaohongshu": 3, "douyin": 2, "tieba": 1, "heimao": 1}


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def fill(flow: Flow, seed: int = 10) -> None:
    """September: one complaint a day; October: two to four a day, a repeat complainer, a
    burst that makes an incident and a safety complaint; then the tickets are handled."""
    rng = random.Random(seed)
    for day in range(1, 31):
        _complain(flow, rng, local(9, day, 10), f"九月用户{day}")
    for day in range(1, 32):
        for n in range(rng.randint(2, 4)):
            _complain(flow, rng, local(10, day, 9 + 3 * n, rng.randint(0, 59)),
                      f"十月用户{day}-{n}", likes=rng.choice([0, 0, 3, 12, 40, 150]))
    for day in (3, 5, 20):  # the same customer, three times
        _take(flow, local(10, day, 16), Mention(
            source="shop", platform="shop", author="老顾客", text=TEXTS["after_sales"][day % 2],
            external_id=f"old-{day}", url=f"http://shop.local/p/old-{day}"))
    for i, text in enumerate(BURST):
        _take(flow, local(10, 15, 11, 5 * i), flow.mention(text, f"外卖用户{i}"))
    _take(flow, local(10, 22, 20), flow.mention(SHOCK, "洗澡的人"))
    handle(flow)


def _complain(flow: Flow, rng: random.Random, at: datetime, author: str, likes: int = 0) -> None:
    category = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    source = rng.choice(["forum", "shop"])
    text = f"{rng.choice(TEXTS[category])}。订单尾号{rng.randint(1000, 9999)}"
    mention = flow.mention(text, author, source=source)
    mention.platform = rng.choices(list(PLATFORMS), weights=list(PLATFORMS.values()))[0]
    mention.engagement = {"likes": likes, "reposts": likes // 3} if likes else {}
    _take(flow, at, mention, source=source)


def _take(flow: Flow, at: datetime, mention: Mention, source: str | None = None) -> None:
    mention.created_at = at
    flow.take(at, mention, source=source or mention.source)


def handle(flow: Flow) -> None:
    """Each ticket by its id: most acknowledged in time, every fourth late; two in three
    resolved the next day; the follow-ups scored, one in five dissatisfied, some never made."""
    with flow.store.engine.connect() as conn:
        made = ticket_store.list_tickets(conn)
    for ticket in sorted(made, key=lambda t: t.id):
        _handle(flow, ticket)


def _handle(flow: Flow, ticket: Ticket) -> None:
    number, created = ticket.id, ticket.created_at
    late = number % 4 == 0
    response = ticket.deadline + timedelta(minutes=20) if late else created + timedelta(
        minutes=5)
    act = _acting(flow, number)
    act("ack", response)
    if number % 3 == 0:
        return
    resolved = created + timedelta(hours=20 + number % 7)
    act("resolve", resolved, note=f"已处理（{number}）")
    if number % 6 == 1:
        return  # nobody called back
    act("followup", resolved + timedelta(days=1), score=2 if number % 5 == 0 else 4 + number % 2)


def _acting(flow: Flow, number: int) -> Any:
    def act(action: str, at: datetime, **options: Any) -> None:
        # a ticket a later repeat reopened, or one an incident took: refused, as it happens
        with contextlib.suppress(TicketActionError):
            apply(flow.store, flow.config, number, action, actor="小李", now=at, **options)

    return act
