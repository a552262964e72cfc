"""Find escalation-risk rule hits in cleaned text, with their context checked.

A word, a pattern or a frame (``structure.py``: two kinds of word near each other) of a rule is
a *candidate*; it becomes a hit only if none of these hold:

* it sits inside an ``exclude`` phrase ("漏电保护", "曝光度");
* an ``unless`` word is in the same sentence ("记者来采访我们的新店");
* it is a ``weak`` word and no ``intent`` word ends at most 3 characters before it in the
  same clause ("多媒体" vs "找几家媒体");
* a negator ends at most ``negation_window`` characters before it in the same clause, is not
  a ``not_negators`` phrase and is not followed by a conditional ("没有漏电", "不用曝光",
  but not "再不处理就去12315");
* a ``reported`` marker precedes it in the sentence with no first-person clause in between
  ("朋友说要去12315");
* a ``hypothetical`` marker precedes it in the clause, or its clause is a yes/no question
  ("…有起火风险吗": rules of kind "incident" only);
* a ``counterfactual`` marker precedes it in the sentence ("本来想去12315, 后来…");
* a ``framing`` word is in the same sentence: fiction, a film, a joke, anti-fraud advice
  ("电视剧里女主的账户被盗");
* a ``resolved`` marker that is not itself negated comes later in the text or in the same
  sentence ("不用曝光啦, 问题已经解决了").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from watcher.scoring import frames
from watcher.scoring.ruleset import Rule, RuleSet

SENTENCE_END = frozenset("。!?;\n")
INTENT_GAP = 3
CLAUSE_END = SENTENCE_END | frozenset(",、:~…")


@dataclass(frozen=True)
class Hit:
    rule: str
    word: str
    start: int
    end: int


def _is_ascii(word: str) -> bool:
    return word.isascii()


def alternation(words: list[str]) -> re.Pattern[str] | None:
    """One regex for a word list; ASCII words match whole words only. The check before an
    ASCII word is made after it ("(?<![a-z0-9]word)" looks at the same character): `re`
    then scans only the positions holding a first character of some word, where a branch
    starting with a look-behind made it try every branch at every position (4x slower)."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        esc = re.escape(w)
        parts.append(rf"{esc}(?<![a-z0-9]{esc})(?![a-z0-9])" if _is_ascii(w) else esc)
    return re.compile("|".join(parts)) if parts else None


def bounds(text: str, start: int, end: int, stops: frozenset[str]) -> tuple[int, int]:
    left = start
    while left > 0 and text[left - 1] not in stops:
        left -= 1
    right = end
    while right < len(text) and text[right] not in stops:
        right += 1
    return left, right


class Matcher:
    """Compiled form of a ``RuleSet``; ``hits(text)`` is the only entry point."""

    def __init__(self, rs: RuleSet) -> None:
        self.rs = rs
        ctx = rs.context
        self.negators = alternation(ctx["negators"])
        self.not_negators = alternation(ctx["not_negators"])
        self.reported = alternation(ctx["reported"])
        self.resolved = alternation(ctx["resolved"])
        self.hypothetical = alternation(ctx["hypothetical"])
        self.intent = alternation(ctx["intent"])
        self.counterfactual = alternation(ctx["counterfactual"])
        self.framing = alternation(ctx["framing"])
        self.conditionals = tuple(ctx["conditionals"])
        self.window = rs.negation_window
        # Each rule with no exclude phrase, for the texts that hold none of its own (_present)
        self._unexcluded = {name: replace(rule, lists={**rule.lists, "exclude": []})
                            for name, rule in rs.rules.items()}

    @cached_property
    def compiled(self) -> dict[str, tuple[re.Pattern[str] | None, ...]]:
        out = {}
        for name, rule in self.rs.rules.items():
            strong = alternation(rule.lists["words"] + rule.lists["english"])
            weak = alternation(rule.lists["weak"])
            pats = [re.compile(p) for p in rule.lists["patterns"]]
            out[name] = (strong, weak, *pats)
        return out

    def hits(self, text: str) -> list[Hit]:
        """Every rule hit in ``text`` (``normalize.clean`` output), in text order."""
        low = text.lower()
        resolved_at = self._resolved_positions(low)
        found: list[Hit] = []
        present = frames.Present(low)
        for name, (strong, weak, *pats) in self.compiled.items():
            rule = self._present(self.rs.rules[name], low)
            for pattern, is_weak in [(strong, False), (weak, True)] + [(p, False) for p in pats]:
                if pattern is None:
                    continue
                for m in pattern.finditer(low):
                    # A pattern's last group is its key word: negation is checked there too
                    # ("牛奶还没过期" matches from "牛奶").
                    key = m.start(m.lastindex) if m.lastindex else m.start()
                    if key > m.start() and self.negated(low, key):
                        continue
                    if self._accept(low, rule, m.start(), m.end(), is_weak, resolved_at):
                        found.append(Hit(name, text[m.start() : m.end()], m.start(), m.end()))
            found += self._frame_hits(text, low, rule, resolved_at, present)
        return sorted(found, key=lambda h: (h.start, h.rule))

    def _frame_hits(self, text: str, low: str, rule: Rule, resolved_at: list[int],
                    present: frames.Present) -> list[Hit]:
        """Hits of the rule's frames: one per anchor (the words the reason names). Context is
        checked at the last anchor, the one the others lead to ("没有" before "鼓包")."""
        out: list[Hit] = []
        for compiled in frames.by_rule().get(rule.name, ()):
            if not present.all(compiled.needs):
                continue
            frame = compiled.pattern
            for m in frame.finditer(low):
                anchors = [m.span(g) for g in range(1, frame.groups + 1) if m.start(g) >= 0]
                key_start, key_end = anchors[-1]
                if any(self._excluded(low, rule, a, b) for a, b in anchors):
                    continue
                if self._accept(low, rule, key_start, key_end, False, resolved_at):
                    out += [Hit(rule.name, text[a:b], a, b) for a, b in anchors]
        return out

    def _present(self, rule: Rule, low: str) -> Rule:
        """``rule`` with only the ``exclude`` phrases that occur in ``low``: a phrase absent from
        the text cannot hold a hit, and a rule with ~90 of them was searched for each one at
        each candidate (a burst of safety complaints has a dozen candidates a text)."""
        phrases = rule.lists["exclude"]
        present = [p for p in phrases if p in low]
        if len(present) == len(phrases):
            return rule
        if not present:
            return self._unexcluded[rule.name]
        return replace(rule, lists={**rule.lists, "exclude": present})

    def accepts(self, low: str, rule: str, start: int, end: int) -> bool:
        """Whether a hit of ``rule`` at ``low[start:end]`` stands in its context (the checks
        above): for hits found by other means than the rules (``risk_model``)."""
        return self._accept(low, self.rs.rules[rule], start, end, False,
                            self._resolved_positions(low))

    def _accept(self, low: str, rule: Rule, start: int, end: int, weak: bool,
                resolved_at: list[int]) -> bool:
        s_left, s_right = bounds(low, start, end, SENTENCE_END)
        sentence = low[s_left:s_right]
        if self._excluded(low, rule, start, end):
            return False
        if any(u in sentence for u in rule.lists["unless"]):
            return False
        if weak and not self._intended(low, start):
            return False
        if self.negated(low, start):
            return False
        if self._reported(low, s_left, start):
            return False
        if rule.kind == "incident" and self._hypothetical(low, start, end):
            return False
        if rule.kind == "threat" and self._question(low, start):
            return False
        if self.counterfactual is not None and self.counterfactual.search(low, s_left, start):
            return False
        if self.framing is not None and _framed(self.framing, sentence):
            return False
        # Resolved later in the text, or anywhere in the same sentence.
        return not any(r >= s_left for r in resolved_at)

    def _intended(self, low: str, start: int) -> bool:
        """An intent word ends at most ``INTENT_GAP`` characters before a weak word, in its
        clause: "找几家媒体" is a threat, "多媒体播放器" and "看别人发微博" are not."""
        if self.intent is None:
            return False
        c_left, _ = bounds(low, start, start, CLAUSE_END)
        lo = max(c_left, start - INTENT_GAP - 6)
        return any(start - m.end() <= INTENT_GAP for m in self.intent.finditer(low, lo, start))

    @staticmethod
    def _excluded(low: str, rule: Rule, start: int, end: int) -> bool:
        for phrase in rule.lists["exclude"]:
            lo = max(0, start - len(phrase) + 1)
            pos = low.find(phrase, lo, end + len(phrase) - 1)
            while pos != -1 and pos < end:
                if pos + len(phrase) > start:
                    return True
                pos = low.find(phrase, pos + 1, end + len(phrase) - 1)
        return False

    def negated(self, low: str, start: int) -> bool:
        """A real negator ends within the window before ``start``, in the same clause."""
        if self.negators is None:
            return False
        c_left, _ = bounds(low, start, start, CLAUSE_END)
        ascii_hit = start < len(low) and low[start].isascii()
        span = 40 if ascii_hit else self.window + 6
        lo = max(c_left, start - span)
        masked = self._mask_not_negators(low, lo, start)
        for m in self.negators.finditer(masked):
            gap = masked[m.end() :]
            if ascii_hit and len(gap.split()) > self.window:
                continue
            if not ascii_hit and len(gap) > self.window:
                continue
            if not any(c in gap for c in self.conditionals):
                return True
        return False

    def _mask_not_negators(self, low: str, lo: int, hi: int) -> str:
        # Look at a little more than the span so a phrase cut by `lo` is still recognised.
        head = max(0, lo - 3)
        chunk = low[head:hi]
        if self.not_negators is not None:
            chunk = self.not_negators.sub(lambda m: "#" * len(m.group()), chunk)
        return chunk[lo - head :]

    def _reported(self, low: str, s_left: int, start: int) -> bool:
        if self.reported is None:
            return False
        for m in self.reported.finditer(low, s_left, start):
            if m.start() > 0 and low[m.start() - 1] in _FOLLOWED:
                continue  # "按他说的…转给他": following someone's words, not reporting them
            between = low[m.end() : start]
            if not re.search(r"[,、:]\s*我", between):
                return True
        return False

    @staticmethod
    def _question(low: str, start: int) -> bool:
        """The clause is a yes/no question ("报警能追回来吗", "明天之前能发货吗")."""
        c_left, c_right = bounds(low, start, start, CLAUSE_END)
        clause = low[c_left:c_right].rstrip().removesuffix("?")
        # "么" ends a yes/no question ("能退么"), not "我买的什么" or "这么" (statements).
        return clause.endswith("吗") or (clause.endswith("么") and not clause.endswith(_WH_ME))

    def _hypothetical(self, low: str, start: int, end: int) -> bool:
        if self.hypothetical is None:
            return False
        c_left, c_right = bounds(low, start, start, CLAUSE_END)
        clause = low[c_left:c_right].rstrip()
        if self._question(low, start) or "的话" in clause:
            return True
        # A question asking what to do, with its marker after the hit ("误吞了…应该怎么处理?").
        asked = clause.endswith("?") or low[c_right:c_right + 1] == "?"
        if asked and self.hypothetical.search(clause) is not None:
            return True
        if _RISK_AFTER.match(low, end) is not None:
            return True  # "有自燃风险", "存在漏电隐患": a possibility named, not an incident
        return self.hypothetical.search(low, c_left, start) is not None

    def _resolved_positions(self, low: str) -> list[int]:
        if self.resolved is None:
            return []
        # "还没解决" is not resolved; checked directly because "没解决" is a not_negator.
        # Four characters before: "明天之前" ends right there.
        return [m.start() for m in self.resolved.finditer(low)
                if not _DENIED.search(low, max(0, m.start() - 4), m.start())]


# A framing word that starts something real: a game's account, items and top-ups are bought
# with real money ("游戏里的账号被盗" is a theft; "游戏里我的角色被炸" is a game).
_REAL_IN_FRAME = re.compile(r"游戏里(?:的|面的)?"
                            r"(?:账号|账户|装备|皮肤|充值|余额|钻石|点券|道具|金币)")


def _framed(framing: re.Pattern[str], sentence: str) -> bool:
    """A framing word in the sentence that does not start something real ("游戏里的账号")."""
    return any(_REAL_IN_FRAME.match(sentence, m.start()) is None
               for m in framing.finditer(sentence))


# Right after an incident word, these make it a possibility ("有自燃风险").
_RISK_AFTER = re.compile(r"的?(?:风险|危险|隐患|可能性|可能)")
_WH_ME = ("什么", "怎么", "这么", "那么", "多么", "要么")
# Just before a reported marker, these make it an instruction followed ("按他说的").
_FOLLOWED = frozenset("按照听")
# A resolved marker that is denied ("还没解决") or demanded ("明天之前退款到账") is not one.
_DENIED = re.compile(r"(没|未|不|没有|还没|并未|之前|以前|前|之内|内|必须|务必|要|not|never|isn't|"
                     r"wasn't|hasn't)\s*$")
