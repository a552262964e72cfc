"""Running `watcher run` as a real process in tests: logs to a file, the web address read from
them, stopped with a signal."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Daemon:
    def __init__(self, config: Path, log: Path, env: dict[str, str] | None = None,
                 open_files: int | None = None) -> None:
        """`open_files`: the daemon's limit on open files, soft and hard (a small machine)."""
        self.log = log
        environment = os.environ | {"WATCHER_LOG_FORMAT": "json", "WATCHER_WEB_PORT": "0"}

        def limit() -> None:
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "watcher", "--config", str(config), "run"],
            stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True, cwd=ROOT,
            env=environment | (env or {}), preexec_fn=limit)

    def logs(self) -> list[dict[str, Any]]:
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def address(self, timeout: float = 30) -> str:
        found: list[str] = []

        def listening() -> bool:
            for entry in self.logs():
                match = re.search(r"listening on (http://\S+)", entry["message"])
                if match:
                    found.append(match.group(1))
            return bool(found)

        assert wait_for(listening, timeout), self.log.read_text(encoding="utf-8")
        return found[0]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.address() + path, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=60)


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
