"""Running a command as a whole process and measuring it: wall time, CPU time (user + system,
its children included) and peak RSS, as the kernel counts them (wait4)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Timed:
    wall: float  # seconds
    cpu: float  # seconds of user + system time
    max_rss: int  # bytes
    returncode: int
    started: float  # time.time() at spawn
    ended: float  # time.time() at exit


def watcher_command() -> list[str]:
    """`watcher` from the interpreter running the benchmark (the project's .venv)."""
    script = Path(sys.executable).with_name("watcher")
    return [str(script)] if script.exists() else [sys.executable, "-m", "watcher"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would redirect Watcher to another store/config."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WATCHER_DATABASE_URL", "WATCHER_CONFIG", "WATCHER_WEB_PORT")}
    env.update(WATCHER_LOG_FORMAT="json")
    env.update(extra)
    return env


def run_timed(command: Sequence[str], *, log: Path, stdout: Path | None = None,
              env: dict[str, str] | None = None, cwd: Path | None = None,
              timeout: float = 600.0) -> Timed:
    """Runs `command` to its end; stderr goes to `log`, stdout to `stdout` (else `log` too)."""
    with log.open("ab") as err, (stdout or log).open("ab") as out:
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(command), stdout=out, stderr=err, env=env or clean_env(),
                                cwd=cwd or ROOT)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Timed(wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss=usage.ru_maxrss * 1024,
                 returncode=proc.returncode, started=started, ended=started + wall)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants now (0 once it is gone)."""
    total = 0
    for child in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{child}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in children:
        found.append(int(child))
        found.extend(_descendants(int(child)))
    return found


def load_note() -> str:
    """Cores and load average, for the table's heading."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min) {five:.2f} (5 min)"
