"""Why a mention scored as it did and why a ticket is where it is, as values: a `Reason` holds a
code, the rule or model that decided, the words behind it and its numbers. The scorer and the
ticket domain make them, the store keeps them as JSON, and every reader renders them from the
one table below, in English (`watcher score`, `tickets show`, the JSON, the console in English)
or in Chinese (chat alerts, the console in Chinese). Nothing reads a reason back from its text.

Adding a kind of reason is one line: a member of `ReasonCode` with its two templates. A new
risk rule needs no code of its own (it is a `RISK` reason); its Chinese name is one line of
`RISK_NAMES`.

A plain shared module: it imports nothing of Watcher's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ReasonCode(StrEnum):
    """What a reason says, with how it reads: (code, English, Chinese). In the templates,
    {rule} is the rule, model or category that decided and {detail} its description or
    department (both named in Chinese where CHINESE_NAMES knows them); {name} is a rule's
    Chinese name, else its description; {written} is `detail` as it is; {words} lists the
    words, {quoted} quotes them in English, and `{words:TEXT}` is TEXT with * for the words,
    or nothing when there are none; the numbers go by their names."""

    english: str
    chinese: str

    def __new__(cls, value: str, english: str, chinese: str) -> ReasonCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.english, member.chinese = english, chinese
        return member

    COMPLAINT_LIKELY = (
        "complaint_likely",
        "complaint probability {probability:.2f} >= threshold {threshold:.2f} [{rule}]"
        "{words: (strongest words: *)}",
        "投诉概率 {probability:.2f} ≥ 阈值 {threshold:.2f}（{rule}）{words:，主要依据：*}")
    COMPLAINT_UNLIKELY = (
        "complaint_unlikely",
        "complaint probability {probability:.2f} < threshold {threshold:.2f} [{rule}]",
        "投诉概率 {probability:.2f} < 阈值 {threshold:.2f}（{rule}）")
    POLITE = ("polite", "asks or suggests politely, no complaint words: not a complaint",
              "礼貌的询问或建议，没有投诉用词：不算投诉")
    RISK = ("risk", "{rule} (level {level}, {detail}): {quoted}", "{name}（L{level}）：{words}")
    CATEGORY = ("category", "category {rule} ({detail}): {words}",
                "类别 {rule} → {detail}：{words}")
    LEVEL_RISK = ("level_risk", "level {level}: risk rule", "等级 L{level}：触发风险规则")
    LEVEL_ORDINARY = ("level_ordinary",
                      "level {level}: ordinary complaint about the product or service",
                      "等级 L{level}：一般产品或服务投诉")
    LEVEL_MILD = ("level_mild", "level {level}: mild negativity", "等级 L{level}：轻度负面")
    LEVEL_ASKING = ("level_asking", "level {level}: {rule}", "等级 L{level}：{rule}")
    NO_LEVEL = ("no_level", "no level: not a complaint, inquiry or suggestion",
                "无等级：不是投诉、咨询或建议")
    REPEAT = ("repeat", "repeat: 同一用户再次投诉", "重复投诉：同一用户再次投诉")
    INCIDENT = ("incident", "group: 事件 #{incident}", "群体投诉：事件 #{incident}")
    UNSATISFIED = ("unsatisfied", "unsatisfied: follow-up score {score} of 5",
                   "回访不满意：满意度 {score} 分（满分 5 分），退回主管处理")
    REACH_FOLLOWERS = ("reach_followers",
                       "reach: the author has {followers:,} followers (line {line:,})",
                       "作者粉丝 {followers:wan}")
    REACH_ENGAGEMENT = ("reach_engagement",
                        "reach: {engagement:,} likes, reposts and replies (line {line:,})",
                        "已广泛传播：点赞、转发、评论共 {engagement:wan} 次")
    ADJUSTED = ("adjusted",
                "adjusted by this deployment's corrections: probability {before:.2f} -> "
                "{after:.2f}",
                "按本单位的人工纠正调整：投诉概率 {before:.2f} → {after:.2f}")
    ADJUSTED_CATEGORY = ("adjusted_category",
                         "category {rule} ({detail}): learnt from this deployment's corrections",
                         "类别 {rule} → {detail}：按本单位的人工纠正")
    TEXT = ("text", "{written}", "{written}")  # as written: a reason no code describes


CODES = {code.value: code for code in ReasonCode}  # by the value stored

CATEGORY_NAMES = {
    "product_quality": "产品质量",
    "product_function": "产品功能",
    "service": "服务体验",
    "logistics": "物流配送",
    "after_sales": "售后",
    "price": "价格费用",
    "inquiry": "咨询",
    "suggestion": "建议",
    "other": "其他",
}
DEPARTMENT_NAMES = {
    "Quality": "质量/技术部",
    "Tech": "技术/产品部",
    "Customer Service": "客服部",
    "Operations": "运营部",
    "After-sales": "售后服务部",
    "Billing": "财务部",
    "Front-line": "一线客服",
    "Product": "产品部",
}
RISK_NAMES = {  # as the console's risk chips name them (watcher/web/console/locale)
    "safety": "安全",
    "money": "资金或账户",
    "regulator": "监管投诉",
    "media": "媒体曝光",
    "legal": "律师或诉讼",
    "complaint_platform": "投诉平台",
    "deadline": "限期要求",
    "repeat": "重复投诉",
    "group": "群体投诉",
    "reach": "影响面大",
}
# How the platforms Chinese customers write on are called (a platform not named here is shown as
# the source calls it): in suggested replies and the complaint report.
PLATFORM_NAMES = {"weibo": "微博", "xiaohongshu": "小红书", "douyin": "抖音",
                  "bilibili": "哔哩哔哩", "zhihu": "知乎", "tieba": "百度贴吧",
                  "appstore": "App Store", "heimao": "黑猫投诉", "tousu": "黑猫投诉",
                  "dianping": "大众点评", "tmall": "天猫", "jd": "京东"}
MODEL_NAMES = {"model": "模型", "model + snownlp": "模型 + snownlp", "English lexicon": "英文词表",
               "empty text": "空文本"}
CHINESE_NAMES = CATEGORY_NAMES | DEPARTMENT_NAMES | RISK_NAMES | MODEL_NAMES

Number = int | float


@dataclass(frozen=True)
class Reason:
    """One reason: `rule` is the rule, model or category that decided, `detail` its description
    or department (or, for TEXT, the reason as written), `words` what fired, `numbers` the
    figures by name (probability, threshold, level, incident), as (name, value) pairs."""

    code: ReasonCode
    rule: str = ""
    detail: str = ""
    words: tuple[str, ...] = ()
    numbers: tuple[tuple[str, Number], ...] = ()

    @property
    def figures(self) -> dict[str, Number]:
        return dict(self.numbers)

    def to_json(self) -> dict[str, Any]:
        """The stored form: the code and whichever of the rest it has."""
        found: dict[str, Any] = {"code": self.code.value, "rule": self.rule,
                                 "detail": self.detail, "words": list(self.words),
                                 "numbers": self.figures}
        return {key: value for key, value in found.items() if value or key == "code"}

    @classmethod
    def from_json(cls, stored: Any) -> Reason:
        """A stored reason; a bare string (written before reasons had codes, and not converted
        by the 'reasons' migration) is a TEXT reason, shown as written."""
        if isinstance(stored, str):
            return cls(ReasonCode.TEXT, detail=stored)
        numbers = stored.get("numbers") or {}
        return cls(CODES[stored["code"]], rule=stored.get("rule", ""),
                   detail=stored.get("detail", ""), words=tuple(stored.get("words", ())),
                   numbers=tuple(numbers.items()))


def reason(code: ReasonCode, *, rule: str = "", detail: str = "", words: Iterable[str] = (),
           **numbers: Number) -> Reason:
    """A Reason, its numbers given by name: reason(RISK, rule="safety", level=1, ...)."""
    return Reason(code, rule, detail, tuple(words), tuple(numbers.items()))


@dataclass(frozen=True)
class _Words:
    """Words as a template field: joined, or `{words:TEXT}` for TEXT with * standing for them
    (nothing at all when there are none)."""

    words: tuple[str, ...]
    separator: str

    def __format__(self, spec: str) -> str:
        joined = self.separator.join(self.words)
        if not spec:
            return joined
        return spec.replace("*", joined) if self.words else ""


def render(reason: Reason, language: str = "en") -> str:
    """The reason in English, or in Chinese for a `zh` language."""
    if language.startswith("zh"):
        return reason.code.chinese.format_map(_chinese_fields(reason))
    quoted = tuple(repr(word) for word in reason.words)
    return reason.code.english.format_map(
        {"rule": reason.rule, "detail": reason.detail, "name": reason.rule,
         "written": reason.detail, "words": _Words(reason.words, ", "),
         "quoted": _Words(quoted, ", ")} | reason.figures)


@dataclass(frozen=True)
class _Figure:
    """A number as a Chinese template field: `{n:wan}` counts in 万 and 亿 ("120 万"), any
    other format spec is the number's own."""

    value: Number

    def __format__(self, spec: str) -> str:
        if spec != "wan":
            return format(self.value, spec)
        for unit, name in ((100_000_000, "亿"), (10_000, "万")):
            if abs(self.value) >= unit:
                scaled = self.value / unit
                shown = f"{scaled:.0f}" if scaled >= 100 else f"{scaled:.1f}".rstrip("0")
                return f"{shown.rstrip('.')} {name}"
        return f"{self.value:g}"


def _chinese_fields(reason: Reason) -> Mapping[str, object]:
    words = _Words(reason.words, "、")
    return {"rule": CHINESE_NAMES.get(reason.rule, reason.rule),
            "detail": CHINESE_NAMES.get(reason.detail, reason.detail),
            "name": CHINESE_NAMES.get(reason.rule) or reason.detail or reason.rule,
            "written": reason.detail,
            "words": words, "quoted": words} | {name: _Figure(value) for name, value
                                                 in reason.numbers}


def english(reasons: Iterable[Reason]) -> list[str]:
    """The reasons as `watcher score`, `tickets show` and the JSON write them."""
    return [render(r) for r in reasons]


def chinese(reasons: Iterable[Reason]) -> list[str]:
    """The reasons as the people on duty read them: chat alerts, the console in Chinese."""
    return [render(r, "zh") for r in reasons]
