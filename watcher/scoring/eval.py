"""Measure the complaint scorer: ``python -m watcher.scoring.eval FILE.csv [--lodo]``.

FILE.csv has ``text,neg[,dataset]`` (neg = 1 for a complaint / negative text). For each
dataset it prints precision, recall and F1 of the ``complaint`` field of ``watcher score``
against ``neg``, the AUC of ``probability``, and texts per second on one core; then the same
for bare snownlp (``SnowNLP(text).sentiments < 0.5``) on a sample, for comparison.

``--lodo`` (implied for a file named dev.csv) also runs leave-one-dataset-out
cross-validation: for each dataset, a model is trained on the others with the training code
of ``watcher.scoring.train`` and scored on it through the same ``Scorer``. That needs the
``train`` extra (numpy, scipy, scikit-learn) and a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher.scoring import Scorer
from watcher.scoring.dataset import read_csv


@dataclass(frozen=True)
class Row:
    name: str
    n: int
    neg_share: float
    precision: float
    recall: float
    f1: float
    auc: float | None
    per_second: float


def auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve by ranks (ties share their mean rank)."""
    pairs = sorted(zip(scores, labels, strict=True))
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return None
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2.0
        rank_sum += mean_rank * sum(label for _, label in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def measure(name: str, labels: Sequence[int], predict: Callable[[Sequence[str]],
            tuple[list[bool], list[float]]], texts: Sequence[str]) -> Row:
    start = time.process_time()  # CPU time of this process: one core, whatever else runs
    flags, scores = predict(texts)
    elapsed = max(time.process_time() - start, 1e-9)
    tp = sum(1 for f, y in zip(flags, labels, strict=True) if f and y)
    fp = sum(1 for f, y in zip(flags, labels, strict=True) if f and not y)
    fn = sum(1 for f, y in zip(flags, labels, strict=True) if not f and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Row(name, len(texts), sum(labels) / max(1, len(labels)), p, r, f1, auc(labels, scores),
               len(texts) / elapsed)


def scorer_predict(scorer: Scorer) -> Callable[[Sequence[str]], tuple[list[bool], list[float]]]:
    def predict(texts: Sequence[str]) -> tuple[list[bool], list[float]]:
        scores = scorer.score_many(texts)
        return [s.complaint for s in scores], [s.probability for s in scores]
    return predict


def snownlp_predict(texts: Sequence[str]) -> tuple[list[bool], list[float]]:
    from snownlp import SnowNLP  # ~4 s and ~430 MB: only here, never in the daemon

    values = [SnowNLP(t).sentiments if t.strip() else 0.5 for t in texts]
    return [v < 0.5 for v in values], [1.0 - v for v in values]


def print_table(title: str, rows: Sequence[Row]) -> None:
    print(f"\n{title}")
    print(f"{'dataset':<34}{'rows':>7}{'neg%':>6}{'P':>7}{'R':>7}{'F1':>7}{'AUC':>7}{'texts/s':>9}")
    for r in rows:
        a = f"{r.auc:.3f}" if r.auc is not None else "  -  "
        print(f"{r.name:<34}{r.n:>7}{100 * r.neg_share:>6.1f}{r.precision:>7.3f}{r.recall:>7.3f}"
              f"{r.f1:>7.3f}{a:>7}{r.per_second:>9.0f}")


def by_dataset(path: Path) -> dict[str, tuple[list[str], list[int]]]:
    texts, labels, names = read_csv(path)
    groups: dict[str, tuple[list[str], list[int]]] = {}
    for t, y, d in zip(texts, labels, names, strict=True):
        groups.setdefault(d, ([], []))
        groups[d][0].append(t)
        groups[d][1].append(y)
    return groups


def sample(texts: list[str], labels: list[int], k: int) -> tuple[list[str], list[int]]:
    if k <= 0 or k >= len(texts):
        return texts, labels
    idx = sorted(random.Random(7).sample(range(len(texts)), k))
    return [texts[i] for i in idx], [labels[i] for i in idx]


def lodo_rows(path: Path) -> list[Row]:
    import numpy as np  # the `train` extra: not installed where Watcher only runs

    from watcher.scoring import train

    texts, labels, names = read_csv(path)
    corpus = train.build_corpus(texts, labels, names, read_csv(path, column="orig_label")[2])
    threshold = Scorer().model().threshold
    rows = []
    for held in sorted(set(names)):
        model, _ = train.fit_model(corpus, np.flatnonzero(corpus.dataset != held))
        model.threshold = threshold
        idx = [i for i, d in enumerate(names) if d == held]
        scorer = Scorer(model=model)
        scorer.score("预热一下")
        rows.append(measure(held, [labels[i] for i in idx], scorer_predict(scorer),
                            [texts[i] for i in idx]))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watcher.scoring.eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--lodo", action="store_true", help="leave-one-dataset-out CV too")
    parser.add_argument("--snownlp-sample", type=int, default=2000, metavar="N",
                        help="texts per dataset for the snownlp comparison (0 = all)")
    parser.add_argument("--no-snownlp", action="store_true")
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        parser.error(f"{args.csv}: no such file")
    groups = by_dataset(args.csv)
    scorer = Scorer()
    thr = scorer.model().threshold
    scorer.score("预热一下")  # load time is not throughput
    rows = [measure(d, y, scorer_predict(scorer), t) for d, (t, y) in sorted(groups.items())]
    note = " - in-sample: the model was trained on this file" if args.csv.name == "dev.csv" else ""
    print_table(f"watcher score, shipped model (threshold {thr:.2f}){note}", rows)
    if not args.no_snownlp:
        import snownlp  # noqa: F401  (loaded before timing it: import time is not throughput)

        snow = []
        for d, (t, y) in sorted(groups.items()):
            st, sy = sample(t, y, args.snownlp_sample)
            snow.append(measure(d, sy, snownlp_predict, st))
        print_table(f"snownlp sentiments < 0.5 (sample of {args.snownlp_sample or 'all'}, seed 7)",
                    snow)
    if args.lodo or args.csv.name == "dev.csv":
        print_table("leave-one-dataset-out: trained on the other datasets, scored on this one",
                    lodo_rows(args.csv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
