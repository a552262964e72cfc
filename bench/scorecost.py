"""`python -m bench.scorecost snownlp|watcher TEXTS.json RUNS`: the cost of scoring alone, in
one thread. `snownlp` is bare `SnowNLP(text).sentiments`, the cold sweep's yardstick; `watcher`
is `Scorer().score(text)`. Prints {"load": s, "seconds": [s per run]}: the import (snownlp's
every model, ~3-4 s) or the model's first load is timed apart and not counted in the runs."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _snownlp() -> Callable[[str], object]:
    from snownlp import SnowNLP

    return lambda text: SnowNLP(text).sentiments


def _watcher() -> Callable[[str], object]:
    from watcher.scoring import Scorer

    scorer = Scorer()
    scorer.score("质量很差，客服不理人")  # loads the model
    return scorer.score


def main() -> None:
    kind, path, runs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    texts = json.loads(path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    score = {"snownlp": _snownlp, "watcher": _watcher}[kind]()
    load = time.perf_counter() - started
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            score(text)
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"load": load, "seconds": seconds}))


if __name__ == "__main__":
    main()
