"""Read labelled CSV files (``text,neg[,dataset]``): stdlib only, shared by train and eval."""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def read_csv(path: Path, *, column: str = "dataset") -> tuple[list[str], list[int], list[str]]:
    """Texts, labels and each row's dataset; a missing dataset column means one dataset named
    after the file. ``column`` reads another column in place of dataset (e.g. ``orig_label``)."""
    csv.field_size_limit(sys.maxsize)
    texts, labels, names = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["text"] or "")
            labels.append(int(row["neg"]))
            names.append(row.get(column) or (path.stem if column == "dataset" else ""))
    return texts, labels, names
