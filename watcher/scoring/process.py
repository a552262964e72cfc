"""The shipped scorer in a process of its own, beside the intake (issue #15).

Scoring is CPU in Python, and the GIL kept it on the core that also parses feeds and writes the
store: a sweep with much that is new was one core busy and the other idle. An intake thread
hands its batch's texts here and waits (without the GIL) while the other intake thread writes
its own batch; the worker returns the shipped scorer's ``Score`` of each, and the intake applies
the deployment's adjustment itself (``Scorer.adjust``), as ``AdjustedScorer.score`` does.

Only for work worth it: the worker starts once ``START_AFTER`` texts were scored in the
process (a sweep with a few new items, every test, never pays for one), and is used once it
has loaded the model; until then, and for good if it cannot start or fails, texts are scored
in the process as before. One worker, and at most one batch per intake thread waits for it:
memory stays that of one more scorer. Its results are the same ``Score`` values: it builds
the scorer from the same threshold and rules files.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path

from watcher.scoring.scorer import Score, Scorer

log = logging.getLogger(__name__)

START_AFTER = 200  # texts scored in the process before the worker is started
# Seconds a batch may take in the worker before it is given up and scored here: a worker
# that hangs must not stop the intake.
BATCH_TIMEOUT = 120.0

Asked = tuple[str, str, float | None]  # text, title, threshold

_scorer: Scorer | None = None  # the worker's own


def _start_worker(threshold: float | None, rules_files: Sequence[str]) -> None:
    """In the worker: the parent stops it (Ctrl-C reaches the whole process group, and the
    parent lets the batch in hand finish first)."""
    global _scorer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _scorer = Scorer(threshold=threshold, rules_files=[Path(p) for p in rules_files])


def _ready() -> bool:
    assert _scorer is not None
    _scorer.model()  # loads it now, so the first batch does not wait for it
    return True


def _score_many(asked: Sequence[Asked]) -> list[Score]:
    assert _scorer is not None
    return [_scorer.score(text, title=title, threshold=threshold)
            for text, title, threshold in asked]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ScoringProcess:
    """A worker process for the shipped scorer, started when there is enough to score.
    ``shipped`` gives the scores, or None: score in the caller's process."""

    def __init__(self, *, threshold: float | None, rules_files: Sequence[Path] = (),
                 start_after: int = START_AFTER) -> None:
        self._args = (threshold, [str(p) for p in rules_files])
        self._start_after = start_after
        self._asked = 0
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._ready: concurrent.futures.Future[bool] | None = None
        # One core: the worker would only take turns with the intake
        self._off = _cores() < 2

    def shipped(self, asked: Sequence[Asked]) -> list[Score] | None:
        """The shipped scorer's scores of `asked`, from the worker; None when it is not
        running (yet), or failed: the caller scores them itself."""
        pool = self._usable(len(asked))
        if pool is None:
            return None
        try:
            return pool.submit(_score_many, list(asked)).result(timeout=BATCH_TIMEOUT)
        except Exception as exc:  # a dead or stuck worker: the intake goes on without it
            log.warning("scoring process failed (%s: %s); scoring in the main process",
                        type(exc).__name__, exc)
            self._give_up()
            return None

    def _usable(self, count: int) -> concurrent.futures.ProcessPoolExecutor | None:
        with self._lock:
            if self._off:
                return None
            if self._pool is None:
                self._asked += count
                if self._asked >= self._start_after:
                    self._start()
                return None
            assert self._ready is not None
            if not self._ready.done():
                return None
            if self._ready.exception() is not None:
                log.warning("scoring process did not start (%s); scoring in the main process",
                            self._ready.exception())
                self._off = True
                self._shutdown(wait=False)
                return None
            return self._pool

    def _start(self) -> None:
        import multiprocessing  # lazy: a sweep with little new, the warm one, never needs it

        try:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=self._args)
            self._ready = self._pool.submit(_ready)
        except Exception as exc:  # no semaphores, no processes allowed: as before
            log.warning("scoring process cannot start (%s: %s); scoring in the main process",
                        type(exc).__name__, exc)
            self._off = True
            self._shutdown(wait=False)
            return
        log.info("scoring in a process of its own from now on")

    def _give_up(self) -> None:
        with self._lock:
            self._off = True
            self._shutdown(wait=False)

    def _shutdown(self, *, wait: bool) -> None:
        pool, self._pool, self._ready = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def close(self) -> None:
        """Stops the worker (after the batch in hand); later batches are scored here."""
        with self._lock:
            self._off = True
            self._shutdown(wait=True)
