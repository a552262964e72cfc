"""Train the learned risk component: ``python -m watcher.scoring.risk_train [DEV_CSV] [--out F]``.

The rules (``engine.Matcher``, words and frames) label every negative review of dev.csv that
they catch as a ``safety`` incident; a logistic regression over the same character
1-3-grams as the complaint model learns what those reviews have in common, so it also knows
the ones written with words the rules lack. Rows the rules catch in a non-negative review are
left out (a risk in a review its author rated well is not the pattern to learn).

Each rule's threshold is set from 3-fold out-of-fold probabilities: the lowest at which at most
``NON_NEGATIVE_RATE`` of the non-negative reviews would fire (they must not become level-1
incidents), and never below ``MIN_THRESHOLD``. Needs the ``train`` extra; deterministic (fixed
folds, liblinear with a fixed seed, weights rounded, gzip without a timestamp), so ``make train``
rebuilds ``data/risk.tsv.gz`` byte for byte.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from watcher.scoring import features, normalize
from watcher.scoring.dataset import read_csv
from watcher.scoring.engine import Matcher
from watcher.scoring.risk_model import LEARNED_RULES, RISK_PATH, RiskModel, dump
from watcher.scoring.ruleset import load

DEFAULT_DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev.csv"
MIN_DF = 3
C = 1.0
MAX_NGRAMS = 20_000
NON_NEGATIVE_RATE = 0.002
MIN_THRESHOLD = 0.85
SEED = 0


def _matrix(grams: list[set[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for k, g in enumerate(grams):
        s = features.scale(len(g))
        for gram in g:
            j = vocab.get(gram)
            if j is not None:
                rows.append(k)
                cols.append(j)
                vals.append(s)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(grams), len(vocab)))


def _fit(grams: list[set[str]], y: np.ndarray) -> tuple[dict[str, float], float]:
    df: dict[str, int] = {}
    for g in grams:
        for gram in g:
            df[gram] = df.get(gram, 0) + 1
    names = sorted(g for g, n in df.items() if n >= MIN_DF)
    vocab = {g: j for j, g in enumerate(names)}
    clf = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=2000,
                             random_state=SEED)
    clf.fit(_matrix(grams, vocab), y)
    coef = clf.coef_[0]
    keep = np.argsort(-np.abs(coef), kind="stable")[:MAX_NGRAMS]
    weights = {names[j]: float(f"{coef[j]:.4g}") for j in sorted(keep) if coef[j] != 0.0}
    return weights, float(f"{clf.intercept_[0]:.4g}")


def _probabilities(weights: dict[str, float], intercept: float,
                   grams: list[set[str]]) -> np.ndarray:
    z = np.array([intercept + features.scale(len(g)) * sum(weights.get(x, 0.0) for x in g)
                  for g in grams])
    out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return out


def train(path: Path, out: Path) -> RiskModel:
    texts, labels, _ = read_csv(path)
    matcher = Matcher(load())
    clean = [normalize.clean(t) for t in texts]
    fired = [{h.rule for h in matcher.hits(c)} for c in clean]
    grams = [features.grams(normalize.fold(c)) for c in clean]
    neg = np.asarray(labels)
    model = RiskModel()
    for rule in LEARNED_RULES:
        hit = np.array([rule in f for f in fired])
        use = np.flatnonzero(~(hit & (neg == 0)))  # a risk in a well-rated review: left out
        y = (hit[use] & (neg[use] == 1)).astype(int)
        sub = [grams[i] for i in use]
        oof = np.empty(len(use))
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=SEED).split(use, y):
            w, b = _fit([sub[i] for i in tr], y[tr])
            oof[te] = _probabilities(w, b, [sub[i] for i in te])
        calm = oof[neg[use] == 0]
        threshold = max(MIN_THRESHOLD, float(np.quantile(calm, 1.0 - NON_NEGATIVE_RATE)))
        threshold = float(f"{threshold:.4g}")
        new = int(np.sum((oof >= threshold) & (y == 0) & (neg[use] == 1)))
        print(f"{rule}: {int(y.sum())} rule-labelled of {len(use)} rows; threshold {threshold}; "
              f"out of fold: recall of the rule labels "
              f"{float(np.mean(oof[y == 1] >= threshold)):.3f}, negative reviews the rules "
              f"missed that it adds {new}")
        weights, intercept = _fit(sub, y)
        model.rules[rule] = (weights, intercept, threshold)
    dump(model, out)
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watcher.scoring.risk_train",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dev_csv", nargs="?", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--out", type=Path, default=RISK_PATH)
    args = parser.parse_args(argv)
    if not args.dev_csv.is_file():
        parser.error(f"{args.dev_csv}: no such file")
    train(args.dev_csv, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
