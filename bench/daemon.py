"""Scenarios 4 and 5: `watcher run` with many sources. Its peak RSS (the process and any
children) through its first sweep, which reads and scores every item; then rounds in which a
few feeds bring one new complaint each, and the time from the platform answering with it to the
receiver getting its alert.

The first round's items are a month old, so the first sweep stores and scores them but makes no
tickets (`[monitor] max_age`): the alerts measured are only those of the new complaints.
Storm control (`digest_over`) and incidents are set out of reach, so each complaint is one
ticket alert and what is measured is the pipeline, not a hold-back rule."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bench.configs import sqlite_url, watcher_config
from bench.procs import ROOT, clean_env, tree_rss, watcher_command
from bench.server import Plan, PlatformServer, alert_latencies
from bench.texts import COMPLAINTS, load_texts


@dataclass
class DaemonOptions:
    feeds: int = 1000
    hosts: int = 50
    items: int = 10
    latency: float = 0.05
    every: int = 10  # each source's sweep interval, seconds
    rounds: int = 5
    per_round: int = 10  # feeds with a new complaint in each round
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))


@dataclass
class DaemonResult:
    first_sweep: float  # seconds from spawn until every source had run once
    rss_first_sweep: int  # bytes, peak through the first sweep
    rss_peak: int  # bytes, peak over the whole run
    latencies: list[float]
    expected_alerts: int
    exit_code: int | None
    log: Path


class _RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.05)


def _swept(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(
                "SELECT count(*) FROM sources WHERE last_run_at IS NOT NULL").fetchone()[0])
    except sqlite3.Error:  # not created yet, or busy
        return 0


def _config_extra(server: PlatformServer) -> str:
    return (f'[alerts]\non_duty = ["{server.receiver_url}"]\ndigest_over = 1000000\n'
            "[incidents]\nmin_complaints = 1000000\n[web]\nport = 0\n")


def run_daemon(opts: DaemonOptions, texts: list[str]) -> DaemonResult:
    work = Path(tempfile.mkdtemp(prefix="daemon-", dir=opts.workdir))
    plan = Plan(feeds=opts.feeds, hosts=opts.hosts, items=opts.items, latency=opts.latency,
                texts=tuple(texts[: opts.feeds * opts.items]), age=timedelta(days=30))
    log = work / "watcher.log"
    with PlatformServer(plan) as server, log.open("ab") as out:
        every = f'schedule = ["sweep"]\nsweep_every = "{opts.every}s"\n'
        config = watcher_config(work, server, sqlite_url(work), extra=_config_extra(server),
                                source_extra=every)
        started = time.perf_counter()
        proc = subprocess.Popen([*watcher_command(), "--config", str(config), "run"],
                                stdout=out, stderr=out, env=clean_env(), cwd=ROOT)
        sampler = _RssSampler(proc.pid)
        sampler.start()
        try:
            first_sweep = _wait_first_sweep(proc, work / "watcher.db", opts.feeds, started)
            rss_first = sampler.peak
            latencies, expected = _alert_rounds(server, opts, proc)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code: int | None = proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = None
            sampler.running = False
            sampler.join()
    return DaemonResult(first_sweep, rss_first, sampler.peak, latencies, expected, code, log)


def _wait_first_sweep(proc: subprocess.Popen[bytes], database: Path, feeds: int,
                      started: float, timeout: float = 600.0) -> float:
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"watcher run exited {proc.returncode} during its first sweep")
        if _swept(database) >= feeds:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise RuntimeError(f"the first sweep did not end within {timeout:.0f} s")


def _alert_rounds(server: PlatformServer, opts: DaemonOptions,
                  proc: subprocess.Popen[bytes]) -> tuple[list[float], int]:
    server.watch_served(True)
    texts = load_texts()
    # the generated sentences that stand in for dev.csv where it is absent are all shorter
    tails = list(dict.fromkeys(t[:30] for t in texts if len(t) >= 30)) or texts
    expected = 0
    step = max(1, opts.feeds // max(1, opts.per_round))
    for round_ in range(opts.rounds):
        feeds = [(round_ + i * step) % opts.feeds for i in range(opts.per_round)]
        # each in its own words (a real review's start after it): the same complaint again
        # from another feed would be a near copy, linked to the first and not alerted
        texts = {feed: f"{COMPLAINTS[(round_ + i) % len(COMPLAINTS)]}。"
                       f"{tails[(round_ * opts.per_round + i) % len(tails)]}"
                       f"（订单 {round_}-{feed}）" for i, feed in enumerate(feeds)}
        before = len(server.alerts)
        server.next_round(feeds, new_items=1, texts=texts)
        expected += len(feeds)
        deadline = time.perf_counter() + 2 * opts.every + 30
        while len(server.alerts) - before < len(feeds) and time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"watcher run exited {proc.returncode}")
            time.sleep(0.05)
    return alert_latencies(server), expected


@dataclass
class ManyResult:
    """`watcher run` with many sources: through its first sweep and one more."""

    feeds: int
    first_sweep: float  # seconds from spawn until every source had run once
    next_sweep: float  # seconds from then until every source had run once more
    cpu_first: float  # CPU seconds of the process (and children) through the first sweep
    cpu_next: float  # ... through the next one
    rss_peak: int  # bytes, over both


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of `pid` so far, its waited-for children included."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _last_run(database: Path) -> str:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        return str(conn.execute("SELECT max(last_run_at) FROM sources").fetchone()[0])


def _ran_since(database: Path, since: str) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM sources WHERE last_run_at > ?",
                                    (since,)).fetchone()[0])
    except sqlite3.Error:
        return 0


def run_many(opts: DaemonOptions, texts: list[str], timeout: float = 900.0) -> ManyResult:
    """`watcher run` with `opts.feeds` sources of `opts.items` items (a month old: stored and
    scored, no tickets), every source on a sweep every `opts.every` seconds."""
    work = Path(tempfile.mkdtemp(prefix="many-", dir=opts.workdir))
    if len(texts) < opts.feeds * opts.items:
        texts = (texts * math.ceil(opts.feeds * opts.items / len(texts)))
    plan = Plan(feeds=opts.feeds, hosts=opts.hosts, items=opts.items, latency=opts.latency,
                texts=tuple(texts[: opts.feeds * opts.items]), age=timedelta(days=30))
    database = work / "watcher.db"
    with PlatformServer(plan) as server, (work / "watcher.log").open("ab") as out:
        every = f'schedule = ["sweep"]\nsweep_every = "{opts.every}s"\n'
        config = watcher_config(work, server, sqlite_url(work), extra="[web]\nport = 0\n",
                                source_extra=every)
        started = time.perf_counter()
        proc = subprocess.Popen([*watcher_command(), "--config", str(config), "run"],
                                stdout=out, stderr=out, env=clean_env(), cwd=ROOT)
        sampler = _RssSampler(proc.pid)
        sampler.start()
        try:
            first = _wait_first_sweep(proc, database, opts.feeds, started, timeout)
            cpu_first, mark, then = _cpu(proc.pid), _last_run(database), time.perf_counter()
            while _ran_since(database, mark) < opts.feeds:
                if proc.poll() is not None or time.perf_counter() - then > timeout:
                    raise RuntimeError(f"watcher run did not sweep again (see {work})")
                time.sleep(0.1)
            next_sweep, cpu_next = time.perf_counter() - then, _cpu(proc.pid) - cpu_first
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
            sampler.running = False
            sampler.join()
    return ManyResult(opts.feeds, first, next_sweep, cpu_first, cpu_next, sampler.peak)
