"""The evaluation command on a tiny hand-written CSV (no snownlp, no training)."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.scoring import eval as watcher_eval

TINY = Path(__file__).parent / "fixtures" / "scoring" / "tiny_eval.csv"


def test_auc() -> None:
    assert watcher_eval.auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert watcher_eval.auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert watcher_eval.auc([0, 1], [0.5, 0.5]) == 0.5
    assert watcher_eval.auc([1, 1], [0.1, 0.2]) is None


def test_eval_prints_a_row_per_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    assert watcher_eval.main([str(TINY), "--no-snownlp"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.startswith("handmade_")}
    assert set(rows) == {"handmade_reviews", "handmade_weibo"}
    assert rows["handmade_reviews"][1] == "6" and rows["handmade_weibo"][1] == "4"
    for cells in rows.values():
        precision, recall, f1 = (float(x) for x in cells[3:6])
        assert 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0
        assert f1 >= 0.75  # ten unambiguous hand-written texts
