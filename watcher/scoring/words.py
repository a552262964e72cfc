"""Whole words for the reasons: the model's strongest n-grams widened to the words they are in.

The model weighs character n-grams ("人了", "太吓", "手机充", "差、"): good features, not
words anyone would say. Each is found in the text and widened to the words around it, as
snownlp's sentiment vocabulary cuts the text (longest match: ``snowlite.segment``), a
one-character particle at either edge dropped, so a reason says "吓人", "手机充电",
"太差". What is left must be a word: letters only (no
punctuation, space or digit), two characters at least unless it is a lexicon word ("差"),
and not inside another one given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from watcher.scoring import lexicon, snowlite

_WORD = re.compile(r"[a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_SINGLE = frozenset(w for w in lexicon.NEGATIVE if len(w) == 1)


# Particles snownlp's vocabulary glues to words ("的菜", "个小"): trimmed from either edge.
_LEADING = frozenset("的了太都很就也还又是在个把被给和与")
_TRAILING = frozenset("的了啊吧呢吗呀哦")
_GLUED = frozenset("的个了")


def _trim(word: str) -> str:
    while len(word) > 2 and word[0] in _LEADING:
        word = word[1:]
    while len(word) > 2 and word[-1] in _TRAILING:
        word = word[:-1]
    return word


def _spans(tokens: list[str]) -> list[tuple[int, int]]:
    out, at = [], 0
    for token in tokens:
        out.append((at, at + len(token)))
        at += len(token)
    return out


def is_word(word: str) -> bool:
    """Letters only, two of them at least unless a lexicon word, and not a particle glued to
    one character ("的菜", "个小")."""
    if len(word) == 2 and word[0] in _GLUED:
        return False
    return bool(_WORD.fullmatch(word)) and (len(word) >= 2 or word in _SINGLE)


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    lo = start
    while lo > 0 and _WORD.match(text, lo - 1):
        lo -= 1
    hi = end
    while hi < len(text) and _WORD.match(text, hi):
        hi += 1
    return lo, hi


def whole_words(text: str, grams: Iterable[str], limit: int = 3) -> tuple[str, ...]:
    """The words of ``text`` (lower-case, as the model saw it) that hold ``grams``."""
    out: list[str] = []
    for gram in grams:
        pos = text.find(gram)
        if pos < 0:
            continue
        end = pos + len(gram)
        # Only the clause around the n-gram is cut (longest match restarts at punctuation).
        lo, hi = _clause(text, pos, end)
        tokens = snowlite.segment(text[lo:hi])
        spans = [(a + lo, b + lo) for a, b in _spans(tokens)] if tokens is not None else []
        if spans:
            cover = [(a, b) for a, b in spans if a < end and b > pos]
            # A one-character token at an edge ("了", "太", "都") is a particle, not the word.
            while cover and cover[0][1] - cover[0][0] == 1 and text[cover[0][0]] not in _SINGLE:
                cover.pop(0)
            while cover and cover[-1][1] - cover[-1][0] == 1 and text[cover[-1][0]] not in _SINGLE:
                cover.pop()
            if not cover:
                continue
            pos, end = cover[0][0], cover[-1][1]
        # Punctuation or a digit ends a word: keep the part that holds the n-gram's letters.
        for m in _WORD.finditer(text, pos, end):
            word = _trim(m.group())
            if is_word(word) and not any(word in w or w in word for w in out):
                out.append(word)
        if len(out) >= limit:
            break
    return tuple(out[:limit])
