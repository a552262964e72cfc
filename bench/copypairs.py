"""How well near copies are told from merely similar texts, on the hand-labelled real pairs of
tests/fixtures/copies/pairs.tsv: `python -m bench.copypairs` prints precision and recall per
shingle size, floor of distinct shingles and similarity threshold, then those of the settings
watcher/intake/nearcopy.py uses (band keys included: a pair must share one to be compared)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from rensa import RMinHash

from watcher.intake import nearcopy

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "copies" / "pairs.tsv"


def load_pairs(path: Path = PAIRS) -> list[tuple[str, str, str, str]]:
    """(where, label, first, second) for each labelled pair."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    return [(r["where"], r["label"], r["first"], r["second"])
            for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


def linked(first: str, second: str) -> bool:
    """What the intake decides: both texts signed, a band key shared, signatures close enough."""
    a, b = nearcopy.signature(first), nearcopy.signature(second)
    return (a is not None and b is not None and bool(set(a.bands) & set(b.bands))
            and nearcopy.similarity(a.digest, b.digest) >= nearcopy.THRESHOLD)


def _estimate(first: str, second: str, size: int) -> tuple[float, int]:
    parts = []
    for text in (first, second):
        reduced = nearcopy.copy_text(text)
        parts.append(list(dict.fromkeys(reduced[i : i + size]
                                        for i in range(len(reduced) - size + 1))))
    hashes = []
    for shingles in parts:
        minhash = RMinHash(nearcopy.PERMUTATIONS, nearcopy.SEED)
        minhash.update(shingles or [""])
        hashes.append(minhash)
    return hashes[0].jaccard(hashes[1]), min(len(p) for p in parts)


def _score(decisions: list[tuple[bool, bool]]) -> tuple[int, int, int, float, float]:
    tp = sum(1 for said, copy in decisions if said and copy)
    fp = sum(1 for said, copy in decisions if said and not copy)
    fn = sum(1 for said, copy in decisions if copy and not said)
    return tp, fp, fn, tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0


def grid(pairs: list[tuple[str, str, str, str]]) -> Iterator[str]:
    for size in (2, 3, 4, 5):
        estimates = [(_estimate(a, b, size), label == "copy") for _, label, a, b in pairs]
        for floor in (16, 20, 24, 28):
            cells = []
            for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
                _, fp, _, precision, recall = _score(
                    [(j >= threshold and n >= floor, copy) for (j, n), copy in estimates])
                cells.append(f"{threshold}: P {precision:.2f} R {recall:.2f} ({fp} fp)")
            yield f"shingle {size}, >= {floor} shingles | " + " | ".join(cells)


def main() -> None:
    pairs = load_pairs()
    copies = sum(1 for p in pairs if p[1] == "copy")
    print(f"{len(pairs)} pairs: {copies} copies, {len(pairs) - copies} different")
    for line in grid(pairs):
        print(line)
    tp, fp, fn, precision, recall = _score([(linked(a, b), label == "copy")
                                            for _, label, a, b in pairs])
    print(f"chosen: shingle {nearcopy.SHINGLE}, >= {nearcopy.MIN_SHINGLES} shingles, "
          f"threshold {nearcopy.THRESHOLD}, {nearcopy.BANDS} bands of {nearcopy.ROWS}: "
          f"{tp} linked copies, {fp} wrongly linked, {fn} copies missed: "
          f"precision {precision:.3f}, recall {recall:.3f}")


if __name__ == "__main__":
    main()
