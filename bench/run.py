"""`python -m bench`: Watcher's benchmarks, one table (issue #7). `--quick` is the tiny version
`make test` runs; `--help` lists the sizes."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import rows as make_rows
from bench.daemon import DaemonOptions, run_daemon, run_many
from bench.procs import ROOT, load_note
from bench.report import Row, render
from bench.server import Plan, PlatformServer
from bench.sweeps import Options, cold_sweep, warm_sweep
from bench.texts import load_texts, source_of

SCENARIOS = ("warm", "http", "cold", "store", "daemon", "many", "copies")
QUICK = dict(feeds=20, hosts=4, items=3, latency=0.01, runs=1, cold_feeds=10, cold_items=10,
             cold_runs=1, snownlp_texts=20, ticket_sizes="20,40,60", burst=20,
             store_sizes="200,2000", many_feeds=20, many_items=2, many_every=2,
             store_feeds=20, store_items=10, store_runs=1, daemon_feeds=20, daemon_every=1,
             alert_rounds=1, alert_feeds=2, copy_sizes="200,2000", copy_runs=2)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of every part")
    p.add_argument("--only", default=",".join(SCENARIOS),
                   help=f"comma-separated scenarios: {', '.join(SCENARIOS)}")
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--hosts", type=int, default=50, help="loopback hosts 127.0.1.1, ...")
    p.add_argument("--items", type=int, default=10, help="items per feed")
    p.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    p.add_argument("--new-share", type=float, default=0.0,
                   help="share of feeds with one new item before each warm run (0: none)")
    p.add_argument("--runs", type=int, default=5, help="warm runs (median)")
    p.add_argument("--cold-feeds", type=int, default=1000)
    p.add_argument("--cold-items", type=int, default=20)
    p.add_argument("--cold-runs", type=int, default=3)
    p.add_argument("--snownlp-texts", type=int, default=2000,
                   help="bare snownlp is timed on this many of the cold texts (0: all)")
    p.add_argument("--ticket-sizes", default="1000,5000,10000,20000",
                   help="cold sweeps of fresh items (tickets made), comma-separated; '' skips")
    p.add_argument("--burst", type=int, default=2000,
                   help="fresh complaints about one cause in one cold sweep (0: none)")
    p.add_argument("--store-sizes", default="10000,100000,1000000")
    p.add_argument("--store-feeds", type=int, default=1000)
    p.add_argument("--store-items", type=int, default=20)
    p.add_argument("--store-runs", type=int, default=3)
    p.add_argument("--postgres", default=os.environ.get(
        "WATCHER_BENCH_POSTGRES_URL", os.environ.get("WATCHER_TEST_POSTGRES_URL", "")),
        help="PostgreSQL URL for the store scenario (a schema is made and dropped); "
             "empty: SQLite only")
    p.add_argument("--copy-sizes", default="10000,100000,1000000",
                   help="mentions stored for the near-copy lookup scenario")
    p.add_argument("--copy-batch", type=int, default=20, help="new texts per lookup")
    p.add_argument("--copy-runs", type=int, default=5)
    p.add_argument("--daemon-feeds", type=int, default=1000)
    p.add_argument("--daemon-every", type=int, default=10, help="sweep interval, seconds")
    p.add_argument("--many-feeds", type=int, default=10000,
                   help="sources of `watcher run` for its memory and CPU per sweep")
    p.add_argument("--many-items", type=int, default=2)
    p.add_argument("--many-every", type=int, default=20, help="its sweep interval, seconds")
    p.add_argument("--alert-rounds", type=int, default=5)
    p.add_argument("--alert-feeds", type=int, default=10, help="new complaints per round")
    p.add_argument("--urlwatch", default=os.environ.get("URLWATCH") or shutil.which("urlwatch")
                   or str(ROOT / ".venv-urlwatch" / "bin" / "urlwatch"))
    p.add_argument("--texts", type=Path, default=None, help="CSV with a text column (dev.csv)")
    p.add_argument("--workdir", type=Path, default=None, help="kept; default: a temp dir")
    p.add_argument("--json", type=Path, default=None, help="also write the rows here")
    return p


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quick:
        defaults = {a.dest: a.default for a in parser._actions}
        for key, value in QUICK.items():
            if getattr(args, key) == defaults[key]:
                setattr(args, key, value)
    return args


@contextlib.contextmanager
def _workdir(chosen: Path | None) -> Iterator[Path]:
    if chosen:
        chosen.mkdir(parents=True, exist_ok=True)
        yield chosen
        return
    path = Path(tempfile.mkdtemp(prefix="watcher-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _http_cost(args: argparse.Namespace, texts: list[str]) -> dict[str, dict[str, list[float]]]:
    plan = Plan(feeds=args.feeds, hosts=args.hosts, items=args.items, latency=args.latency,
                texts=tuple(texts[: args.feeds * args.items]))
    with PlatformServer(plan) as server:
        done = subprocess.run(
            [sys.executable, "-m", "bench.httpcost", str(server.port), str(args.feeds),
             str(args.hosts), str(args.items), str(args.latency), str(max(1, args.runs // 2))],
            capture_output=True, text=True, cwd=ROOT, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.httpcost failed: {done.stderr[-500:]}")
    found: dict[str, dict[str, list[float]]] = json.loads(done.stdout)
    return found


def _store(args: argparse.Namespace, workdir: Path, module: str = "bench.storescale"
           ) -> dict[str, dict[str, object]]:
    """Runs `module` once per backend, on one store per size; its JSON by backend name."""
    results: dict[str, dict[str, object]] = {}
    copies = module == "bench.copyscale"
    sizes = [int(v) for v in (args.copy_sizes if copies else args.store_sizes).split(",") if v]
    sizing = ([str(args.copy_batch), str(args.copy_runs)] if copies else
              [str(args.store_feeds), str(args.store_items), str(args.store_runs)])
    backends = [("SQLite", "sqlite:///" + str(workdir / f"{module}-{{size}}.db"))]
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))
    for name, url in backends:
        with contextlib.ExitStack() as stack:
            targets = {size: stack.enter_context(_schema(url.format(size=size)))
                       for size in sizes}
            done = subprocess.run(
                [sys.executable, "-m", module,
                 ",".join(f"{size}={target}" for size, target in targets.items()), *sizing],
                capture_output=True, text=True, cwd=ROOT, timeout=7200, check=False)
        if done.returncode != 0:
            results[name] = {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        results[name] = json.loads(done.stdout)
    return results


@contextlib.contextmanager
def _schema(url: str) -> Iterator[str]:
    """For PostgreSQL, a schema of its own, dropped afterwards; SQLite URLs as they are."""
    if not url.startswith("postgresql"):
        yield url
        return
    from sqlalchemy import create_engine, text

    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(args: argparse.Namespace, out: Callable[[str], None] = print
        ) -> tuple[list[Row], str]:
    """The rows of every chosen scenario, and the fresh cold sweeps' scaling table."""
    chosen = {s.strip() for s in args.only.split(",") if s.strip()}
    texts = load_texts(args.texts)
    rows: list[Row] = []
    with _workdir(args.workdir) as workdir:
        opts = Options(feeds=args.feeds, hosts=args.hosts, items=args.items,
                       latency=args.latency, new_share=args.new_share, runs=args.runs,
                       cold_feeds=args.cold_feeds, cold_items=args.cold_items,
                       cold_runs=args.cold_runs, snownlp_texts=args.snownlp_texts,
                       urlwatch=args.urlwatch, workdir=workdir,
                       ticket_sizes=tuple(int(v) for v in args.ticket_sizes.split(",") if v),
                       burst_size=args.burst)
        cold: list[Any] = []  # the cold sweep's result, for the scaling table
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("warm", lambda: make_rows.warm(warm_sweep(opts, texts), opts)),
            ("http", lambda: make_rows.http(_http_cost(args, texts), opts)),
            ("cold", lambda: make_rows.cold(_kept(cold, cold_sweep(opts, texts)), opts,
                                            source_of(args.texts))),
            ("store", lambda: make_rows.store(_store(args, workdir), args)),
            ("daemon", lambda: make_rows.daemon(run_daemon(DaemonOptions(
                feeds=args.daemon_feeds, hosts=args.hosts, items=args.items,
                latency=args.latency, every=args.daemon_every, rounds=args.alert_rounds,
                per_round=args.alert_feeds, workdir=workdir), texts))),
            ("many", lambda: make_rows.many(run_many(DaemonOptions(
                feeds=args.many_feeds, hosts=args.hosts, items=args.many_items,
                latency=args.latency, every=args.many_every, workdir=workdir), texts))),
            ("copies", lambda: make_rows.copies(_store(args, workdir, "bench.copyscale"))),
        ]
        for name, step in steps:
            if name not in chosen:
                continue
            started = time.perf_counter()
            out(f"[bench] {name} ... ({load_note()})")
            found = step()
            rows += found
            out(f"[bench] {name}: {time.perf_counter() - started:.1f} s")
    scaling = make_rows.scaling(cold[0]) if cold and cold[0].ticketing else ""
    return rows, scaling


def _kept(into: list[Any], value: Any) -> Any:
    into.append(value)
    return value


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    before = load_note()
    started = time.perf_counter()
    rows, scaling = run(args, out=lambda line: print(line, file=sys.stderr, flush=True))
    notes = [f"machine: {before} at the start, {load_note()} at the end",
             f"sizes: {'--quick' if args.quick else 'full'}; {args.runs} warm runs, "
             f"{args.cold_runs} cold runs, {args.store_runs} store runs (medians)",
             f"took {time.perf_counter() - started:.0f} s"]
    table = render("Watcher benchmarks (issues #7, #15)", notes, rows)
    print(table)
    if scaling:
        print("## Fresh cold sweeps (complaints ticketed): items -> seconds\n")
        print(scaling)
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in rows], ensure_ascii=False,
                                        indent=1, default=_finite), encoding="utf-8")
    return 0


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)

