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


# Round 4: one text per kind of failure part 5 showed, each written apart from part 5 (the
# frames are categories, so a new phrasing of the same kind must fire) with a near miss that
# must not.
@pytest.mark.parametrize(("text", "risks"), [
    # an injury told by what it left on a body part, across a comma
    ("锅柄突然断了，一锅热汤全扣在我脚背上，到现在还是一片水泡", ("safety",)),
    ("穿在身上掉色严重，盐水泡了一天还是掉色", ()),
    # a person knocked down, told with 把
    ("送水的电动三轮把老人刮倒在小区门口，到现在没人负责", ("safety",)),
    # burnt through; a wheel off; a seat giving way; a structure apart at a touch
    ("电热毯把床单烧出了一个洞，半夜被呛醒", ("safety",)),
    ("婴儿床的护栏一推就掉，孩子差点从上面翻下来", ("safety",)),
    ("新买的办公椅靠背突然往后倒，我后脑勺磕在柜子上", ("safety",)),
    # mould as a noun, but not bad luck
    ("买的卤牛肉切开里面有一块灰绿色的霉", ("safety",)),
    ("最近真倒霉，出门就下雨", ()),
    # money moved then gone: blocked, deleted, sealed, run off
    ("交完押金第二天房东就把我微信删了，电话也不接", ("money",)),
    ("办了三千块的美容卡，才去两次店就人去楼空", ("money",)),
    ("微信零钱里的四百多块钱一觉醒来变成了几毛钱", ("money",)),
    ("支付宝余额宝的收益这个月少了点，正常波动", ()),
    # a stranger who knows what only the shop knew
    ("快递员刚走，就有人加我微信，连我家门牌号都知道", ("money",)),
    # threats told as done
    ("刚刚拨打了幺二三四五，说会转给属地处理", ("regulator",)),
    ("都市报的新闻热线我已经打过电话了，等着吧", ("media",)),
    ("我在抖音上看到你们的直播才下单的，很满意", ()),
    # a deadline told by its consequence; a date promised is not a demand
    ("周三下班前不给我答复，后果你们自己承担", ("deadline",)),
    ("快递员说周六之前会送到，辛苦了", ()),
    # repeats by count and time span
    ("空调已经返修两回了，这周又漏水", ("repeat",)),
    ("半个月了，我天天打电话催，到现在还是没有结果", ("repeat",)),
    ("已经使用了两天了，还没有发现什么问题，性价比还是蛮高的", ()),
    # a counted crowd whose things failed
    ("这个楼盘交房后，一百多户业主发现墙体开裂", ("group",)),
    ("群发短信15条时会死机", ()),
    # fresh kinds: a lift trapping people, a dangerous driver, a possibility named after the
    # word, someone else's promised date, chased again and again for a span of time
    ("电梯到了楼层门不开，关了我们二十分钟，里面闷得喘不过气", ("safety",)),
    ("网约车司机一路打电话，还闯了两个红灯，吓得我一直抓着扶手", ("safety",)),
    ("看到网上说这个型号有自燃风险，我这个用了两年都挺好", ()),
    ("店长说明天之前给我回电话，希望能说到做到", ()),
    ("前后沟通了快一个月，每次都说在走流程", ("repeat",)),
    ("退款申请了一周还没到账，效率太低了", ()),
    # hard negatives: cleared suspicion, money sent back, a talk, a profession
    ("一开始怀疑被盗刷，后来发现是家人用了我的卡", ()),
    ("上次多扣的费用，客服已经原路退回了", ()),
    ("派出所的民警来小区讲座，讲了冒充客服的骗局", ()),
    ("我老公是做律师的，帮我看了下合同条款", ()),
])
def test_round4_kinds_fire_and_near_misses_do_not(scorer: Scorer, text: str,
                                                  risks: tuple[str, ...]) -> None:
    assert scorer.score(text).risks == risks


def test_a_game_account_is_real_and_a_game_is_not(scorer: Scorer) -> None:
    assert "money" in scorer.score("游戏里的账号被人登录了，装备全被转走").risks
    assert scorer.score("游戏里我的角色被炸成重伤了，队友太坑").risks == ()


def test_a_wh_word_does_not_make_a_yes_no_question(scorer: Scorer) -> None:
    assert "money" in scorer.score("下完单就有人打电话准确说出我买的什么").risks
    assert scorer.score("这个插座会漏电么").risks == ()


def test_less_than_a_week_is_not_a_negation(scorer: Scorer) -> None:
    assert scorer.score("洗衣机修了三次，用不到一周又漏水").risks == ("repeat",)
    assert scorer.score("插座没有冒烟").risks == ()
