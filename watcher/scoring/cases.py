"""Measure the risk rules on a case set: ``python -m watcher.scoring.cases DIR``.

DIR (``tests/fixtures/scoring``) holds TOML files named ``partN_*.toml``; each is a list of
``[[group]]`` tables, one per kind of incident (or of hard negative)::

    [[group]]
    kind = "burns and scalds"        # what the texts have in common
    rules = ["safety"]               # exactly the text rules that must fire ([] = none)
    complaint = true                 # optional: what the scorer must say
    negative = "hypothetical"        # optional: the kind of hard negative
    texts = ["...", "..."]

A case's expected level is that of its most urgent rule. For every rule, ``make eval`` prints
recall and precision over each part; for the hard negatives (no rule expected), the share that
fired any rule; for the positives, the share found with the right rule and level.
"""

from __future__ import annotations

import argparse
import re
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher.scoring.scorer import RISK_RULES, Score, Scorer

LEVELS = {"safety": 1, "money": 1, "group": 1, "regulator": 2, "media": 2, "legal": 2,
          "complaint_platform": 2, "deadline": 2, "repeat": 2}
_PART = re.compile(r"^(part\d+)_.+\.toml$")


@dataclass(frozen=True)
class Case:
    part: str
    file: str
    kind: str
    text: str
    rules: tuple[str, ...]
    complaint: bool | None
    negative: str

    @property
    def level(self) -> int | None:
        return min((LEVELS[r] for r in self.rules), default=None)


def load(directory: Path) -> list[Case]:
    """Every case of every ``partN_*.toml`` in ``directory``, in file order."""
    out: list[Case] = []
    for path in sorted(directory.glob("part*_*.toml")):
        match = _PART.match(path.name)
        if match is None:
            continue
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for group in doc["group"]:
            rules = tuple(group["rules"])
            unknown = set(rules) - set(RISK_RULES)
            if unknown:
                raise ValueError(f"{path.name}: {group['kind']}: unknown rule {sorted(unknown)}")
            for text in group["texts"]:
                out.append(Case(match.group(1), path.name, group["kind"], text, rules,
                                group.get("complaint"), group.get("negative", "")))
    return out


@dataclass(frozen=True)
class RuleFigures:
    rule: str
    tp: int
    fp: int
    fn: int

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None


@dataclass(frozen=True)
class Summary:
    cases: int
    rules: tuple[RuleFigures, ...]
    positives: int
    found: int          # positives with every expected rule and the expected level
    negatives: int
    negatives_fired: int  # hard negatives where any rule fired
    complaint_checked: int
    complaint_right: int

    def rule(self, name: str) -> RuleFigures:
        return next(r for r in self.rules if r.rule == name)


def summarize(cases: Sequence[Case], scores: Sequence[Score]) -> Summary:
    figures = []
    for rule in RISK_RULES:
        tp = sum(1 for c, s in zip(cases, scores, strict=True)
                 if rule in c.rules and rule in s.risks)
        fp = sum(1 for c, s in zip(cases, scores, strict=True)
                 if rule not in c.rules and rule in s.risks)
        fn = sum(1 for c, s in zip(cases, scores, strict=True)
                 if rule in c.rules and rule not in s.risks)
        figures.append(RuleFigures(rule, tp, fp, fn))
    pairs = list(zip(cases, scores, strict=True))
    positives = [(c, s) for c, s in pairs if c.rules]
    negatives = [(c, s) for c, s in pairs if not c.rules]
    checked = [(c, s) for c, s in pairs if c.complaint is not None]
    return Summary(
        cases=len(cases),
        rules=tuple(figures),
        positives=len(positives),
        found=sum(1 for c, s in positives if found(c, s)),
        negatives=len(negatives),
        negatives_fired=sum(1 for _, s in negatives if s.risks),
        complaint_checked=len(checked),
        complaint_right=sum(1 for c, s in checked if s.complaint is c.complaint),
    )


def found(case: Case, score: Score) -> bool:
    """Every expected rule fired and the level is the expected one."""
    return set(case.rules) <= set(score.risks) and score.level == case.level


def _pct(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.2f}"


def report(title: str, summary: Summary) -> list[str]:
    lines = [title, f"{'rule':<20}{'cases':>6}{'recall':>8}{'precision':>10}{'fp':>5}"]
    for r in summary.rules:
        if r.tp + r.fn + r.fp == 0:
            continue
        lines.append(f"{r.rule:<20}{r.tp + r.fn:>6}{_pct(r.recall):>8}{_pct(r.precision):>10}"
                     f"{r.fp:>5}")
    lines.append(f"level 1-2 cases found with the right rule and level: {summary.found}/"
                 f"{summary.positives} ({summary.found / max(1, summary.positives):.2f})")
    lines.append(f"hard negatives that fired a rule: {summary.negatives_fired}/{summary.negatives}"
                 f" ({summary.negatives_fired / max(1, summary.negatives):.2f})")
    lines.append(f"complaint yes/no right: {summary.complaint_right}/{summary.complaint_checked}")
    return lines


def misses(cases: Iterable[Case], scores: Iterable[Score]) -> list[str]:
    out = []
    for c, s in zip(cases, scores, strict=True):
        if sorted(s.risks) != sorted(c.rules) or (c.rules and s.level != c.level):
            out.append(f"  [{c.file} / {c.kind}] want {list(c.rules)} got {list(s.risks)}: "
                       f"{c.text}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watcher.scoring.cases", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every case scored wrong")
    args = parser.parse_args(argv)
    cases = load(args.directory)
    scorer = Scorer()
    scorer.score("预热一下")  # load time is not throughput
    start = time.process_time()
    scores = [scorer.score(c.text) for c in cases]
    elapsed = max(time.process_time() - start, 1e-9)
    for part in sorted({c.part for c in cases}):
        idx = [i for i, c in enumerate(cases) if c.part == part]
        sub_cases, sub_scores = [cases[i] for i in idx], [scores[i] for i in idx]
        print("\n".join(report(f"\n{part}: {len(idx)} cases", summarize(sub_cases, sub_scores))))
        if args.misses:
            print("\n".join(misses(sub_cases, sub_scores)))
    print(f"\n{len(cases) / elapsed:.0f} cases/s on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
