"""Group commit for the small store writes every poll makes (claiming its slot, its 304 state,
marking the slot done): the calls made while one batch's transaction runs wait for it to end,
then go together in the next one. A slot's 1,000 polls make a few transactions, not 1,000
queued for SQLite's single writer, and an incoming complaint's intake no longer waits behind
them (#15: alert latency)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from typing import Generic, TypeVar

Key = TypeVar("Key")


class GroupCommit(Generic[Key]):
    """`await batch(key)` runs `write(keys)` in a thread, with `key` among the keys of every call
    waiting meanwhile; returns whether `key` is among what `write` returned (e.g. the claims won),
    or True when `write` returns None (everything written). A failed write raises its error in
    every call of that batch; the next batch is tried anew."""

    def __init__(self, write: Callable[[list[Key]], Collection[Key] | None]) -> None:
        self._write = write
        self._waiting: list[tuple[Key, asyncio.Future[bool]]] = []
        self._turn = asyncio.Lock()
        self._jobs: set[asyncio.Task[Collection[Key] | None]] = set()  # held until done

    async def __call__(self, key: Key) -> bool:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        self._waiting.append((key, done))
        try:
            async with self._turn:
                await asyncio.sleep(0)  # the polls started in the same tick join this batch
                if not done.done():  # nobody took this call along: it leads the next batch
                    batch, self._waiting = self._waiting, []
                    self._jobs.add(job := loop.create_task(
                        asyncio.to_thread(self._write, [k for k, _ in batch])))
                    job.add_done_callback(self._jobs.discard)
                    # Settled from the job itself: a leader cancelled while it waits (a daemon
                    # stopping) still leaves the others of its batch their answer.
                    job.add_done_callback(lambda finished: _settle(batch, finished))
                    await asyncio.wait([job])
        except asyncio.CancelledError:
            # Cancelled before any batch took it along: not written (a slot claimed for a poll
            # that no longer runs would stay held until its lease ran out).
            self._waiting = [(k, d) for k, d in self._waiting if d is not done]
            raise
        return await done


def _settle(batch: list[tuple[Key, asyncio.Future[bool]]],
            job: asyncio.Future[Collection[Key] | None]) -> None:
    error = asyncio.CancelledError() if job.cancelled() else job.exception()
    kept = None if error is not None else job.result()
    for key, done in batch:
        if done.done():
            continue
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(kept is None or key in kept)
