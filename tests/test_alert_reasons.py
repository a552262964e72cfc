"""A ticket's reasons in Chinese for the people on duty (watcher/reasons.py): every reason the
scorer and the store write has a Chinese form; anything else is shown as written."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.render import TicketAlert, render_ticket
from tests.helpers import legacy_reasons
from tests.test_scoring_rules import CASES
from watcher.reasons import Reason, ReasonCode, reason, render
from watcher.scoring import Scorer

ENGLISH_TEMPLATE_WORDS = re.compile(r"\b(level|threshold|probability|category|complaint|"
                                    r"strongest|words|risk|rule|author|burst|politely)\b")


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def every_reason(scorer: Scorer) -> set[Reason]:
    reasons: set[Reason] = set()
    for case in CASES:
        reasons.update(scorer.score(case["text"]).reasons)
    for text in ("this blender is broken and support is terrible", "", "请问这款有蓝色的吗？",
                 "今天天气不错", "又坏了，还是没人管"):
        reasons.update(scorer.score(text).reasons)
    # the store's own (watcher/tickets: repeats, incidents)
    reasons.update([reason(ReasonCode.REPEAT), reason(ReasonCode.INCIDENT, incident=3)])
    return reasons


def in_chinese(written: str) -> str:
    return "；".join(render(r, "zh") for r in legacy_reasons(written))


def test_every_reason_the_scorer_and_the_store_write_reads_in_chinese(scorer: Scorer) -> None:
    reasons = every_reason(scorer)
    assert len(reasons) > 50
    for value in reasons:
        reason, shown = render(value), render(value, "zh")
        assert shown != reason, reason
        assert not ENGLISH_TEMPLATE_WORDS.search(shown), (reason, shown)


@pytest.mark.parametrize(("written", "shown"), [
    ("complaint probability 0.90 >= threshold 0.49 [model] (strongest words: 再不, 投诉, 不处)",
     "投诉概率 0.90 ≥ 阈值 0.49（模型），主要依据：再不、投诉、不处"),
    ("complaint probability 0.12 < threshold 0.49 [model + snownlp]",
     "投诉概率 0.12 < 阈值 0.49（模型 + snownlp）"),
    ("safety (level 1, safety or injury risk): '漏电', '触电'", "安全（L1）：漏电、触电"),
    ("category product_quality (Quality): 漏电", "类别 产品质量 → 质量/技术部：漏电"),
    ("level 1: risk rule", "等级 L1：触发风险规则"),
    ("level 4: suggestion", "等级 L4：建议"),
    ("group: 事件 #3", "群体投诉：事件 #3"),
    # an admin's own rule keeps its own description
    ("recall (level 2, 产品召回): '召回'", "产品召回（L2）：召回"),
    # nothing known: as written
    ("safety: 漏电", "safety: 漏电"),
    ("因为测试", "因为测试"),
])
def test_examples(written: str, shown: str) -> None:
    assert in_chinese(written) == shown


def test_the_chat_alert_gives_the_reasons_in_chinese(scorer: Scorer) -> None:
    score = scorer.score("刚买的热水器漏电，太危险了！再不处理我就打12315投诉")
    alert = TicketAlert(ticket_id=7, level=1, category=score.category,
                        department=score.department, platform="weibo", source="weibo-kw",
                        author="用户甲", text="…", url=None,
                        deadline=datetime(2026, 11, 23, 5, tzinfo=UTC), reasons=score.reasons)
    _, body = render_ticket(alert, ZoneInfo("Asia/Shanghai"))
    reasons = next(line for line in body.splitlines() if line.startswith("原因："))
    assert "安全（L1）：漏电" in reasons and "监管投诉（L2）：12315" in reasons
    assert "complaint probability" not in reasons and "投诉概率" in reasons


def test_a_dissatisfied_follow_up_reads_in_both_languages() -> None:
    from watcher.reasons import ReasonCode, reason, render

    said = reason(ReasonCode.UNSATISFIED, score=2)
    assert render(said) == "unsatisfied: follow-up score 2 of 5"
    assert render(said, "zh") == "回访不满意：满意度 2 分（满分 5 分），退回主管处理"
