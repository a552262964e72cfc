"""The container image's command and health check, run outside Docker (this machine has no
Docker engine): the Dockerfile's own ENV, CMD and HEALTHCHECK, with /data and the config file
moved into a temporary directory."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.daemon_process import ROOT, wait_for
from tests.servers import free_port

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instruction(name: str) -> str:
    """The last instruction called `name`, continuation lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return re.findall(rf"^{name}\s+(.*)$", joined, re.M)[-1]


def image_env() -> dict[str, str]:
    return dict(shlex.split(pair)[0].split("=", 1) for pair in
                re.findall(r"(\w+=\S+)", instruction("ENV")))


def command(text: str) -> list[str]:
    return [str(part) for part in json.loads(text.split("CMD", 1)[-1].strip())]  # JSON form


def test_image_runs_as_a_non_root_user_with_a_data_volume() -> None:
    assert instruction("USER").strip() not in ("root", "0")
    assert "/data" in instruction("VOLUME")
    assert command(instruction("CMD")) == ["watcher", "run"]
    assert DOCKERFILE.count("FROM ") == 2  # multi-stage: no build tools in the image
    assert "curl" not in DOCKERFILE


def test_image_command_and_health_check(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "config.toml").write_text((ROOT / "config.toml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    env = {key: value.replace("/etc/watcher", str(tmp_path)).replace("/data", str(data))
           for key, value in image_env().items()}
    assert env["WATCHER_WEB_BIND"] == "0.0.0.0"
    env |= {"WATCHER_WEB_PORT": str(free_port()), "PATH": str(Path(sys.executable).parent)
            + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    run, check = command(instruction("CMD")), command(instruction("HEALTHCHECK"))
    daemon = subprocess.Popen(run, cwd=data, env=env, stdout=subprocess.DEVNULL,
                              stderr=(tmp_path / "log").open("w"))
    try:
        def healthy() -> bool:
            done = subprocess.run(check, cwd=data, env=env, capture_output=True, timeout=30)
            return done.returncode == 0
        assert wait_for(healthy, 60), (tmp_path / "log").read_text(encoding="utf-8")
        assert (data / "watcher.db").exists()
    finally:
        daemon.terminate()
        assert daemon.wait(timeout=60) == 0
    stopped = subprocess.run(check, cwd=data, env=env, capture_output=True, timeout=30)
    assert stopped.returncode == 1
