"""Learning from staff corrections (issue #14): `watcher tickets correct` and the ticket page's
form, the `false_positive` status, and `watcher retrain` fitting the deployment's adjustment
that the pipeline and `watcher score` then use: 40 corrections of one recurring false positive
(shop promotions), and posts of the same kind in new wording are no longer ticketed while the
shipped figures hold."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.cli import main
from watcher.records import TicketStatus
from watcher.scoring import reference
from watcher.scoring.adjust import AdjustedScorer, Adjustment
from watcher.store import corrections as correction_store
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.tickets import learning
from watcher.tickets.corrections import Correction, correct

PRODUCTS = ["空气炸锅", "电热水壶", "扫地机器人", "破壁机", "电饭煲", "吹风机", "净水器", "加湿器",
            "电动牙刷", "微波炉", "洗碗机", "榨汁机", "电烤箱", "挂烫机", "除湿机", "咖啡机"]
OPENINGS = ["【限时秒杀】", "【爆款直降】", "【618狂欢】", "【双十一预售】", "【新品首发】", "【清仓特惠】",
            "今日特价：", "粉丝福利来了，", "好消息！", "店庆活动，", "年终大促，", "品牌特卖，"]
DEALS = ["直降{n}元", "第二件半价", "满{n}减{m}", "到手价只要{n}元", "前{m}名下单送赠品", "领券立减{m}元",
         "限量{m}台，抢完即止", "一口价{n}", "买一送一", "券后{n}元包邮", "下单返{m}元红包", "低至五折"]
PROMISES = ["质量问题7天包退", "坏了包换，售后无忧", "不满意无理由退货", "三年质保，故障上门维修",
            "运费险包邮到家", "收货有问题随时找客服退款", "用着不好七天退", "坏了免费换新",
            "退货运费我们出"]
CALLS = ["赶紧下单抢购吧", "点击链接马上抢", "手慢无，快冲", "戳链接下单", "快来直播间抢", "先到先得，别错过",
         "库存有限抓紧抢", "链接在评论区", "去主页下单", "速速下单"]
# The same kind of post in new wording: none of these sentences is built from the parts above.
NEW_WORDING = [
    "今晚八点直播间福利价，破壁机一口价两百九，下单再送杯子，坏了随时换新，售后放心",
    "周年庆大促开始啦！全店家电五折起，满三百包邮，质量问题无忧退换，库存不多抓紧抢",
    "年货节爆款电饭煲只要159，加购还送蒸笼，不好用七天包退，点主页链接购买",
    "粉丝专属优惠：扫地机器人券后899，买就送耗材一年，故障两年内免费换新，速抢",
    "清仓甩卖，最后50台加湿器白菜价，拍下立减40，有问题找客服秒退款，晚了就没了",
    "新品上市！智能净水器首发价1299，前100名加赠滤芯，三年只换不修，评论区留链接",
    "限时两小时，吹风机到手99元包邮，质量问题退货运费我们出，冲冲冲",
    "品牌日特惠：洗碗机直降一千，分期免息，售后一站式服务，不满意无理由退，快去抢购",
    "直播专享价，电烤箱买一送一，坏了直接换新机，名额有限先到先得",
    "双12提前购，咖啡机领券再减150，收货七天不喜欢包退，赶紧加入购物车",
    "宝宝们看过来，料理机秒杀价只要199，送价值59元配件，售后有保障放心买",
    "开学季钜惠，电动牙刷第二支一元，用着不满意随时退，戳下方链接",
]
# Real complaints that talk about sales: still tickets after learning.
REAL = ["秒杀买的空气炸锅用了两天就坏了，客服不理人，太差了",
        "直播间买的吹风机质量太差，申请退款被拒，再也不买了",
        "下单五天还没发货，催了客服三次都说在处理，什么服务"]


@pytest.fixture(autouse=True)
def _logging_kept() -> Iterator[None]:
    """`main()` points the root logger at this test's captured stderr; put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def promotion(rng: random.Random) -> str:
    n, m = rng.choice([99, 159, 199, 299, 399, 899]), rng.choice([20, 30, 50, 100, 150])
    parts = [rng.choice(DEALS).format(n=n, m=m), rng.choice(PROMISES), rng.choice(CALLS)]
    return rng.choice(OPENINGS) + rng.choice(PRODUCTS) + "，".join(parts)


def config_file(tmp_path: Path, database_url: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[watcher]\ndatabase = "{database_url}"\n[incidents]\nmin_complaints = 1000\n',
                    encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


FLOWS = iter(range(1, 1_000))


def flow(store: Store, receiver: Receiver) -> Flow:
    made = Flow(store, receiver, incidents={"min_complaints": 1000})
    made.count = 1000 * next(FLOWS)  # mention ids apart from an earlier flow's
    return made


def ticketed(flow: Flow, texts: list[str], when: Any, prefix: str) -> list[int]:
    """Takes each text from its own author; the ids of the tickets made."""
    made = []
    for i, text in enumerate(texts):
        before = flow.take(when + timedelta(seconds=i), flow.mention(text, f"{prefix}{i}"))
        if before.tickets:
            with flow.store.engine.connect() as conn:
                made.append(max(t.id for t in ticket_store.list_tickets(conn, status="open")))
    return made


def test_forty_corrections_of_one_false_positive_teach_the_scorer(
        store: Store, receiver: Receiver, database_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(tmp_path, database_url)
    shop = flow(store, receiver)
    rng, posts = random.Random(3), []
    while len(posts) < 40:  # 40 promotions the shipped scorer tickets
        text = promotion(rng)
        if text not in posts and shop.intake.scorer().score(text).level in (1, 2, 3):
            posts.append(text)
    ids = ticketed(shop, posts, at(23, 9), "店铺")
    assert len(ids) == 40
    before_new = ticketed(flow(store, receiver), [], at(23, 9), "x")  # nothing yet
    assert before_new == []
    shipped = AdjustedScorer(current=lambda: None)
    assert sum(shipped.score(t).level in (1, 2, 3) for t in NEW_WORDING) >= 10
    for ticket_id in ids[:-1]:
        correct(store, shop.config, ticket_id, Correction(not_complaint=True), actor="小李",
                now=at(23, 12))
    code, out, _ = run(capsys, "--config", config, "tickets", "correct", str(ids[-1]),
                       "--not-complaint", "--by", "小王")
    assert code == 0 and "false_positive" in out
    with store.engine.connect() as conn:
        closed = ticket_store.list_tickets(conn, status=TicketStatus.FALSE_POSITIVE)
        kept = correction_store.examples(conn)
    assert len(closed) == 40 and all(t.closed_at is not None for t in closed)
    assert len(kept) == 40 and not any(e.complaint for e in kept)
    assert {e.text for e in kept} == set(posts)

    code, out, _ = run(capsys, "--config", config, "retrain", "--by", "小李")
    assert code == 0, out
    assert out.startswith("kept: ")
    assert "online_shopping_8_clean" in out and "waimai_10k" in out

    later = flow(store, receiver)  # a scorer built now reads the kept adjustment
    new = ticketed(later, NEW_WORDING, at(24, 9), "新店铺")
    assert len(new) <= 3, [t for t in NEW_WORDING if later.intake.scorer().score(t).complaint]
    assert len(ticketed(later, REAL, at(24, 10), "顾客")) == len(REAL)
    adjusted = later.intake.scorer()
    why = adjusted.score(NEW_WORDING[0]).reasons
    assert any(r.code == "adjusted" for r in why)

    # The figures `make eval` prints, on the judging half of the shipped reference sample
    # (dev.csv), with the adjusted scorer the pipeline uses: none drops.
    _, judges = reference.halves()
    for name in {r.dataset for r in judges}:
        rows = [r for r in judges if r.dataset == name]
        old = learning._figures([r.neg for r in rows], [shipped.score(r.text) for r in rows])
        new_figures = learning._figures([r.neg for r in rows],
                                        [adjusted.score(r.text) for r in rows])
        for figure in ("precision", "recall", "f1"):
            assert new_figures[figure] >= old[figure] - learning.TOLERANCE, (name, figure)

    code, out, _ = run(capsys, "--config", config, "score", NEW_WORDING[1])
    assert code == 0 and json.loads(out)["complaint"] is False
    assert "adjusted" in json.loads(out)["reason_codes"]

    code, out, _ = run(capsys, "--config", config, "retrain")
    assert code == 1 and "no new corrections since the last fit" in out


def test_correction_errors(store: Store, receiver: Receiver, database_url: str,
                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(tmp_path, database_url)
    shop = flow(store, receiver)
    (ticket_id,) = ticketed(shop, ["收到的洗衣机外壳凹了一大块，联系换货三天没人理"], at(23, 9), "顾客")
    code, _, err = run(capsys, "--config", config, "tickets", "correct", "999", "--level", "2")
    assert code == 1 and "no ticket #999" in err
    with pytest.raises(SystemExit) as bad:
        main(["--config", config, "tickets", "correct", str(ticket_id), "--level", "7"])
    assert bad.value.code == 2 and "invalid choice: 7" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--config", config, "tickets", "correct", str(ticket_id), "--category", "weather"])
    capsys.readouterr()
    code, _, err = run(capsys, "--config", config, "tickets", "correct", str(ticket_id))
    assert code == 1 and "needs --not-complaint, --category or --level" in err
    code, _, err = run(capsys, "--config", config, "tickets", "correct", str(ticket_id),
                       "--not-complaint", "--level", "2")
    assert code == 1 and "no category or level" in err
    assert Correction(category="weather").problem() is not None
    assert Correction(level=0).problem() == "a level is 1 to 4, not 0"

    code, out, _ = run(capsys, "--config", config, "tickets", "correct", str(ticket_id),
                       "--category", "price", "--level", "2", "--by", "小李")
    assert code == 0 and "open, level 2, price" in out
    with store.engine.connect() as conn:
        ticket = ticket_store.get(conn, ticket_id)
        history = ticket_store.events(conn, ticket_id)
        (kept,) = correction_store.examples(conn)
    assert ticket is not None and (ticket.level, ticket.category) == (2, "price")
    assert ticket.department == "Billing" and ticket.status == "open"
    assert ticket.deadline == ticket.created_at + timedelta(minutes=30)
    assert history[-1]["action"] == "correct" and history[-1]["actor"] == "小李"
    assert history[-1]["data"]["level"] == [3, 2]
    assert history[-1]["data"]["category"][1] == "price"
    assert kept.complaint is True
    assert run(capsys, "--config", config, "tickets", "correct", str(ticket_id),
               "--not-complaint")[0] == 0
    code, _, err = run(capsys, "--config", config, "tickets", "correct", str(ticket_id),
                       "--level", "1")
    assert code == 1 and "reopen it first" in err
    assert run(capsys, "--config", config, "tickets", "reopen", str(ticket_id))[0] == 0


def test_retrain_errors(store: Store, receiver: Receiver, database_url: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                        ) -> None:
    from tests.servers import COMPLAINTS

    config = config_file(tmp_path, database_url)
    code, out, _ = run(capsys, "--config", config, "retrain")
    assert code == 1 and "no corrections yet: nothing to retrain" in out
    shop = flow(store, receiver)
    ids = ticketed(shop, COMPLAINTS[:12], at(23, 9), "顾客")
    assert len(ids) == 12
    for ticket_id in ids[:3]:
        correct(store, shop.config, ticket_id, Correction(not_complaint=True), actor="小李",
                now=at(23, 10))
    code, out, _ = run(capsys, "--config", config, "retrain")
    assert code == 1 and "too few corrections to learn from (3, at least 10)" in out
    # Real, varied complaints called "not a complaint": nothing carries to the held-back ones.
    for ticket_id in ids[3:]:
        correct(store, shop.config, ticket_id, Correction(not_complaint=True), actor="小李",
                now=at(23, 10))
    code, out, _ = run(capsys, "--config", config, "retrain")
    assert code == 1 and out.startswith("rejected: right on 0 of 3 held-back corrections")
    with store.engine.connect() as conn:
        assert correction_store.current(conn) is None
    assert AdjustedScorer(current=lambda: None).score(COMPLAINTS[0]).complaint


def test_an_adjustment_that_would_lower_the_shipped_figures_is_rejected(
        store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = flow(store, receiver)
    rng = random.Random(5)
    posts = []
    while len(posts) < 12:
        text = promotion(rng)
        if text not in posts:
            posts.append(text)
    for ticket_id in ticketed(shop, posts, at(23, 9), "店铺"):
        correct(store, shop.config, ticket_id, Correction(not_complaint=True), actor="小李",
                now=at(23, 10))
    monkeypatch.setattr(learning, "TOLERANCE", -1.0)  # only a better figure would do
    fit = learning.retrain(store, AdjustedScorer(current=lambda: None), by="小李",
                           now=at(23, 11))
    assert fit.state == "rejected"
    assert fit.note.startswith("rejected: it would make the shipped figures worse: ")


def test_the_nightly_fit_is_claimed_once(store: Store, receiver: Receiver) -> None:
    shop = flow(store, receiver)
    rng = random.Random(9)
    posts = list(dict.fromkeys(promotion(rng) for _ in range(30)))[:12]
    for ticket_id in ticketed(shop, posts, at(23, 9), "店铺"):
        correct(store, shop.config, ticket_id, Correction(not_complaint=True), actor="小李",
                now=at(23, 10))
    assert learning.pending(store)
    scorer = AdjustedScorer(current=lambda: None)
    tz = shop.config.tz
    assert learning.nightly(store, scorer, tz, at(24, 1, 59), by="replica-a") is None  # not yet
    first = learning.nightly(store, scorer, tz, at(24, 3), by="replica-a")
    assert first is not None and first.state in ("kept", "rejected")
    assert not learning.pending(store)
    assert learning.nightly(store, scorer, tz, at(24, 3, 10), by="replica-b") is None
    correct(store, shop.config, ticketed(shop, [promotion(rng)], at(24, 3, 5), "再")[0],
            Correction(not_complaint=True), actor="小李", now=at(24, 3, 6))
    again = learning.nightly(store, scorer, tz, at(24, 3, 20), by="replica-b")
    assert again is not None
    assert again.state == "nothing" and "claimed by another replica" in again.note
    assert learning.nightly(store, scorer, tz, at(24, 6, 0), by="replica-b") is None  # morning


def test_an_adjustment_survives_its_stored_form() -> None:
    made = Adjustment({"not": frozenset({"秒杀", "下单"})}, {"not": -8.0},
                      {"after_sales": (frozenset({"安装", "师傅"}), 0.2)})
    assert Adjustment.from_json(json.loads(json.dumps(made.to_json()))) == made
    assert made.category("安装师傅没来") == "after_sales" and made.category("质量很差") is None
    with pytest.raises(ValueError):
        Adjustment.from_json({"version": 1, "weights": {}})
    assert made.probability("秒杀下单", 0.9) < 0.3  # 2 of its 5 grams: 9 to 1 becomes 1 to 3
    assert made.probability("质量很差", 0.9) == 0.9


def test_the_reference_sample_is_rebuilt_byte_for_byte(shared: Path) -> None:
    assert reference.build(shared / "eval" / "dev.csv") == reference.PATH.read_bytes()
    anchors, judges = reference.halves()
    assert {r.dataset for r in judges} == {"online_shopping_8_clean", "smp2020_usual_eval",
                                           "waimai_10k"}
    assert not {r.text for r in anchors} & {r.text for r in judges}


def test_score_without_a_store_makes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WATCHER_CONFIG", raising=False)
    code, out, _ = run(capsys, "score", "快递一个星期都没到，客服也不回复，太差了")
    assert code == 0 and json.loads(out)["complaint"] is True
    assert list(tmp_path.iterdir()) == []


def test_the_report_leaves_out_what_staff_found_not_a_complaint(store: Store) -> None:
    from datetime import UTC, datetime

    from tests.console_harness import add_ticket
    from watcher.store import analysis

    config = Flow(store, Receiver()).config
    start = datetime.now(UTC) - timedelta(hours=1)
    kept, wrong = add_ticket(store, level=3), add_ticket(store, level=3, text="限时秒杀，快来抢购吧")
    correct(store, config, wrong, Correction(not_complaint=True), actor="小李",
            now=datetime.now(UTC))
    correct(store, config, kept, Correction(category="after_sales"), actor="小李",
            now=datetime.now(UTC))
    end = datetime.now(UTC) + timedelta(hours=1)
    with store.engine.connect() as conn:
        complaints = analysis.complaints(conn, start, end)
        made = analysis.tickets_made(conn, start, end)
    assert [(c.ticket_id, c.category) for c in complaints] == [(kept, "after_sales")]
    assert [t["id"] for t in made] == [kept]


def test_a_nightly_fit_that_dies_leaves_the_corrections_pending(
        store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = flow(store, receiver)
    for ticket_id in ticketed(shop, ["收到的洗衣机外壳凹了一大块，联系换货三天没人理"], at(23, 9), "顾客"):
        correct(store, shop.config, ticket_id, Correction(not_complaint=True), actor="小李",
                now=at(23, 10))
    scorer, tz = AdjustedScorer(current=lambda: None), shop.config.tz

    def dies(*_: Any) -> learning.Fit:
        raise MemoryError("killed")

    monkeypatch.setattr(learning, "_fit", dies)
    with pytest.raises(MemoryError):
        learning.nightly(store, scorer, tz, at(24, 3), by="replica-a")
    assert learning.pending(store)
    monkeypatch.undo()
    fit = learning.nightly(store, scorer, tz, at(25, 3), by="replica-a")
    assert fit is not None and fit.note.startswith("too few corrections")


INSTALLERS = ["安装师傅", "上门安装的师傅", "装空调的师傅", "安装工", "厂家派来的安装人员", "售后安装师傅"]
INSTALLED = ["迟到了三个小时", "放了我两次鸽子", "把墙打了个大洞不管", "多收了两百块材料费", "装完一地灰也不打扫",
             "说好今天上门安装又改期", "装歪了还说没问题", "安装完热水器就漏水", "打孔打穿了水管",
             "电话不接也不来安装"]
ENDINGS = ["，太差了", "，非常失望", "，什么服务", "，气死了", "，差评", "，耽误我一整天"]
INSTALLATION_NEW = ["预约了周六上门装洗衣机，等了一整天人都没来", "装修师傅装的灯具松松垮垮，一碰就掉",
                    "空调安装完外机一直滴水，叫人来看也不管", "安装人员把地板划了好几道，还不承认"]


def test_category_corrections_teach_the_category(
        store: Store, receiver: Receiver, database_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Installation complaints the shipped scorer files under other, service, price...: staff
    say after-sales (the handbooks' owner of installation); new ones are filed there, and one
    the shipped scorer found only mildly negative (level 4, no ticket) becomes a ticket."""
    config = config_file(tmp_path, database_url)
    shop = flow(store, receiver)
    rng, texts = random.Random(2), []
    shipped = AdjustedScorer(current=lambda: None)
    while len(texts) < 16:
        text = rng.choice(INSTALLERS) + rng.choice(INSTALLED) + rng.choice(ENDINGS)
        score = shipped.score(text)
        if text not in texts and score.level in (1, 2, 3) and score.category != "after_sales":
            texts.append(text)
    for ticket_id in ticketed(shop, texts, at(23, 9), "顾客"):
        correct(store, shop.config, ticket_id, Correction(category="after_sales"), actor="小李",
                now=at(23, 12))
    code, out, _ = run(capsys, "--config", config, "retrain")
    assert code == 0 and "categories learnt: after_sales" in out
    assert [shipped.score(t).category for t in INSTALLATION_NEW].count("after_sales") == 0
    assert shipped.score(INSTALLATION_NEW[2]).level == 4
    later = flow(store, receiver)
    learnt = [later.intake.scorer().score(t) for t in INSTALLATION_NEW]
    assert [s.category for s in learnt].count("after_sales") >= 2
    assert learnt[2].category == "after_sales" and learnt[2].level == 3
    assert any(r.code == "adjusted_category" for r in learnt[2].reasons)
    (ticket_id,) = ticketed(later, INSTALLATION_NEW[2:3], at(24, 9), "新顾客")
    with store.engine.connect() as conn:
        ticket = ticket_store.get(conn, ticket_id)
    assert ticket is not None and (ticket.category, ticket.department) == ("after_sales",
                                                                           "After-sales")
