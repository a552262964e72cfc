"""Scenarios 1 and 2: `watcher sweep` as a whole process, warm (everything answers 304) against
urlwatch on the same feeds, and cold (everything new) against bare snownlp."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.configs import sqlite_url, urlwatch_files, watcher_config
from bench.procs import Timed, clean_env, median, run_timed, watcher_command
from bench.server import Plan, PlatformServer
from bench.texts import burst

# Items this old are stored and scored on a source's first sweep but make no tickets
# (`[monitor] max_age`, 7 days by default): the cold sweep measures fetch -> dedup -> score ->
# store, and ticketing is measured apart (`ticketing`).
OLD = timedelta(days=30)


@dataclass
class Options:
    feeds: int = 1000
    hosts: int = 50
    items: int = 10
    latency: float = 0.05
    new_share: float = 0.0  # share of feeds with one new item before each warm run
    runs: int = 5
    cold_feeds: int = 1000
    cold_items: int = 20
    cold_runs: int = 3
    snownlp_texts: int = 2000  # bare snownlp is timed on this many of the cold texts
    ticket_sizes: tuple[int, ...] = (1000, 5000, 10000, 20000)  # fresh cold sweeps: scaling
    burst_size: int = 2000  # fresh complaints about one cause in one sweep (0: none)
    concurrency: int = 100  # Watcher's [http] defaults, for the latency limit
    per_host: int = 8
    urlwatch: str | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))


@dataclass
class WarmRun:
    timed: Timed
    startup: float  # spawn -> first request the platform saw
    fetching: float  # first request -> last answer
    tail: float  # last answer -> exit
    requests: int
    not_modified: int


@dataclass
class WarmResult:
    watcher: list[WarmRun]
    prime: Timed
    urlwatch: list[WarmRun]
    urlwatch_error: str | None
    limit: float


def latency_limit(opts: Options) -> float:
    """max(feeds x latency / concurrency, feeds on the busiest host x latency / per_host)."""
    per_host = math.ceil(opts.feeds / opts.hosts)
    return max(opts.feeds * opts.latency / opts.concurrency,
               per_host * opts.latency / opts.per_host)


def _warm_run(server: PlatformServer, command: list[str], log: Path) -> WarmRun:
    server.reset_counts()
    timed = run_timed(command, log=log)
    first = server.first_request or timed.ended
    last = server.last_answer or timed.ended
    counts = server.counts()
    return WarmRun(timed, first - timed.started, last - first, timed.ended - last,
                   counts["requests"], counts["not_modified"])


def _changes(server: PlatformServer, opts: Options, run: int) -> None:
    if opts.new_share <= 0:
        return
    count = max(1, round(opts.feeds * opts.new_share))
    start = (run * count) % opts.feeds
    server.next_round([(start + i) % opts.feeds for i in range(count)])


def warm_sweep(opts: Options, texts: list[str]) -> WarmResult:
    work = Path(tempfile.mkdtemp(prefix="warm-", dir=opts.workdir))
    plan = Plan(feeds=opts.feeds, hosts=opts.hosts, items=opts.items, latency=opts.latency,
                texts=tuple(texts[: opts.feeds * opts.items]), age=OLD)
    with PlatformServer(plan) as server:
        config = watcher_config(work, server, sqlite_url(work))
        command = [*watcher_command(), "--config", str(config), "sweep", "--json"]
        log = work / "watcher.log"
        prime = run_timed(command, log=log)  # the cold sweep that fills the store
        if prime.returncode != 0 or server.ok != opts.feeds:
            raise RuntimeError(f"priming sweep failed (exit {prime.returncode}, "
                               f"{server.ok} of {opts.feeds} feeds fetched): see {log}")
        uw_command, uw_error = _urlwatch_prime(opts, server, work / "urlwatch")
        ours, theirs = [], []
        for run in range(opts.runs):  # alternated, so a change in load hits both alike
            _changes(server, opts, run)
            ours.append(_warm_run(server, command, log))
            if ours[-1].timed.returncode != 0:
                raise RuntimeError(f"warm sweep exited {ours[-1].timed.returncode}: see {log}")
            if uw_command:
                _changes(server, opts, run)
                theirs.append(_warm_run(server, uw_command, work / "urlwatch.log"))
    return WarmResult(ours, prime, theirs, uw_error, latency_limit(opts))


def _urlwatch_prime(opts: Options, server: PlatformServer, directory: Path
                    ) -> tuple[list[str] | None, str | None]:
    """urlwatch's first run (fetches everything, keeps each ETag in its cache), so the runs
    measured after it are warm: conditional requests answered 304."""
    if not opts.urlwatch or not Path(opts.urlwatch).exists():
        return None, f"urlwatch not found ({opts.urlwatch or 'use --urlwatch PATH'})"
    command = [opts.urlwatch, *urlwatch_files(directory, server)]
    env = clean_env(HOME=str(directory))
    server.reset_counts()
    done = subprocess.run(command, capture_output=True, env=env, timeout=600, check=False)
    if done.returncode != 0 or server.ok != opts.feeds:
        return None, f"urlwatch's first run failed (exit {done.returncode}): " \
                     f"{done.stderr.decode(errors='replace')[-300:]}"
    return command, None


@dataclass(frozen=True)
class Ticketing:
    """A cold sweep of fresh items, whose complaints become tickets."""

    items: int
    tickets: int
    wall: float
    cpu: float
    incidents: int  # incidents made
    largest: int  # tickets in the largest one


@dataclass
class ColdResult:
    runs: list[Timed]
    startup: list[float]
    items: int
    new: int
    complaints: int
    tickets: int
    snownlp: list[float]  # seconds for `snownlp_n` texts, one figure per run
    snownlp_n: int
    snownlp_error: str | None = None
    ticketing: list[Ticketing] = field(default_factory=list)
    burst: Ticketing | None = None
    scorer: tuple[int, float, float] = (0, math.nan, math.nan)  # texts, seconds, model load


def cold_sweep(opts: Options, texts: list[str]) -> ColdResult:
    total = opts.cold_feeds * opts.cold_items
    if len(texts) < total:
        texts = (texts * math.ceil(total / len(texts)))[:total]
    plan = Plan(feeds=opts.cold_feeds, hosts=opts.hosts, items=opts.cold_items,
                latency=opts.latency, texts=tuple(texts[:total]), age=OLD)
    runs, startup = [], []
    report: dict[str, Any] = {}
    with PlatformServer(plan) as server:
        for run in range(opts.cold_runs):
            timed, first, report = _one_cold(server, opts.workdir, f"cold{run}-")
            runs.append(timed)
            startup.append(first)
    sources = report.get("sources", [])
    sample = texts[: min(opts.snownlp_texts or total, total)]
    snow, _, error = score_alone("snownlp", sample, opts.cold_runs, opts.workdir)
    ours, load, _ = score_alone("watcher", texts[:total], 1, opts.workdir)
    return ColdResult(
        runs=runs, startup=startup, items=sum(s["fetched"] for s in sources),
        new=sum(s["new"] for s in sources), complaints=sum(s["complaints"] for s in sources),
        tickets=sum(s["tickets"] for s in sources), snownlp=snow, snownlp_n=len(sample),
        snownlp_error=error, ticketing=ticketing(opts, texts),
        burst=ticketing(opts, burst(opts.burst_size, texts), (opts.burst_size,))[0]
        if opts.burst_size else None,
        scorer=(total, median(ours), load),
    )


def _one_cold(server: PlatformServer, workdir: Path, prefix: str
              ) -> tuple[Timed, float, dict[str, Any]]:
    """One `watcher sweep` into a new store: the timing, the start-up, the --json report (and
    the store, as "work")."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=workdir))
    config = watcher_config(work, server, sqlite_url(work))
    out = work / "sweep.json"
    server.reset_counts()
    timed = run_timed([*watcher_command(), "--config", str(config), "sweep", "--json"],
                      log=work / "watcher.log", stdout=out)
    if timed.returncode not in (0, 1):
        raise RuntimeError(f"cold sweep exited {timed.returncode}: see {work}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    report["work"] = str(work)
    return timed, (server.first_request or timed.ended) - timed.started, report


def ticketing(opts: Options, texts: list[str], sizes: tuple[int, ...] | None = None
              ) -> list[Ticketing]:
    """Cold sweeps of fresh items (dated now, so complaints become tickets) at each of
    `sizes` items (10 per feed; `opts.ticket_sizes` by default)."""
    found = []
    for size in sizes or opts.ticket_sizes:
        feeds = max(1, size // 10)
        if len(texts) < feeds * 10:
            texts = (texts * math.ceil(feeds * 10 / len(texts)))[: feeds * 10]
        plan = Plan(feeds=feeds, hosts=min(opts.hosts, feeds), items=10, latency=opts.latency,
                    texts=tuple(texts[: feeds * 10]))
        with PlatformServer(plan) as server:
            timed, _, report = _one_cold(server, opts.workdir, f"tickets{size}-")
        sources = report.get("sources", [])
        incidents, largest = _incidents(Path(report["work"]) / "watcher.db")
        found.append(Ticketing(sum(s["fetched"] for s in sources),
                               sum(s["tickets"] for s in sources), timed.wall, timed.cpu,
                               incidents, largest))
    return found


def _incidents(database: Path) -> tuple[int, int]:
    """How many incidents the store has, and how many tickets the largest one has."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        sizes = [n for (n,) in conn.execute(
            "SELECT count(*) FROM tickets WHERE incident_id IS NOT NULL GROUP BY incident_id")]
    return len(sizes), max(sizes, default=0)


def score_alone(kind: str, texts: list[str], runs: int, workdir: Path
                ) -> tuple[list[float], float, str | None]:
    """Seconds per run to score `texts` in one thread with `kind` (snownlp or watcher), the
    load time apart, or an error."""
    source = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=workdir)) / "texts.json"
    source.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bench.scorecost", kind, str(source), str(runs)],
                          capture_output=True, text=True, timeout=3600, check=False,
                          cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        return [], math.nan, f"{kind} scoring failed: {done.stderr[-300:]}"
    found = json.loads(done.stdout)
    return [float(v) for v in found["seconds"]], float(found["load"]), None


def warm_summary(result: WarmResult) -> dict[str, float]:
    ours = result.watcher
    summary = {
        "wall": median([r.timed.wall for r in ours]),
        "cpu": median([r.timed.cpu for r in ours]),
        "startup": median([r.startup for r in ours]),
        "fetching": median([r.fetching for r in ours]),
        "tail": median([r.tail for r in ours]),
        "rss": median([r.timed.max_rss for r in ours]),
        "prime": result.prime.wall,
    }
    if result.urlwatch:
        summary["urlwatch"] = median([r.timed.wall for r in result.urlwatch])
        summary["urlwatch_cpu"] = median([r.timed.cpu for r in result.urlwatch])
    return summary
