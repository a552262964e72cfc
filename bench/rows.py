"""Each scenario's results as table rows: the figure, what it is compared with, the target."""

from __future__ import annotations

import argparse
import math
import statistics
from typing import Any

from bench.daemon import DaemonResult, ManyResult
from bench.procs import median
from bench.report import Row, megabytes, seconds, times, verdict
from bench.sweeps import ColdResult, Options, WarmResult, warm_summary

WARM_TARGET, COLD_TARGET, STORE_TARGET, RSS_TARGET = 8.0, 1.5, 1.3, 200 * 2**20
# Issue #15's targets
LIMIT_TARGET = 1.5  # warm sweep within this many times the latency limit
FRESH_SIZE, FRESH_TARGET = 10_000, 10.0  # fresh items, seconds for them
FLAT_TARGET = 1.3  # CPU per fresh item, the largest sweep's against the smallest's
BURST_TARGET = 2.0  # seconds for the burst of one incident
POSTGRES_TARGET = 1.5  # PostgreSQL's dedup within this many times SQLite's
LATENCY_TARGETS = (0.3, 0.6)  # p50, p95 seconds
MANY_RSS_TARGET = 300 * 2**20  # `watcher run` with 10,000 sources


def warm(result: WarmResult, opts: Options) -> list[Row]:
    s = warm_summary(result)
    name = "1 warm sweep"
    size = (f"{opts.feeds:,} feeds × {opts.items} items, {opts.hosts} hosts, "
            f"{opts.latency * 1000:g} ms")
    rows = []
    if "urlwatch" in s:
        ratio = s["urlwatch"] / s["wall"]
        rows.append(Row(name, f"`watcher sweep`, whole process ({size})", seconds(s["wall"]),
                        f"urlwatch {seconds(s['urlwatch'])}", times(ratio) + " faster",
                        f"≥ {WARM_TARGET:g}×", verdict(ratio >= WARM_TARGET), s["wall"]))
    else:
        rows.append(Row(name, f"`watcher sweep`, whole process ({size})", seconds(s["wall"]),
                        result.urlwatch_error or "urlwatch not run", "",
                        f"≥ {WARM_TARGET:g}× urlwatch", "SHORT", s["wall"]))
    limit = result.limit
    rows += [
        Row(name, "… against the latency limit max(feeds × latency ÷ concurrency, "
            "feeds per host × latency ÷ per_host)", seconds(s["wall"]), f"limit {seconds(limit)}",
            times(s["wall"] / limit) + " the limit",
            f"≤ {LIMIT_TARGET:g}× ({seconds(LIMIT_TARGET * limit)})",
            verdict(s["wall"] <= LIMIT_TARGET * limit), s["wall"] / limit),
        Row(name, "… start-up: spawn → first request (imports, config, schema check)",
            seconds(s["startup"]), "", "", "", "", s["startup"]),
        Row(name, "… fetching: first request → last answer", seconds(s["fetching"]),
            f"limit {seconds(limit)}", times(s["fetching"] / limit), "", "", s["fetching"]),
        Row(name, "… tail: last answer → exit (last intake, alerts, exit)", seconds(s["tail"]),
            "", "", "", "", s["tail"]),
        Row(name, "… CPU time (user + system) of the process", seconds(s["cpu"]),
            f"wall {seconds(s['wall'])}", f"{s['cpu'] / s['wall']:.0%} of wall", "", "",
            s["cpu"]),
        Row(name, "… CPU per source after start-up ((CPU − start-up) ÷ feeds)",
            f"{(s['cpu'] - s['startup']) / opts.feeds * 1e6:.0f} µs", "", "", "", "",
            (s["cpu"] - s["startup"]) / opts.feeds),
        Row(name, "… peak RSS", megabytes(s["rss"]), "", "", "", "", s["rss"]),
        Row(name, "… the priming cold sweep (fills the store, once)", seconds(s["prime"]),
            "", "", "", "", s["prime"]),
    ]
    if "urlwatch_cpu" in s:
        rows.append(Row(name, "… urlwatch's CPU time (10 worker threads, requests)",
                        seconds(s["urlwatch_cpu"]), "", "", "", "", s["urlwatch_cpu"]))
    return rows


def http(found: dict[str, dict[str, list[float]]], opts: Options) -> list[Row]:
    name = "1 warm sweep"
    ours = next(iter(found.values()))
    base = median(ours["cpu_us"])
    rows = []
    for client, figures in found.items():
        cpu = median(figures["cpu_us"])
        rows.append(Row(name, f"… client CPU per 304 request: {client}", f"{cpu:.0f} µs",
                        f"wall {seconds(median(figures['wall']))} for {opts.feeds:,}",
                        times(cpu / base) + " Watcher's", "", "", cpu))
    return rows


def cold(result: ColdResult, opts: Options, source: str) -> list[Row]:
    name = "2 cold sweep"
    wall = median([r.wall for r in result.runs])
    rate = result.items / wall if wall else math.nan
    snow = result.snownlp_n / median(result.snownlp) if result.snownlp else math.nan
    ratio = rate / snow
    start = median(result.startup)
    cpu = median([r.cpu for r in result.runs])
    size = f"{result.items:,} items, {opts.cold_feeds:,} feeds × {opts.cold_items}"
    return [
        Row(name, f"fetch → dedup → score → store, whole process ({size}; {source})",
            f"{rate:,.0f} items/s ({seconds(wall)})",
            result.snownlp_error or f"bare snownlp {snow:,.0f} texts/s (1 thread, "
            f"{result.snownlp_n:,} of the texts)", times(ratio), f"≥ {COLD_TARGET:g}×",
            verdict(ratio >= COLD_TARGET), rate),
        Row(name, "… after start-up (items ÷ (wall − time to first request))",
            f"{result.items / (wall - start):,.0f} items/s", f"start-up {seconds(start)}", "",
            "", "", result.items / (wall - start)),
        Row(name, "… Watcher's scorer alone, one thread (`Scorer().score`, same texts)",
            f"{result.scorer[1] / result.scorer[0] * 1e6:,.0f} µs/text",
            f"model load {seconds(result.scorer[2])}",
            times(result.scorer[0] / result.scorer[1] / snow) + " snownlp", "", "",
            result.scorer[1] / result.scorer[0]),
        Row(name, "… CPU time (user + system)", seconds(cpu), f"wall {seconds(wall)}",
            f"{cpu / wall:.0%} of wall", "", "", cpu),
        Row(name, "… stored as new / complaints / tickets (items older than max_age)",
            f"{result.new:,} / {result.complaints:,} / {result.tickets:,}", "", "", "", "",
            result.new),
        *fresh(result),
    ]


def fresh(result: ColdResult) -> list[Row]:
    """Cold sweeps of fresh items (complaints become tickets) at growing sizes, and the burst
    of complaints that is one incident (#15)."""
    name = "2 cold sweep"
    rows = []
    for t in result.ticketing:
        target = t.items == FRESH_SIZE
        rows.append(Row(
            name, f"… fresh items, complaints ticketed, whole process: {t.items:,} items",
            f"{seconds(t.wall)} ({t.items / t.wall:,.0f} items/s)",
            f"{t.tickets:,} tickets; CPU {seconds(t.cpu)}", "",
            f"≤ {FRESH_TARGET:g} s" if target else "",
            verdict(t.wall <= FRESH_TARGET) if target else "", t.wall))
    sizes = result.ticketing
    if len(sizes) > 2:  # what one more item costs, start-up left out: last step against first
        first, last = (sizes[1].cpu - sizes[0].cpu) / (sizes[1].items - sizes[0].items), \
            (sizes[-1].cpu - sizes[-2].cpu) / (sizes[-1].items - sizes[-2].items)
        if first <= 0 or last <= 0:  # tiny sizes (--quick): noise; whole-process per item
            first, last = sizes[0].cpu / sizes[0].items, sizes[-1].cpu / sizes[-1].items
        ratio = last / first
        rows.append(Row(
            name, f"… CPU per more fresh item from {sizes[-2].items:,} to {sizes[-1].items:,} "
            f"÷ from {sizes[0].items:,} to {sizes[1].items:,} (flat)", f"{last * 1e3:.2f} ms",
            f"{first * 1e3:.2f} ms", times(ratio), f"≤ {FLAT_TARGET:g}×",
            verdict(ratio <= FLAT_TARGET), ratio))
    if result.burst is not None:
        b = result.burst
        rows.append(Row(
            name, f"{b.items:,} fresh complaints about one cause in one sweep, whole process",
            seconds(b.wall), f"{b.tickets:,} tickets, {b.incidents} incident(s), the largest "
            f"{b.largest:,}; CPU {seconds(b.cpu)}", "", f"≤ {BURST_TARGET:g} s",
            verdict(b.wall <= BURST_TARGET), b.wall))
    return rows


def scaling(result: ColdResult) -> str:
    """The fresh cold sweeps as a table: items -> seconds, items/s."""
    lines = ["| items | tickets | seconds (wall) | items/s | CPU seconds | CPU ms per item |",
             "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {t.items:,} | {t.tickets:,} | {t.wall:.2f} | {t.items / t.wall:,.0f} | "
              f"{t.cpu:.2f} | {t.cpu / t.items * 1e3:.2f} |" for t in result.ticketing]
    return "\n".join(lines) + "\n"


def store(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> list[Row]:
    name = "3 store scale"
    rows = []
    for backend, found in results.items():
        if "error" in found:
            rows.append(Row(name, f"{backend}: dedup of a warm sweep", "failed",
                            "; ".join(found["error"]), "", f"≤ {STORE_TARGET:g}×", "SHORT"))
            continue
        per_size = {int(k): median(v) for k, v in found["seconds"].items()}
        sizes = sorted(per_size)
        base = per_size[sizes[0]]
        for size in sizes:
            ratio = per_size[size] / base
            last = size == sizes[-1] and len(sizes) > 1
            rows.append(Row(
                name, f"{backend}: dedup of {found['swept']:,} known items, {size:,} other "
                f"mentions stored", seconds(per_size[size]),
                f"{sizes[0]:,}: {seconds(base)}", times(ratio),
                f"≤ {STORE_TARGET:g}×" if last else "", verdict(ratio <= STORE_TARGET) if last
                else "", per_size[size]))
    return rows + _postgres_against_sqlite(results)


def _postgres_against_sqlite(results: dict[str, dict[str, Any]]) -> list[Row]:
    """PostgreSQL's dedup of a warm sweep against SQLite's, on the smallest store (#15)."""
    if not all("seconds" in results.get(name, {}) for name in ("SQLite", "PostgreSQL")):
        return []
    per_backend = {name: {int(k): median(v) for k, v in results[name]["seconds"].items()}
                   for name in ("SQLite", "PostgreSQL")}
    size = min(per_backend["SQLite"])
    lite, pg = per_backend["SQLite"][size], per_backend["PostgreSQL"][size]
    ratio = pg / lite
    return [Row("3 store scale", f"PostgreSQL's dedup against SQLite's ({size:,} stored)",
                seconds(pg), f"SQLite {seconds(lite)}", times(ratio),
                f"≤ {POSTGRES_TARGET:g}×", verdict(ratio <= POSTGRES_TARGET), ratio)]


def daemon(result: DaemonResult) -> list[Row]:
    lat = sorted(result.latencies)
    p50 = statistics.median(lat) if lat else math.nan
    p95 = lat[min(len(lat) - 1, math.ceil(0.95 * len(lat)) - 1)] if lat else math.nan
    return [
        Row("4 memory", "peak RSS of `watcher run` (and children) through its first sweep",
            megabytes(result.rss_first_sweep), f"first sweep {seconds(result.first_sweep)}",
            "", f"≤ {RSS_TARGET / 2**20:.0f} MB", verdict(result.rss_first_sweep <= RSS_TARGET),
            result.rss_first_sweep),
        Row("4 memory", "… peak RSS over the whole run (alert rounds included)",
            megabytes(result.rss_peak), f"exit code {result.exit_code}", "", "", "",
            result.rss_peak),
        Row("5 alert latency", "platform answers → receiver has the alert, p50 / p95",
            f"{seconds(p50)} / {seconds(p95)}", f"{len(lat)} of {result.expected_alerts} alerts",
            "", "all arrive", verdict(len(lat) >= result.expected_alerts), p50),
        Row("5 alert latency", "… against the targets (p50 / p95)",
            f"{seconds(p50)} / {seconds(p95)}", "", "",
            f"≤ {seconds(LATENCY_TARGETS[0])} / {seconds(LATENCY_TARGETS[1])}",
            verdict(p50 <= LATENCY_TARGETS[0] and p95 <= LATENCY_TARGETS[1]), p95),
    ]


def many(result: ManyResult) -> list[Row]:
    """`watcher run` with many sources (#15): its memory, and its CPU time per sweep."""
    name = "4 memory"
    return [
        Row(name, f"peak RSS of `watcher run` with {result.feeds:,} sources, first sweep "
            "and one more", megabytes(result.rss_peak),
            f"first sweep {seconds(result.first_sweep)}", "",
            f"≤ {MANY_RSS_TARGET / 2**20:.0f} MB", verdict(result.rss_peak <= MANY_RSS_TARGET),
            result.rss_peak),
        Row(name, "… CPU time of its first sweep (everything new) / of the next (all 304)",
            f"{seconds(result.cpu_first)} / {seconds(result.cpu_next)}",
            f"next sweep {seconds(result.next_sweep)} wall", "", "", "", result.cpu_next),
    ]


def copies(results: dict[str, dict[str, Any]]) -> list[Row]:
    """The near-copy lookup: CPU time and statements per batch as the store grows (flat)."""
    name = "6 near-copy lookup"
    rows = []
    for backend, found in results.items():
        if "error" in found:
            rows.append(Row(name, f"{backend}: lookup", "failed", "; ".join(found["error"]),
                            "", f"≤ {STORE_TARGET:g}×", "SHORT"))
            continue
        per_size = {int(k): v for k, v in found["results"].items()}
        sizes = sorted(per_size)
        base = median(per_size[sizes[0]]["cpu"])
        for size in sizes:
            got = per_size[size]
            cpu, wall = median(got["cpu"]), median(got["wall"])
            ratio = cpu / base if base else math.nan
            last = size == sizes[-1] and len(sizes) > 1
            rows.append(Row(
                name, f"{backend}: sign + look up + claim {found['batch']} new texts "
                f"({median(got['copies']):.0f} copies), {size:,} stored",
                f"{seconds(cpu)} CPU, {seconds(wall)} wall, "
                f"{max(got['statements']):.0f} statements",
                f"{sizes[0]:,}: {seconds(base)} CPU", times(ratio),
                f"≤ {STORE_TARGET:g}×" if last else "",
                verdict(ratio <= STORE_TARGET) if last else "", cpu))
    return rows
