"""Hand-written sentiment lexicon: the model's prior knowledge that transfers across platforms.

The n-gram weights learn what dev.csv says (mostly reviews); these few dense features carry
what a reviewer's vocabulary lacks: Weibo emoticons (``[怒]``), emoji, swearing, fear and
sadness words. They are part of the model (their weights are trained with it and stored in
the model file), so they are code, not admin configuration: changing them needs
``make train``. Admins tune complaint words and risk rules in ``data/rules.toml`` instead.

Words are matched on ``normalize.fold(clean(text))`` (simplified, lower-case). A negator right
before a word flips it ("不满意" counts as negative, "不贵" as positive).
"""
from __future__ import annotations

import re
from functools import lru_cache

NEGATIVE = """
差 差劲 太差 很差 垃圾 失望 难吃 难喝 太慢 很慢 坑 坑爹 骗 骗子 欺骗 忽悠 上当 受骗 恶心
糟糕 后悔 无语 坏了 破损 烂 气死 生气 愤怒 郁闷 烦 烦躁 讨厌 厌恶 傻逼 尼玛 妈蛋 特么 卧槽
滚 垃圾 坑人 不满 不爽 难受 伤心 难过 心痛 心酸 哭了 想哭 害怕 恐怖 可怕 担心 焦虑 崩溃 绝望
痛苦 疼 累死 心累 不行 不值 别买 态度差 敷衍 推诿 质量问题 故障 发霉 变质 异味 臭 漏水 卡顿
死机 黑屏 掉色 起球 缩水 假货 山寨 次品 瑕疵 划痕 凉了 少送 漏送 送错 超时 没人管 不理 退款
差评 一星 醉了 服了 无奈 可惜 遗憾 麻烦 闹心 抓狂 火大 吐槽 黑心 奸商 不靠谱 太贵 坑钱 浪费
失败 悲剧 倒霉 委屈 可怜 惨 糟心 鄙视 怒 恨 悲伤 孤独 寂寞 压力 焦急 着急 急死 吓死 吓人
恐惧 紧张 失眠 生病 难受 毛病 投诉 退货 维权 欺负 无耻 过分 离谱 智障 脑残 有病 奇葩 sb 辣鸡
拉胯 翻车 踩雷 避雷 劝退 后悔死 受不了 忍不了 不舒服 不开心 不高兴
""".split()

POSITIVE = """
好评 很好 挺好 真好 太好了 不错 满意 喜欢 赞 棒 好吃 好喝 很快 推荐 值得 划算 实惠 超值 给力
开心 高兴 幸福 感谢 谢谢 辛苦 完美 漂亮 舒服 方便 五星 惊喜 爱了 可爱 满分 优秀 贴心 热情
周到 及时 新鲜 正品 好用 流畅 清晰 温暖 加油 哈哈 嘻嘻 期待 祝福 快乐 生日快乐 美味 很香
精致 耐心 专业 靠谱 放心 感动 喜欢 爱 支持 回购 点赞 牛逼 厉害 惊艳 享受 愉快 美好 希望 梦想
努力 温柔 甜 笑
""".split()

# Weibo emoticons as they appear in text (and as <img alt=...> after normalize) and emoji.
NEGATIVE_EMO = """
[怒] [抓狂] [衰] [鄙视] [哼] [委屈] [生病] [失望] [伤心] [吐] [晕] [怒骂] [悲伤] [可怜]
[心碎] [弱] [左哼哼] [右哼哼] [打脸] [费解] [黑线] [感冒] [崩溃] [泪] [大哭] [哭] [生气]
[愤怒] [闭嘴] 😡 😠 🤬 😤 😭 😢 😞 😔 😩 😫 😣 😖 💔 👎 🙄 😒 🤮 🤢 😱 😰 😨 😓 😪
""".split()

POSITIVE_EMO = """
[哈哈] [嘻嘻] [爱你] [心] [good] [赞] [鼓掌] [太开心] [偷笑] [耶] [给力] [威武] [可爱]
[亲亲] [花心] [笑哈哈] [开心] [ok] [太阳] [礼物] [蛋糕] [挤眼] [馋嘴] [憧憬] [赞啊] [愛你]
[好爱哦] [羞嗒嗒] 😊 😄 😁 😆 😍 🥰 😘 ❤ 👍 🎉 🌹 💕 😀 🙂 👏 🤗 💪 ✌ 😋 🥳 💖 💗
""".split()

NEGATORS = (
    "不", "没", "没有", "别", "无", "非", "未", "不是", "不太", "不怎么", "并不", "一点也不",
)

ENGLISH_NEGATIVE = """
bad terrible awful horrible worst broken crash crashes crashed bug buggy fail failed failure
slow scam fraud refund disappointed disappointing useless garbage trash hate angry annoying
frustrating frustrated unacceptable ridiculous rude wrong error problem issue issues
complaint never regret waste overcharged charged stolen hacked unusable
""".split()

ENGLISH_POSITIVE = """
good great excellent awesome amazing love loved like nice thanks thank perfect fast happy
helpful recommend fixed works wonderful fantastic best beautiful
""".split()

ENGLISH_NEGATORS = ("not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't", "can't")

# Names of the dense features, in the order the model stores their weights.
FEATURES = ("lex_neg", "lex_pos", "exclaim", "question")


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    # Longest first so "不满意" is tried before "不".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    neg_words = _alternation(NEGATIVE)
    pos_words = _alternation(POSITIVE)
    negator = _alternation(NEGATORS)
    neg = re.compile(f"(?P<n>{negator})?(?:{neg_words})")
    pos = re.compile(f"(?P<n>{negator})?(?:{pos_words})")
    emo_neg = re.compile(_alternation(NEGATIVE_EMO))
    emo_pos = re.compile(_alternation(POSITIVE_EMO))
    return neg, pos, emo_neg, emo_pos


def counts(text: str) -> tuple[int, int, int, int]:
    """Raw counts for ``FEATURES`` on model text: negated hits count for the other side.

    An emoticon counts twice a word: it is rare in dev.csv, so it shares the word weight
    instead of getting a badly estimated one of its own.
    """
    neg_re, pos_re, emo_neg_re, emo_pos_re = patterns()
    neg = pos = 0
    for m in neg_re.finditer(text):
        if m.group("n"):
            pos += 1
        else:
            neg += 1
    for m in pos_re.finditer(text):
        if m.group("n"):
            neg += 1
        else:
            pos += 1
    neg += 2 * len(emo_neg_re.findall(text))
    pos += 2 * len(emo_pos_re.findall(text))
    return neg, pos, text.count("!"), text.count("?")
