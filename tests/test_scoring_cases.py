"""The issue-14 case set (tests/fixtures/scoring/part*_*.toml) as table-driven tests.

Failing cases are kept in the set: the tests assert the floors measured on each part (minus a
margin, so a change that loses recall or precision fails), that every level-1 positive of
part 1 is caught with its rule, that a level 1-2 risk is always a complaint, and that every
reason of every case names whole words. Figures: tests/fixtures/scoring/RESULTS.md.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from watcher.reasons import ReasonCode, chinese
from watcher.scoring import Scorer, normalize
from watcher.scoring.cases import Case, Summary, found, load, summarize
from watcher.scoring.scorer import Score
from watcher.scoring.words import is_word

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
CASES = load(FIXTURES)
PART1 = [c for c in CASES if c.part == "part1"]
PART2 = [c for c in CASES if c.part == "part2"]
PART3 = [c for c in CASES if c.part == "part3"]
PART4 = [c for c in CASES if c.part == "part4"]
PART5 = [c for c in CASES if c.part == "part5"]
PART6 = [c for c in CASES if c.part == "part6"]
RULE_CASES = [c["text"] for c in tomllib.loads(
    (FIXTURES / "rules_cases.toml").read_text(encoding="utf-8"))["case"]]
MARGIN = 0.05
Floors = dict[str, tuple[float, float | None]]
# Measured after the rules were frozen (tag riskrules-frozen), RESULTS.md: (recall, precision).
PART1_FLOORS = {"safety": (1.00, 0.98), "money": (1.00, 0.98), "regulator": (1.00, 1.00),
                "media": (1.00, 1.00), "legal": (1.00, 1.00), "complaint_platform": (1.00, 1.00),
                "deadline": (1.00, 1.00), "repeat": (1.00, 1.00), "group": (1.00, 1.00)}
PART1_NEGATIVES_FIRED = 0.00
# Part 2, written after the round-1 freeze (its honest figures: 0.53 found, 0.20 of the hard
# negatives fired), then used to develop round 2: in-sample since (tag risk2-frozen).
PART2_FLOORS: Floors = {
    "safety": (0.95, 0.98), "money": (1.00, 1.00), "regulator": (1.00, 1.00),
    "media": (1.00, 1.00), "legal": (1.00, 1.00), "complaint_platform": (1.00, 1.00),
    "deadline": (1.00, 1.00), "repeat": (1.00, 1.00), "group": (1.00, 1.00)}
PART2_FOUND = 0.97
PART2_NEGATIVES_FIRED = 0.00
# Part 3, written before round 2 changed anything (round 1 on it: 0.72 found, 0.19 of the hard
# negatives fired), then used to develop round 2: in-sample since.
PART3_FLOORS: Floors = {
    "safety": (1.00, 1.00), "money": (1.00, 0.93), "regulator": (1.00, 1.00),
    "media": (1.00, 1.00), "legal": (1.00, 1.00), "complaint_platform": (1.00, 1.00),
    "deadline": (1.00, 1.00), "repeat": (0.75, 1.00), "group": (1.00, 1.00)}
PART3_FOUND = 0.99
PART3_NEGATIVES_FIRED = 0.00
# Part 4, written after round 2 was frozen (tag risk2-frozen; round 2 on it: 0.68 found, 0.12 of
# the hard negatives fired), then used to develop round 3: in-sample since (tag risk3-frozen).
PART4_FLOORS: Floors = {
    "safety": (1.00, 0.98), "money": (1.00, 1.00), "regulator": (1.00, 1.00),
    "media": (1.00, 1.00), "legal": (1.00, 0.80), "complaint_platform": (1.00, 1.00),
    "deadline": (1.00, 1.00), "repeat": (1.00, 1.00), "group": (1.00, 1.00)}
PART4_FOUND = 1.00
PART4_NEGATIVES_FIRED = 0.00
# Part 5, written after round 3 was frozen (tag risk3-frozen; round 3 on it: 0.64 found, 0.17 of
# the hard negatives fired), then used to develop round 4: in-sample since.
PART5_FLOORS: Floors = {
    "safety": (1.00, 1.00), "money": (1.00, 1.00), "regulator": (1.00, 1.00),
    "media": (1.00, 1.00), "legal": (1.00, 1.00), "complaint_platform": (1.00, 1.00),
    "deadline": (1.00, 1.00), "repeat": (1.00, 1.00), "group": (1.00, 1.00)}
PART5_FOUND = 1.00
PART5_NEGATIVES_FIRED = 0.00
# Part 6, written blind while round 4 was developed (the writer never read the rules, the scorer
# or the earlier cases) and measured once on the frozen round 4 (commit acec0e0): held out.
# Round 3 on it: 0.69 found, 0.17 of the hard negatives fired.
PART6_FLOORS: Floors = {
    "safety": (0.81, 0.90), "money": (0.45, 0.77), "regulator": (0.75, 1.00),
    "media": (0.62, 1.00), "legal": (0.88, 0.78), "complaint_platform": (1.00, 1.00),
    "deadline": (1.00, 1.00), "repeat": (0.33, 1.00), "group": (0.50, 1.00)}
PART6_FOUND = 0.72
PART6_NEGATIVES_FIRED = 0.17
# Letters, digits and the few marks a rule word may hold ("12315", "4s店", "class-action").
_RISK_WORD = re.compile(r"[\w\-]+(?: [\w\-]+)*")


@pytest.fixture(scope="module")
def scored() -> dict[str, Score]:
    scorer = Scorer()
    texts = {c.text for c in CASES} | set(RULE_CASES)
    return {t: scorer.score(t) for t in sorted(texts)}


def _summary(cases: list[Case], scored: dict[str, Score]) -> Summary:
    return summarize(cases, [scored[c.text] for c in cases])


def test_the_case_set_is_large_and_has_hard_negatives() -> None:
    assert len(PART1) >= 400 and len(PART2) >= 150
    assert len(PART3) >= 150 and len(PART4) >= 120 and len(PART5) >= 120 and len(PART6) >= 160
    for part in (PART3, PART4, PART5, PART6):
        negatives = sum(1 for c in part if not c.rules)
        assert 0.3 <= negatives / len(part) <= 0.5
    assert sum(1 for c in PART1 if not c.rules) >= 100
    for rule in PART1_FLOORS:
        assert any(rule in c.rules for c in PART1), rule
    kinds = {c.negative for c in PART1 if not c.rules}
    assert {"negated", "hypothetical", "counterfactual", "reported", "resolved",
            "advertising", "fiction", "joking"} <= kinds


def test_case_files_reject_an_unknown_rule(tmp_path: Path) -> None:
    (tmp_path / "part1_x.toml").write_text(
        '[[group]]\nkind = "k"\nrules = ["saftey"]\ntexts = ["x"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="saftey"):
        load(tmp_path)


def _check_floors(summary: Summary, floors: Floors) -> None:
    for rule, (recall, precision) in floors.items():
        figures = summary.rule(rule)
        assert figures.recall is not None and figures.recall >= recall - MARGIN, figures
        if precision is not None:
            assert figures.precision is not None, figures
            assert figures.precision >= precision - MARGIN, figures


def test_part1_per_rule_floors(scored: dict[str, Score]) -> None:
    summary = _summary(PART1, scored)
    _check_floors(summary, PART1_FLOORS)
    assert summary.negatives_fired / summary.negatives <= PART1_NEGATIVES_FIRED + MARGIN


@pytest.mark.parametrize(("part", "floors", "found_floor", "fired_ceiling"), [
    (PART2, PART2_FLOORS, PART2_FOUND, PART2_NEGATIVES_FIRED),
    (PART3, PART3_FLOORS, PART3_FOUND, PART3_NEGATIVES_FIRED),
    (PART4, PART4_FLOORS, PART4_FOUND, PART4_NEGATIVES_FIRED),
    (PART5, PART5_FLOORS, PART5_FOUND, PART5_NEGATIVES_FIRED),
    (PART6, PART6_FLOORS, PART6_FOUND, PART6_NEGATIVES_FIRED),
], ids=["part2", "part3", "part4", "part5", "part6"])
def test_later_parts_per_rule_floors(scored: dict[str, Score], part: list[Case], floors: Floors,
                                     found_floor: float, fired_ceiling: float) -> None:
    summary = _summary(part, scored)
    _check_floors(summary, floors)
    assert summary.found / summary.positives >= found_floor - MARGIN
    assert summary.negatives_fired / summary.negatives <= fired_ceiling + MARGIN


LEVEL1 = [c for c in PART1 if c.level == 1]


@pytest.mark.parametrize("case", LEVEL1, ids=[c.text[:24] for c in LEVEL1])
def test_every_level1_positive_of_part1_is_caught(scored: dict[str, Score], case: Case) -> None:
    score = scored[case.text]
    assert found(case, score), score.reasons
    assert score.complaint is True


def test_a_level_1_or_2_risk_is_a_complaint_whatever_the_model_says(
        scored: dict[str, Score]) -> None:
    risky = [s for s in scored.values() if s.level in (1, 2)]
    assert len(risky) > 250
    assert all(s.complaint for s in risky)
    score = Scorer().score("开水溅到我胳膊上，起了一大片水泡", threshold=1.0)
    assert score.complaint is True and score.level == 1


def test_every_reason_of_every_case_names_whole_words(scored: dict[str, Score]) -> None:
    model_words = 0
    for text, score in scored.items():
        folded = normalize.fold(normalize.clean(text))
        for r in score.reasons:
            for word in r.words:
                assert word and word == word.strip(), (text, r)
                if r.code is ReasonCode.COMPLAINT_LIKELY and r.rule.startswith("model"):
                    model_words += 1
                    assert is_word(word) and word in folded, (text, r)
                else:
                    assert _RISK_WORD.fullmatch(word), (text, r)
        for line in chinese(score.reasons):
            assert "、、" not in line and not line.endswith(("、", "：")), (text, line)
    assert model_words > 300


def test_the_fragments_staff_saw_are_gone() -> None:
    scorer = Scorer()
    for text, fragments in (("这手机充电器太吓人了", ("人了", "太吓", "手机充")),
                            ("太差了、、极差！", ("差、", "、"))):
        first = scorer.score(text).reasons[0]
        assert first.words, first
        assert not set(first.words) & set(fragments), first.words
        assert "、、" not in chinese([first])[0]
