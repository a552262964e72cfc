"""Table-driven tests of the escalation-risk rules, levels and categories.

The cases live in tests/fixtures/scoring/rules_cases.toml: every text rule with its negated,
reported, resolved, positive and traditional-character variants.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from watcher.reasons import english
from watcher.scoring import RISK_RULES, Scorer

CASES_FILE = Path(__file__).parent / "fixtures" / "scoring" / "rules_cases.toml"
CASES: list[dict[str, Any]] = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]
TEXT_RULES = [r for r in RISK_RULES if r not in ("repeat", "group")]


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def test_enough_cases_cover_every_text_rule() -> None:
    assert len(CASES) >= 60
    for rule in TEXT_RULES:
        firing = [c for c in CASES if rule in c["risks"]]
        silent = [c for c in CASES if rule not in c["risks"] and c["risks"] == []]
        assert firing, f"no case fires {rule}"
        assert silent, f"no case where {rule} must stay silent"


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c['why']}" for i, c in enumerate(CASES)])
def test_case(scorer: Scorer, case: dict[str, Any]) -> None:
    score = scorer.score(case["text"])
    assert sorted(score.risks) == sorted(case["risks"]), score.reasons
    if "level" in case:
        assert score.level == case["level"], score.reasons
    if "category" in case:
        assert score.category == case["category"], score.reasons
    if "complaint" in case:
        assert score.complaint is case["complaint"], score.reasons
    for rule in score.risks:
        assert any(reason.startswith(rule) for reason in english(score.reasons)), score.reasons


def test_rule_reason_names_the_words(scorer: Scorer) -> None:
    score = scorer.score("再不退款我就去12315投诉，还要找媒体曝光")
    assert score.risks == ("regulator", "media")
    regulator = next(r for r in english(score.reasons) if r.startswith("regulator"))
    media = next(r for r in english(score.reasons) if r.startswith("media"))
    assert "12315" in regulator
    assert "曝光" in media


def test_risk_makes_a_complaint_even_when_the_model_is_unsure(scorer: Scorer) -> None:
    score = scorer.score("已经向市场监管局举报了", threshold=0.99)
    assert score.complaint is True
    assert score.level == 2


def test_weibo_noise_does_not_hide_a_rule(scorer: Scorer) -> None:
    text = ('<a href="https://m.weibo.cn/search?q=x">#维权#</a> @某某客服 你们再不处理我就去12315 '
            "http://t.cn/AbCdEf //@路人甲:转发微博")
    assert scorer.score(text).risks == ("regulator",)
