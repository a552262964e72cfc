"""The complaint model, the Score interface, thresholds and the rules-file loader."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path

import pytest

from watcher.reasons import english
from watcher.scoring import (
    CATEGORIES,
    RISK_RULES,
    Score,
    Scorer,
    ScoringConfigError,
    default_threshold,
    score_to_dict,
    snowlite,
)
from watcher.scoring import model as model_mod

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "dev.csv"
NEGATIVE = ["外卖送了两个小时，饭菜全凉了，太差劲了，再也不点了", "质量太差，用了三天就坏了，垃圾"]
POSITIVE = ["味道很好，送餐很快，好评！", "东西不错，物流很快，非常满意"]


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def test_import_is_light() -> None:
    code = ("import sys, watcher.scoring as s; heavy = {'snownlp', 'numpy', 'sklearn', 'scipy'};"
            "sc = s.Scorer(); sc.score('太差了'); print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_model_loads() -> None:
    m = model_mod.load()
    assert 1_000 < len(m.weights) <= 200_000
    assert 0.05 < default_threshold() < 0.95
    assert m.platt[0] > 0  # a higher raw score must mean a likelier complaint


def test_clear_cases(scorer: Scorer) -> None:
    for text in NEGATIVE:
        assert scorer.score(text).probability > 0.8, text
    for text in POSITIVE:
        assert scorer.score(text).probability < 0.2, text


def test_score_fields(scorer: Scorer) -> None:
    s = scorer.score(NEGATIVE[0])
    assert isinstance(s, Score)
    assert s.complaint is True
    assert 0.0 <= s.probability <= 1.0
    assert s.sentiment == pytest.approx(1.0 - s.probability, abs=1e-3)
    assert s.level in (1, 2, 3, 4)
    assert s.category in CATEGORIES
    assert s.department == CATEGORIES[s.category]
    assert set(s.risks) <= set(RISK_RULES)
    assert s.reasons and all(isinstance(r, str) and r for r in english(s.reasons))
    d = score_to_dict(NEGATIVE[0], s)
    assert list(d)[:8] == ["text", "complaint", "sentiment", "level", "category", "reasons",
                           "probability", "risks"]
    praise = scorer.score(POSITIVE[0])
    assert praise.complaint is False and praise.level is None


def test_threshold_is_respected() -> None:
    text = "一般般吧，没什么特别的"
    p = Scorer().score(text).probability
    assert Scorer(threshold=max(0.0, p - 0.01)).score(text).complaint is True
    assert Scorer(threshold=min(1.0, p + 0.01)).score(text).complaint is False
    # A per-call threshold (a source's `threshold`) wins over the scorer's default.
    strict = Scorer(threshold=0.0)
    assert strict.score(text, threshold=min(1.0, p + 0.01)).complaint is False
    assert [s.complaint for s in strict.score_many([text], threshold=1.0)] == [False]


@pytest.mark.parametrize("bad", [-0.1, 1.5, "high"])
def test_bad_threshold(bad: object) -> None:
    with pytest.raises(ScoringConfigError, match="threshold"):
        Scorer(threshold=bad)  # type: ignore[arg-type]


def test_title_is_scored(scorer: Scorer) -> None:
    s = scorer.score("如题", title="我要去12315投诉你们")
    assert s.risks == ("regulator",)


def test_english_uses_the_lexicon(scorer: Scorer) -> None:
    bad = scorer.score("This update is terrible, the app crashes and support is useless")
    good = scorer.score("Thanks, works great, excellent support")
    assert bad.complaint and not good.complaint
    assert "English lexicon" in english(bad.reasons)[0]


def test_probability_is_calibrated_on_dev_sample(scorer: Scorer) -> None:
    if not DEV.is_file():
        pytest.skip(f"{DEV} not present")
    with DEV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    picked = random.Random(3).sample(rows, 3000)
    bins: dict[int, list[tuple[float, int]]] = {}
    for r in picked:
        p = scorer.score(r["text"]).probability
        bins.setdefault(min(int(p * 5), 4), []).append((p, int(r["neg"])))
    for b, items in bins.items():
        if len(items) < 100:
            continue
        mean_p = sum(p for p, _ in items) / len(items)
        rate = sum(y for _, y in items) / len(items)
        assert abs(mean_p - rate) < 0.15, (b, mean_p, rate, len(items))


def test_dump_parse_round_trip_is_deterministic(tmp_path: Path) -> None:
    m = model_mod.Model(weights={"差": 1.5, "好": -1.25, "太慢": 2.0}, intercept=-0.1,
                        dense=(0.5, -0.5, 0.0, 0.1), platt=(1.2, 0.1), snow_weight=0.2,
                        snow_band=0.5, threshold=0.45, meta={"k": "v"})
    a, b = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    model_mod.dump(m, a)
    model_mod.dump(m, b)
    assert a.read_bytes() == b.read_bytes()
    import gzip

    back = model_mod.parse(gzip.decompress(a.read_bytes()).decode("utf-8"))
    assert back.weights == m.weights and back.dense == m.dense and back.threshold == 0.45
    assert back.probability("太慢了", "太慢了") > back.probability("好", "好")


@pytest.mark.skipif(not snowlite.available(), reason="snownlp not installed")
def test_snowlite_reads_snownlps_classifier() -> None:
    assert snowlite.negative_logit("质量太差了，非常失望") > 0
    assert snowlite.negative_logit("非常好，很满意，推荐") < 0


# --- rules files ------------------------------------------------------------------------

def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "my_rules.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "problem"), [
    ("[rules.safety\nwords = 1", "not valid TOML"),
    ('[rules.weather]\nwords = ["下雨"]', "weather"),
    ('[rules.safety]\nwords = "漏电"', "list of strings"),
    ('[rules.safety]\npatterns = ["(unclosed"]', "bad regular expression"),
    ('[rules.safety]\ncolour = "red"', "colour"),
    ('[rules.safety]\nword = ["漏电"]', "unknown key 'word'; did you mean 'words'? (allowed: "),
    ("[rules.media]\nlevel = 3", "must be 1 or 2"),
    ('[categories.weather]\nwords = ["雨"]', "weather"),
    ("[context]\nnegation_window = -1", "negation_window"),
    ("format = 2", "unsupported format"),
])
def test_bad_rules_file_names_file_and_problem(tmp_path: Path, body: str, problem: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ScoringConfigError) as err:
        Scorer(rules_files=[path])
    assert str(path) in str(err.value)
    assert problem in str(err.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ScoringConfigError, match="not found"):
        Scorer(rules_files=[tmp_path / "nope.toml"])


def test_admin_rules_extend_the_shipped_ones(tmp_path: Path) -> None:
    text = "这台机器的刀片飞出来了"
    assert Scorer().score(text).risks == ()
    path = _write(tmp_path, '[rules.safety]\nwords = ["刀片飛出"]\n'
                            '[categories.product_quality]\ndepartment = "QA"\n')
    s = Scorer(rules_files=[path]).score(text)
    assert s.risks == ("safety",) and s.level == 1
    assert s.category == "product_quality" and s.department == "QA"
