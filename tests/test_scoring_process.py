"""The shipped scorer in a process of its own (watcher/scoring/process.py): the same scores as
in the process, started only past its threshold, and the intake's own scoring whenever the
worker cannot start, dies or is closed."""

from __future__ import annotations

import concurrent.futures
import logging
import time
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from tests.flow import Flow, at
from tests.servers import Receiver
from watcher.scoring import Score, Scorer
from watcher.scoring import process as process_module
from watcher.scoring.process import ScoringProcess
from watcher.store.db import Store
from watcher.store.schema import mentions

ASKED = [("充电器充电的时候冒烟了，差点着火，太危险了", "", None),
         ("质量很好，物流也快", "好评", None),
         ("退款拖了一个月还没到账，再不处理我就找媒体曝光", "", 0.3),
         ("This is broken, never again", "", None)]


def _warm(process: ScoringProcess) -> list[Any]:
    """Asks until the worker answers (it loads the model first: a few seconds at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = process.shipped(ASKED)
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError("the scoring process never answered")


@pytest.fixture(autouse=True)
def _two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process_module, "_cores", lambda: 2)  # CI may have one


def test_the_worker_gives_the_scores_of_the_process() -> None:
    process = ScoringProcess(threshold=None, start_after=1)
    try:
        assert process.shipped(ASKED) is None  # started now, not ready yet: score here
        found = _warm(process)
    finally:
        process.close()
    scorer = Scorer()
    here = [scorer.score(text, title=title, threshold=threshold)
            for text, title, threshold in ASKED]
    assert [_exact(s) for s in found] == [_exact(s) for s in here]
    for there, ours in zip(found, here, strict=True):
        assert _numbers(there) == pytest.approx(_numbers(ours), rel=1e-12)
    assert process.shipped(ASKED) is None  # closed: the caller scores


def _exact(score: Score) -> Score:
    """All but the reasons' numbers: the model adds its n-grams' weights in the order of a set
    of strings, which differs by process (hash randomisation) in the last bits of the sum,
    between two `watcher sweep` runs alike."""
    return replace(score, reasons=tuple(replace(r, numbers=()) for r in score.reasons))


def _numbers(score: Score) -> list[float]:
    return [value for r in score.reasons for _, value in r.numbers]


def test_no_worker_before_enough_was_asked() -> None:
    process = ScoringProcess(threshold=None, start_after=10)
    assert process.shipped(ASKED) is None and process.shipped(ASKED) is None
    assert process._pool is None
    process.close()


def test_no_worker_on_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process_module, "_cores", lambda: 1)
    process = ScoringProcess(threshold=None, start_after=1)
    assert process.shipped(ASKED) is None and process.shipped(ASKED) is None
    assert process._pool is None


def test_a_worker_that_cannot_start_leaves_scoring_here(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    process = ScoringProcess(threshold=None, start_after=1)
    with caplog.at_level(logging.WARNING):
        assert process.shipped(ASKED) is None
    assert "cannot start" in caplog.text and "no semaphores here" in caplog.text
    assert process.shipped(ASKED) is None


def test_a_worker_whose_scorer_fails_to_load_leaves_scoring_here(
        caplog: pytest.LogCaptureFixture, tmp_path: Any) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("this is not toml [", encoding="utf-8")
    process = ScoringProcess(threshold=None, rules_files=[bad], start_after=1)
    try:
        deadline = time.monotonic() + 60
        with caplog.at_level(logging.WARNING):
            while "did not start" not in caplog.text and time.monotonic() < deadline:
                assert process.shipped(ASKED) is None
                time.sleep(0.1)
        assert "did not start" in caplog.text
        assert process.shipped(ASKED) is None
    finally:
        process.close()


def test_a_worker_that_dies_leaves_scoring_here(caplog: pytest.LogCaptureFixture) -> None:
    process = ScoringProcess(threshold=None, start_after=1)
    try:
        _warm(process)
        assert process._pool is not None
        for worker in list(process._pool._processes.values()):
            worker.kill()
            worker.join()
        with caplog.at_level(logging.WARNING):
            assert process.shipped(ASKED) is None
        assert "scoring process failed" in caplog.text
        assert process.shipped(ASKED) is None  # for good: no worker started again
        assert process._pool is None
    finally:
        process.close()


def test_the_intake_stores_the_workers_scores_as_its_own(
        store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    flow = Flow(store, receiver)
    process = ScoringProcess(threshold=flow.config.scoring.threshold, start_after=1)
    flow.intake.process = process
    answered: list[object] = []

    def shipped(asked: Any) -> Any:
        answered.append(ScoringProcess.shipped(process, asked))
        return answered[-1]

    try:
        _warm(process)
        monkeypatch.setattr(process, "shipped", shipped)
        report = flow.take(at(23, 10), flow.mention(ASKED[0][0], "甲"),
                           flow.mention(ASKED[1][0], "乙"))
    finally:
        process.close()
    assert len(answered) == 1 and answered[0] is not None  # from the worker
    assert (report.new, report.complaints, report.tickets) == (2, 1, 1)
    scorer = Scorer(threshold=flow.config.scoring.threshold)
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(mentions).order_by(mentions.c.id)).mappings())
    for row, (text, _, _) in zip(rows, ASKED[:2], strict=True):
        expected = scorer.score(text)
        assert (row["complaint"], row["level"], row["category"], row["risks"]) == \
            (expected.complaint, expected.level, expected.category, list(expected.risks))
        assert [r.code for r in row["reasons"]] == [r.code for r in expected.reasons]
