"""`python -m bench.scoredump OUT [N]`: every field of the shipped scorer's `Score` for the first
N texts of dev.csv in the bench's order (20,000 by default), the burst's and the alert rounds'
texts, one `repr` a line, with the CPU seconds it took. Run it in two trees and compare the
files (`cmp`) to show that a change to how the scorer works changed no score (#15). Run both
with the same PYTHONHASHSEED: the model adds its n-gram weights in the order of a set of
strings, so the last bits of a probability differ between processes otherwise."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from bench.texts import COMPLAINTS, burst, load_texts


def main() -> None:
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    texts = [*load_texts()[:count], *burst(200), *COMPLAINTS,
             "", "  ", "This is broken, never again", "great product, not bad"]
    from watcher.scoring import Scorer

    scorer = Scorer()
    scorer.score("质量很差")  # loads the model
    started = time.process_time()
    with out.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            # Some with a title, some with a source's own threshold: both reach the rules
            title = "标题：退款问题" if i % 7 == 3 else ""
            threshold = 0.3 if i % 11 == 5 else None
            fh.write(repr(scorer.score(text, title=title, threshold=threshold)) + "\n")
    seconds = time.process_time() - started
    print(json.dumps({"texts": len(texts), "cpu_s": round(seconds, 2),
                      "us_per_text": round(1e6 * seconds / len(texts), 1),
                      "sha1": hashlib.sha1(out.read_bytes()).hexdigest()}))


if __name__ == "__main__":
    main()
