"""Category and owning department: words weighed by their context, not a bare word list.

Each category word found counts 1; it counts 0 when negated ("物流没问题", "不是质量问题") and
2 when its clause also holds a complaint word from the lexicon ("快递太慢"), because that is
where the complaint is. A fired risk rule adds to the category it implies (safety -> product
quality, money -> price). A complaint is filed under the best complaint category, else
``other``; a text that is not a complaint under ``inquiry`` or ``suggestion`` when those fit,
else under whatever it talks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from watcher.scoring import lexicon
from watcher.scoring.engine import CLAUSE_END, Matcher, alternation, bounds
from watcher.scoring.ruleset import RuleSet

CATEGORIES: dict[str, str] = {
    "product_quality": "Quality",
    "product_function": "Tech",
    "service": "Customer Service",
    "logistics": "Operations",
    "after_sales": "After-sales",
    "price": "Billing",
    "inquiry": "Front-line",
    "suggestion": "Product",
    "other": "Front-line",
}
COMPLAINT_CATEGORIES = ("product_quality", "product_function", "service", "logistics",
                        "after_sales", "price")
RULE_PRIOR = {"safety": ("product_quality", 2.0), "money": ("price", 2.0)}
_MARKS = " ?!.,:;~()[]\"'"
_QUESTION = re.compile(r"\?|吗$|吗[,.!]|请问|怎么办|如何")


@dataclass(frozen=True)
class CategoryResult:
    category: str
    department: str
    words: tuple[str, ...]


class Categorizer:
    def __init__(self, rs: RuleSet, matcher: Matcher) -> None:
        self.matcher = matcher
        self.departments = {cid: (cat.department or CATEGORIES[cid])
                            for cid, cat in rs.categories.items()}
        self.patterns = {cid: alternation(cat.lists["words"] + cat.lists["english"])
                         for cid, cat in rs.categories.items()}

    def department(self, cid: str) -> str:
        return self.departments.get(cid, CATEGORIES[cid])

    def _scores(self, low: str, risks: tuple[str, ...]) -> dict[str, tuple[float, list[str]]]:
        neg_re = lexicon.patterns()[0]
        out: dict[str, tuple[float, list[str]]] = {}
        for cid, pattern in self.patterns.items():
            if pattern is None:
                continue
            total, words = 0.0, []
            for m in pattern.finditer(low):
                if self.matcher.negated(low, m.start()):
                    continue
                left, right = bounds(low, m.start(), m.end(), CLAUSE_END)
                # The word's own span does not count as the complaint around it.
                around = low[left : m.start()] + " " + low[m.end() : right]
                total += 2.0 if neg_re.search(around) else 1.0
                # A reason names words: "吗?" is listed to find questions, and shown as "吗".
                word = m.group().strip(_MARKS)
                if word and word not in words:
                    words.append(word)
            out[cid] = (total, words)
        for rule in risks:
            if rule in RULE_PRIOR:
                cid, bonus = RULE_PRIOR[rule]
                total, words = out.get(cid, (0.0, []))
                out[cid] = (total + bonus, words)
        return out

    def categorize(self, low: str, complaint: bool, risks: tuple[str, ...]) -> CategoryResult:
        scores = self._scores(low, risks)
        if complaint:
            pool: tuple[str, ...] = COMPLAINT_CATEGORIES
        else:
            if _QUESTION.search(low) and "inquiry" not in scores:
                scores["inquiry"] = (0.5, [])
            asks = [c for c in ("inquiry", "suggestion") if scores.get(c, (0.0,))[0] > 0]
            pool = tuple(asks) or COMPLAINT_CATEGORIES
        # Ties go to the earlier id in the pool: the order is the handbook's.
        best = max(pool, key=lambda c: (scores.get(c, (0.0, []))[0], -pool.index(c)))
        total, words = scores.get(best, (0.0, []))
        if total <= 0:
            return CategoryResult("other", self.department("other"), ())
        return CategoryResult(best, self.department(best), tuple(words[:5]))
