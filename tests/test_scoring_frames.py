"""The frames compiled for speed (watcher/scoring/frames.py) match exactly what structure.py's
frames match, and the word lists compiled by engine.alternation what they matched before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watcher.scoring import frames, normalize, structure
from watcher.scoring.cases import load as load_cases
from watcher.scoring.engine import alternation


def _texts() -> list[str]:
    cases = load_cases(Path(__file__).parent / "fixtures" / "scoring")
    return [normalize.clean(c.text).lower() for c in cases]


def test_needs_only_whole_top_level_classes() -> None:
    assert frames.needs("({BODY})[^,]{0,7}?({HARM})") == ("BODY", "HARM")
    assert frames.needs("({FALL})[^。]{0,20}?({HARM}|{BODY}|住院)") == ("FALL",)
    assert frames.needs("({TIME})?({DEMAND})") == ("DEMAND",)  # optional: not needed
    assert frames.needs("({A})x|y({B})") == ()  # either side alone can match
    assert frames.needs("(a[|)]b)({A})") == ("A",)  # "|" and ")" in a set are characters
    assert frames.needs("[]|(][^]|][\\]|(]({A})") == ("A",)  # so is a first or escaped "]"
    assert frames.needs("[\\d|]({A})") == ("A",)


def test_a_guard_moved_after_its_character_matches_the_same() -> None:
    before = "(?<![把扶])手(?![机续])|(?<![a-z])x"
    assert frames.guard_after(before) == "手(?<![把扶]手)(?![机续])|x(?<![a-z]x)"
    assert frames.guard_after("(?<![把])手?脚") == "(?<![把])手?脚"  # an optional one stays
    after = re.compile(frames.guard_after(before))
    for text in ("扶手", "手机", "我的手", "手", "ax x", "把手伸出来"):
        for lo in range(len(text) + 1):
            assert [m.span() for m in after.finditer(text, lo)] == \
                [m.span() for m in re.compile(before).finditer(text, lo)], (text, lo)


def test_every_frame_matches_as_structure_has_it() -> None:
    texts = _texts()
    assert len(texts) > 500
    fast = frames.by_rule()
    for rule, pairs in structure.gated().items():
        assert len(fast[rule]) == len(pairs)
        for (_, frame), compiled in zip(pairs, fast[rule], strict=True):
            for low in texts:
                found = [m.regs for m in frame.finditer(low)]
                present = frames.Present(low)
                if not present.all(compiled.needs):
                    assert found == [], (rule, frame.pattern[:60], low)
                    continue
                assert [m.regs for m in compiled.pattern.finditer(low)] == found


@pytest.mark.parametrize("words", [["12315", "12315热线", "sue", "lawyer", "投诉", "诉"],
                                   ["911", "a1", "报警"]])
def test_ascii_words_match_whole_words_only(words: list[str]) -> None:
    pattern = alternation(words)
    assert pattern is not None
    old = re.compile("|".join(
        rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if w.isascii() else re.escape(w)
        for w in sorted(set(words), key=len, reverse=True)))
    for text in ["打12315热线", "a12315", "12315x 12315", "will sue,sued", "call 911!", "a1a1 a1",
                 *_texts()[:300]]:
        for lo in range(0, len(text) + 1, 3):
            assert [m.span() for m in pattern.finditer(text, lo)] == \
                [m.span() for m in old.finditer(text, lo)], (text, lo)
