"""The table: one row per figure, with what it is compared with, the ratio, the target and
PASS / SHORT (empty for a figure that only explains another)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Row:
    scenario: str  # "1 warm sweep", ...
    measure: str
    value: str
    against: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""  # PASS, SHORT (the target is not met), or "" for an explaining figure
    number: float = math.nan  # the value as a number, for tests and JSON

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "SHORT"


def seconds(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value / 2**20:.0f} MB"


def times(value: float) -> str:
    return "n/a" if math.isnan(value) or math.isinf(value) else f"{value:.2f}×"


def render(title: str, notes: list[str], rows: list[Row]) -> str:
    head = ["#", "measure (median)", "value", "compared with", "ratio", "target", "result"]
    body = [[r.scenario, r.measure, r.value, r.against, r.ratio, r.target, r.result]
            for r in rows]
    widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [f"## {title}", "", *[f"- {n}" for n in notes], "", line(head),
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(cells) for cells in body]
    return "\n".join(out) + "\n"
