"""The reference sample: a stratified sample of ``../shared/eval/dev.csv`` (the file ``make
eval`` measures) shipped with Watcher, so that a deployment's own adjustment can be checked
against the shipped model's figures where dev.csv is not at hand. Half of it anchors the fit,
the other half judges it (``watcher.scoring.adjust``).

Rebuilt, byte for byte, by ``python -m watcher.scoring.reference ../shared/eval/dev.csv``.
"""

from __future__ import annotations

import argparse
import gzip
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from watcher.scoring.dataset import read_csv

PATH = Path(__file__).parent / "data" / "reference.tsv.gz"
PER_DATASET = 2_000
MAX_CHARS = 300  # longer texts are cut: the figures are about short posts and reviews
SEED = 7


@dataclass(frozen=True)
class Labelled:
    text: str
    neg: int
    dataset: str


@cache
def load() -> tuple[Labelled, ...]:
    with gzip.open(PATH, "rt", encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip()]
    return tuple(Labelled(text, int(neg), dataset) for dataset, neg, text in rows)


def halves() -> tuple[list[Labelled], list[Labelled]]:
    """(anchors, judges): alternate rows of each dataset."""
    rows = load()
    return list(rows[0::2]), list(rows[1::2])


def build(csv: Path) -> bytes:
    texts, labels, names = read_csv(csv)
    by_dataset: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        by_dataset.setdefault(name, []).append(i)
    lines = []
    for name in sorted(by_dataset):
        chosen = by_dataset[name]
        if len(chosen) > PER_DATASET:
            chosen = sorted(random.Random(SEED).sample(chosen, PER_DATASET))
        for i in chosen:
            text = " ".join(texts[i].split())[:MAX_CHARS]
            if text:
                lines.append(f"{name}\t{labels[i]}\t{text}\n")
    return gzip.compress("".join(lines).encode(), mtime=0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watcher.scoring.reference",
                                     description=__doc__)
    parser.add_argument("csv", type=Path)
    args = parser.parse_args(argv)
    PATH.write_bytes(build(args.csv))
    print(f"{PATH}: {len(load())} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
