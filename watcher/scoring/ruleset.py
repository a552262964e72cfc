"""Load the risk rules and category lexicons (``data/rules.toml`` plus admin files).

Format (TOML; the same for the shipped file and for admin files named by ``[scoring] rules``)::

    format = 1                      # required in the shipped file, optional in admin files

    [context]                       # lists of words; admin files add to them
    negators = ["没有", ...]         # "没有漏电": a negator just before a word cancels it
    not_negators = ["不然", ...]     # look like negators, are not ("不得不", "无法")
    conditionals = ["就", ...]       # "再不处理就去12315": negator + conditional = still a threat
    negation_window = 4             # max characters between negator and word (English: words)
    reported = ["朋友说", ...]       # someone else's words earlier in the sentence
    resolved = ["已经解决", ...]     # the problem is over: earlier hits do not fire
    hypothetical = ["万一", ...]     # a possibility, for rules of kind "incident" only
    counterfactual = ["本来想", ...] # what did not happen: earlier in the sentence, every rule
    framing = ["电视剧", ...]        # fiction, jokes, advice: anywhere in the sentence, every rule
    intent = ["找", "联系", ...]     # makes a rule's `weak` words fire ("找媒体")
    asking = ["请问", ...]           # polite questions and suggestions: with no complaint word
                                    # and no rule hit, a complaint only if P >= 0.95

    [rules.NAME]                    # NAME: safety money regulator media legal
                                    #       complaint_platform deadline repeat group
    level = 1                       # 1 or 2 (shipped file; admin files may omit it)
    kind = "incident"               # "incident" (safety, money) or "threat"
    description = "..."             # used in the reasons
    words = ["漏电", ...]            # fire on their own
    weak = ["媒体", ...]             # fire only right after an `intent` word (<= 3 chars)
    patterns = ["..."]              # Python regexes on the cleaned, lower-cased text
    exclude = ["漏电保护", ...]      # a hit inside one of these phrases is not a hit
    unless = ["采访", ...]           # one of these in the same sentence vetoes the hit
    english = ["lawsuit", ...]      # whole-word, case-insensitive

    [categories.ID]                 # ID: one of watcher.scoring.CATEGORIES
    department = "..."              # optional override of the default department
    words = [...]
    english = [...]

Words may be written in simplified or traditional characters: they are normalized like the
text they are matched against. An admin file may only extend the rule names and category ids
above; anything else (an unknown key, a wrong type, a bad regular expression, an unknown rule)
raises ``ScoringConfigError`` naming the file and the key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watcher.errors import ScoringConfigError
from watcher.scoring.normalize import clean

SHIPPED = Path(__file__).with_name("data") / "rules.toml"
TEXT_RULES = ("safety", "money", "regulator", "media", "legal", "complaint_platform", "deadline",
              "repeat", "group")
CATEGORY_IDS = ("product_quality", "product_function", "service", "logistics", "after_sales",
                "price", "inquiry", "suggestion", "other")
CONTEXT_LISTS = ("negators", "not_negators", "conditionals", "reported", "resolved",
                 "hypothetical", "counterfactual", "framing", "intent", "asking")
RULE_LISTS = ("words", "weak", "patterns", "exclude", "unless", "english")
CATEGORY_LISTS = ("words", "english")


@dataclass
class Rule:
    name: str
    level: int = 2
    kind: str = "threat"
    description: str = ""
    lists: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in RULE_LISTS})


@dataclass
class Category:
    id: str
    department: str | None = None
    lists: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in CATEGORY_LISTS})


@dataclass
class RuleSet:
    context: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in CONTEXT_LISTS})
    negation_window: int = 4
    rules: dict[str, Rule] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def norm_word(word: str) -> str:
    """A lexicon entry in the form of the text it is matched against."""
    return clean(word).lower()


def _fail(path: Path, where: str, problem: str) -> ScoringConfigError:
    return ScoringConfigError(f"{path}: {where}: {problem}")


def _words(path: Path, where: str, value: Any, *, regex: bool = False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, where, "must be a list of strings")
    out = []
    for v in value:
        if regex:
            try:
                re.compile(v)
            except re.error as exc:
                raise _fail(path, where, f"bad regular expression {v!r}: {exc}") from None
            out.append(v)
        elif norm_word(v):
            out.append(norm_word(v))
    return out


def _check_keys(path: Path, where: str, table: Any, allowed: Iterable[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _fail(path, where, "must be a table")
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(allowed), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise _fail(path, where, f"unknown key {unknown[0]!r}{hint} "
                                 f"(allowed: {', '.join(allowed)})")
    return table


def _merge_context(rs: RuleSet, path: Path, table: Any) -> None:
    table = _check_keys(path, "[context]", table, (*CONTEXT_LISTS, "negation_window"))
    for key, value in table.items():
        if key == "negation_window":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 20:
                raise _fail(path, "[context] negation_window", "must be an integer 0..20")
            rs.negation_window = value
        else:
            rs.context[key] += _words(path, f"[context] {key}", value)


def _merge_rule(rs: RuleSet, path: Path, name: str, table: Any, shipped: bool) -> None:
    where = f"[rules.{name}]"
    if name not in TEXT_RULES:
        raise _fail(path, where, f"unknown rule (known: {', '.join(TEXT_RULES)})")
    table = _check_keys(path, where, table, ("level", "kind", "description", *RULE_LISTS))
    rule = rs.rules.setdefault(name, Rule(name))
    if "level" in table:
        if table["level"] not in (1, 2) or isinstance(table["level"], bool):
            raise _fail(path, f"{where} level", "must be 1 or 2")
        rule.level = table["level"]
    elif shipped:
        raise _fail(path, f"{where} level", "missing")
    if "kind" in table:
        if table["kind"] not in ("incident", "threat"):
            raise _fail(path, f"{where} kind", 'must be "incident" or "threat"')
        rule.kind = table["kind"]
    if "description" in table:
        if not isinstance(table["description"], str):
            raise _fail(path, f"{where} description", "must be a string")
        rule.description = table["description"]
    for key in RULE_LISTS:
        if key in table:
            rule.lists[key] += _words(path, f"{where} {key}", table[key], regex=key == "patterns")


def _merge_category(rs: RuleSet, path: Path, cid: str, table: Any) -> None:
    where = f"[categories.{cid}]"
    if cid not in CATEGORY_IDS:
        raise _fail(path, where, f"unknown category (known: {', '.join(CATEGORY_IDS)})")
    table = _check_keys(path, where, table, ("department", *CATEGORY_LISTS))
    cat = rs.categories.setdefault(cid, Category(cid))
    if "department" in table:
        if not isinstance(table["department"], str) or not table["department"].strip():
            raise _fail(path, f"{where} department", "must be a non-empty string")
        cat.department = table["department"].strip()
    for key in CATEGORY_LISTS:
        if key in table:
            cat.lists[key] += _words(path, f"{where} {key}", table[key])


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ScoringConfigError(f"{path}: rules file not found") from None
    except OSError as exc:
        raise ScoringConfigError(f"{path}: cannot read rules file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScoringConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ScoringConfigError(f"{path}: not UTF-8 text: {exc}") from None


def merge_file(rs: RuleSet, path: Path, *, shipped: bool = False) -> None:
    doc = _check_keys(path, "top level", _read(path), ("format", "context", "rules", "categories"))
    if doc.get("format", 1) != 1:
        raise _fail(path, "format", f"unsupported format {doc['format']!r} (this version reads 1)")
    if shipped and "format" not in doc:
        raise _fail(path, "format", "missing")
    _merge_context(rs, path, doc.get("context", {}))
    for name, table in _check_keys(path, "[rules]", doc.get("rules", {}), TEXT_RULES).items():
        _merge_rule(rs, path, name, table, shipped)
    categories = _check_keys(path, "[categories]", doc.get("categories", {}), CATEGORY_IDS)
    for cid, table in categories.items():
        _merge_category(rs, path, cid, table)
    rs.sources.append(str(path))


def load(extra: Sequence[Path] = ()) -> RuleSet:
    """The shipped rules with each admin file in ``extra`` merged on top, in order."""
    rs = RuleSet()
    merge_file(rs, SHIPPED, shipped=True)
    for path in extra:
        merge_file(rs, Path(path))
    return rs
