"""The learned risk component (watcher/scoring/risk_model.py): its file, and how the scorer
combines it with the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.scoring import Scorer, model, normalize, risk_model

CAUGHT = "有塑料纸在饭里"  # a foreign object told in an order no rule frame describes


def test_a_risk_model_file_round_trips(tmp_path: Path) -> None:
    made = risk_model.RiskModel({"safety": ({"钢丝": 10.0, "好吃": -10.0}, -1.0, 0.6)})
    path = tmp_path / "risk.tsv.gz"
    risk_model.dump(made, path)
    read = risk_model.load.__wrapped__(path)
    assert read.rules == made.rules
    assert [f.rule for f in read.detect("菜里有钢丝钢丝钢丝")] == ["safety"]
    assert read.detect("菜里有钢丝钢丝钢丝", frozenset({"safety"})) == []
    assert read.detect("很好吃") == []


def test_a_risk_model_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown risk model format"):
        risk_model.parse('{"format": "something-else/9", "rules": {}}\n')


def test_no_risk_model_file_means_no_learned_risks(tmp_path: Path) -> None:
    empty = risk_model.load.__wrapped__(tmp_path / "absent.tsv.gz")
    assert empty.rules == {} and empty.detect("钢丝") == []


def test_the_learned_component_catches_what_the_rules_miss() -> None:
    scorer = Scorer()
    assert scorer.matcher.hits(normalize.clean(CAUGHT)) == []
    score = scorer.score(CAUGHT)
    assert score.risks == ("safety",) and score.level == 1 and score.complaint
    risk = next(r for r in score.reasons if r.rule == "safety")
    assert "塑料" in risk.words


def test_a_learned_risk_is_checked_in_its_context() -> None:
    assert Scorer().score("朋友说" + CAUGHT).risks == ()


def test_a_cross_validation_model_is_measured_without_the_learned_component() -> None:
    assert Scorer(model=model.load()).score(CAUGHT).risks == ()
