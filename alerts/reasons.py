"""A ticket's reasons as the people on duty read them: in Chinese, in the chat alerts and on the
console's Chinese pages.

The scorer writes its reasons in English (`watcher score`, the tickets' JSON and `tickets show`:
what admins and scripts read and search), from a few fixed templates, each matched here; the
store adds two of its own (a repeat, an incident). A reason no template matches (an admin's own
rule, a template added later) is shown as it was written, so nothing is ever hidden."""

from __future__ import annotations

import re
from collections.abc import Callable

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
}
SCORER_NAMES = {"model": "模型", "model + snownlp": "模型 + snownlp", "English lexicon": "英文词表",
                "empty text": "空文本"}
LEVEL_REASONS = {
    "risk rule": "触发风险规则",
    "ordinary complaint about the product or service": "一般产品或服务投诉",
    "mild negativity": "轻度负面",
}  # and "level 4: inquiry" / "suggestion", named as their categories
_QUOTED = re.compile(r"'([^']*)'")


def _words(listed: str) -> str:
    """'漏电', '触电' or 漏电, 触电 -> 漏电、触电"""
    quoted = _QUOTED.findall(listed)
    return "、".join(quoted if quoted else (w.strip() for w in listed.split(",")))


def _probability(m: re.Match[str]) -> str:
    text = (f"投诉概率 {m['p']} {'≥' if m['cmp'] == '>=' else '<'} 阈值 {m['t']}"
            f"（{SCORER_NAMES.get(m['scorer'], m['scorer'])}）")
    return text + (f"，主要依据：{_words(m['words'])}" if m["words"] else "")


def _risk(m: re.Match[str]) -> str:
    return f"{RISK_NAMES.get(m['rule'], m['description'])}（L{m['level']}）：{_words(m['words'])}"


def _category(m: re.Match[str]) -> str:
    category = CATEGORY_NAMES.get(m["category"], m["category"])
    department = DEPARTMENT_NAMES.get(m["department"], m["department"])
    return f"类别 {category} → {department}：{_words(m['words'])}"


def _level(m: re.Match[str]) -> str:
    why = m["why"]
    return f"等级 L{m['level']}：{LEVEL_REASONS.get(why) or CATEGORY_NAMES.get(why, why)}"


TEMPLATES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"complaint probability (?P<p>[\d.]+) (?P<cmp>>=|<) threshold (?P<t>[\d.]+) "
                r"\[(?P<scorer>[^\]]+)\](?: \(strongest words: (?P<words>.*)\))?"), _probability),
    (re.compile(r"asks or suggests politely, no complaint words: not a complaint"),
     lambda m: "礼貌的询问或建议，没有投诉用词：不算投诉"),
    (re.compile(r"repeat \(level 2\): the same author complained before, still open"),
     lambda m: "重复投诉（L2）：同一作者此前的投诉仍未解决"),
    (re.compile(r"group \(level 1\): a burst of similar complaints"),
     lambda m: "群体投诉（L1）：短时间内多人相似投诉"),
    (re.compile(r"(?P<rule>\w+) \(level (?P<level>\d), (?P<description>[^)]*)\): (?P<words>.*)"),
     _risk),
    (re.compile(r"category (?P<category>\w+) \((?P<department>[^)]*)\): (?P<words>.*)"),
     _category),
    (re.compile(r"level (?P<level>\d): (?P<why>.+)"), _level),
    (re.compile(r"no level: not a complaint, inquiry or suggestion"),
     lambda m: "无等级：不是投诉、咨询或建议"),
    (re.compile(r"repeat: (?P<rest>.*)"), lambda m: f"重复投诉：{m['rest']}"),
    (re.compile(r"group: (?P<rest>.*)"), lambda m: f"群体投诉：{m['rest']}"),
]


def in_chinese(reason: str) -> str:
    for pattern, render in TEMPLATES:
        found = pattern.fullmatch(reason)
        if found:
            return render(found)
    return reason
