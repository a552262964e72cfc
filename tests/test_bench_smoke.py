"""The benchmarks' tiny version (`python -m bench --quick`), end to end, so `make bench` cannot
rot: every scenario runs, the table has its rows, and the numbers are sane. The targets
themselves are not asserted here (the sizes are far too small to mean anything)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import POSTGRES_ENV

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_prints_every_row_with_sane_numbers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHER_")}
    halves = {"a": "warm,http,cold", "b": "store,daemon,many,copies"}  # side by side: 2 cores
    running = {
        half: subprocess.Popen(
            [sys.executable, "-m", "bench", "--quick", "--only", only, "--urlwatch", "",
             "--postgres", os.environ.get(POSTGRES_ENV, ""), "--json", str(tmp_path / half),
             "--workdir", str(tmp_path / f"work-{half}")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        for half, only in halves.items()
    }
    tables, rows = "", []
    for half, proc in running.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
        tables += out
        rows += json.loads((tmp_path / half).read_text(encoding="utf-8"))
    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_scenario.setdefault(str(row["scenario"]), []).append(row)
    assert sorted(by_scenario) == ["1 warm sweep", "2 cold sweep", "3 store scale", "4 memory",
                                   "5 alert latency", "6 near-copy lookup"]
    for row in rows:  # every figure printed is a real number
        assert row["number"] is not None and math.isfinite(float(row["number"])), row

    def first(scenario: str) -> dict[str, Any]:
        return by_scenario[scenario][0]

    assert 0 < float(first("1 warm sweep")["number"]) < 60  # seconds, whole process
    clients = [r for r in by_scenario["1 warm sweep"] if "per 304 request" in str(r["measure"])]
    assert len(clients) >= 3 and all(0 < float(r["number"]) < 100_000 for r in clients)
    assert 0 < float(first("2 cold sweep")["number"]) < 1_000_000  # items per second
    cold = [str(r["measure"]) for r in by_scenario["2 cold sweep"]]
    assert any("fresh items" in m and "40 items" in m for m in cold)  # the scaling sizes
    assert any("about one cause" in m for m in cold)  # the burst that is one incident
    assert "items -> seconds" in tables
    assert "snownlp" in str(first("2 cold sweep")["against"])
    backends = {str(r["measure"]).split(":")[0] for r in by_scenario["3 store scale"]
                if ": dedup" in str(r["measure"])}
    against = [r for r in by_scenario["3 store scale"] if "against SQLite's" in str(r["measure"])]
    assert len(against) == (POSTGRES_ENV in os.environ)  # PostgreSQL's dedup against SQLite's
    assert "SQLite" in backends and (POSTGRES_ENV not in os.environ or "PostgreSQL" in backends)
    assert all(r["result"] in ("PASS", "SHORT") for r in rows if r["target"])
    lookups = by_scenario["6 near-copy lookup"]
    assert {str(r["measure"]).split(":")[0] for r in lookups} == backends
    assert all(0 < float(r["number"]) < 10 and "10 copies" in str(r["measure"]) for r in lookups)
    assert 10 * 2**20 < float(first("4 memory")["number"]) < 2 * 2**30  # bytes
    many = [r for r in by_scenario["4 memory"] if "20 sources" in str(r["measure"])]
    assert many and 10 * 2**20 < float(many[0]["number"]) < 2 * 2**30
    alerts = first("5 alert latency")
    assert alerts["result"] == "PASS", alerts  # every complaint's alert arrived
    assert "≤ 300 ms / 600 ms" in str(by_scenario["5 alert latency"][1]["target"])
    assert 0 < float(alerts["number"]) < 30
    assert tables.count("\n| ") >= len(rows) + 2  # each table's header and one line per row
    assert f"{os.cpu_count()} cores" in tables
