"""The frames of ``structure.py`` compiled for speed, matching exactly what they match there.

Two things make a text's frames cheaper to scan, neither changing a match:

* a frame is tried only when the word classes it cannot match without are in the text
  (``Frame.needs``, each class searched at most once a text: ``Present``); most texts hold
  none of a rule's frames, and a search stops at the first word where a frame scan goes on to
  the end of the text;
* a one-character look-behind guard ("(?<![把扶])手") is moved after its character
  ("手(?<![把扶]手)", the character before it checked the same way): ``re`` scans an
  alternation only at the positions holding the first character of one of its branches, and a
  branch starting with a look-behind turned that off, so a word class with one guarded word
  was tried branch by branch at every position.

The content (classes, frames) stays in ``structure.py``; this module only reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from watcher.scoring import structure

# A look-behind guard on one character, as structure._one writes it (not one with a
# quantifier after it: "(?<![a])b?" checks before the position even when there is no "b")
_GUARD_BEFORE = re.compile(r"\(\?<!\[([^\]\\]+)\]\)([^\\()\[\]|?*+{}.^$])(?![?*+{])")
_CLASS_GROUP = re.compile(r"\(\{([A-Z_]+)\}\)")
_OPTIONAL = ("?", "*", "{0")  # a quantifier after a group that lets it match nothing


def guard_after(pattern: str) -> str:
    """``pattern`` with each one-character look-behind guard moved after its character."""
    return _GUARD_BEFORE.sub(lambda m: f"{m[2]}(?<![{m[1]}]{m[2]})", pattern)


def _top_level(pattern: str) -> list[int] | None:
    """The positions of the groups that open at depth 0 of ``pattern``, or None when it has an
    alternation at depth 0 (then no group of it is needed)."""
    opens, depth, i = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":
            i = _set_end(pattern, i)
        elif c == "(":
            if depth == 0:
                opens.append(i)
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        i += 1
    return opens


def _set_end(pattern: str, start: int) -> int:
    """The position of the "]" closing the character set opened at `start` (a "]" first in
    the set, or escaped, is one of its characters)."""
    i = start + (2 if pattern.startswith("[^", start) else 1)
    first = True
    while first or pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
        first = False
    return i


def needs(pattern: str) -> tuple[str, ...]:
    """The classes a raw frame (``{CLASS}`` not yet expanded) cannot match without: each one
    that is a whole group of its own at the top level, not optional."""
    found = []
    for start in _top_level(pattern) or ():
        m = _CLASS_GROUP.match(pattern, start)
        if m is not None and not pattern.startswith(_OPTIONAL, m.end()):
            found.append(m[1])
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Frame:
    pattern: re.Pattern[str]
    needs: tuple[str, ...]  # smallest class first: the likeliest to be absent


@cache
def classes() -> dict[str, re.Pattern[str]]:
    return {name: re.compile(guard_after(text)) for name, text in structure.CLASSES.items()}


@cache
def by_rule() -> dict[str, tuple[Frame, ...]]:
    """The frames of each rule, in ``structure.FRAMES`` order (compiled from the raw frames:
    ``structure.gated()``, compiled too, is not needed here and would double the start-up)."""
    out: dict[str, list[Frame]] = {}
    for rule, raw in structure.FRAMES:
        needed = sorted(needs(raw), key=lambda name: len(structure.CLASSES[name]))
        out.setdefault(rule, []).append(
            Frame(re.compile(guard_after(structure._expand(raw))), tuple(needed)))
    return {rule: tuple(frames) for rule, frames in out.items()}


class Present:
    """Which classes one text holds, each searched for at most once."""

    def __init__(self, low: str) -> None:
        self.low = low
        self._known: dict[str, bool] = {}

    def all(self, names: tuple[str, ...]) -> bool:
        for name in names:
            held = self._known.get(name)
            if held is None:
                held = self._known[name] = classes()[name].search(self.low) is not None
            if not held:
                return False
        return True
