"""Frames (watcher/scoring/structure.py) and the context checks added with them
(watcher/scoring/engine.py): each behaviour on one small text."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.errors import ScoringConfigError
from watcher.scoring import Scorer, normalize, structure
from watcher.scoring.cases import load as load_cases


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def _words(scorer: Scorer, text: str, rule: str) -> set[str]:
    return {h.word for h in scorer.matcher.hits(normalize.clean(text)) if h.rule == rule}


def test_every_frame_compiles_and_every_class_is_used() -> None:
    frames = structure.compiled()
    assert set(frames) == {"safety", "money", "regulator", "media", "legal", "deadline",
                           "repeat", "group"}
    used = "".join(pattern for _, pattern in structure.FRAMES) + structure.CROWD_COMPLAINT
    unused = [name for name in structure.CLASSES if "{" + name + "}" not in used
              and not any("{" + name + "}" in c for c in structure.CLASSES.values())]
    assert unused == []


def test_a_frame_hit_names_its_words(scorer: Scorer) -> None:
    assert _words(scorer, "开水溅到我胳膊上,起了一大片水泡", "safety") >= {"开水", "溅"}
    assert _words(scorer, "冒充客服的人让我转了两千过去", "money") >= {"冒充", "转了"}
    assert _words(scorer, "这件事我会发到抖音上", "media") >= {"抖音", "发到"}


def test_a_guarded_character_does_not_fire_inside_a_common_word(scorer: Scorer) -> None:
    assert scorer.score("摄像头省了外接的麻烦,手机屏幕划算").risks == ()
    assert scorer.score("我的手指被划破了").risks == ("safety",)


@pytest.mark.parametrize("text", [
    "本来以为充电器会很烫,后来发现温度正常",       # counterfactual
    "电视剧里女主的账户被盗,剧情太狗血了",         # framing: fiction
    "电动车在室内充电有起火风险吗",                 # a yes/no question
    "吃海鲜过敏的话能不能喝点醋",                   # a condition
])
def test_what_did_not_happen_to_the_writer_does_not_fire(scorer: Scorer, text: str) -> None:
    assert scorer.score(text).risks == ()


def test_a_demanded_resolution_is_not_a_resolution(scorer: Scorer) -> None:
    assert scorer.score("明天中午12点之前退款到账,否则后果自负").risks == ("deadline",)
    assert scorer.score("退款到账了,谢谢").risks == ()


def test_admin_files_extend_the_new_context_lists_and_rules(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text('[context]\nframing = ["演唱会"]\n[rules.group]\nwords = ["拼单翻车"]\n',
                     encoding="utf-8")
    scorer = Scorer(rules_files=[extra])
    assert scorer.score("演唱会上他们说被盗刷了").risks == ()
    assert scorer.score("我们十个人拼单翻车了").risks == ("group",)
    bad = tmp_path / "bad.toml"
    bad.write_text('[context]\ncounterfactual = "本来"\n', encoding="utf-8")
    with pytest.raises(ScoringConfigError, match="counterfactual"):
        Scorer(rules_files=[bad])


def test_a_frame_gate_is_a_necessary_condition_of_its_frame() -> None:
    """A gate skips a frame only on texts the frame cannot match (speed, not judgement)."""
    texts = [c.text.lower() for c in load_cases(Path(__file__).parent / "fixtures" / "scoring")]
    gated = [(g, f) for pairs in structure.gated().values() for g, f in pairs if g is not None]
    assert gated
    matched = 0
    for gate, frame in gated:
        for text in texts:
            if frame.search(text):
                matched += 1
                assert gate.search(text), (frame.pattern[:40], text)
    assert matched > 50
