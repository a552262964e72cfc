"""Podman as this kind of machine runs it, for the container tests (../shared/CONTAINER-TESTING.md):
rootful, runc with cgroupfs (crun refuses this host's hybrid cgroups), the host's network, and a
containers.conf without the default ulimits and pids limit that runc cannot apply here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STOP_WITHIN = 10  # seconds `podman stop` waits after SIGTERM before it sends SIGKILL
CONTAINERS_CONF = """\
[containers]
default_ulimits = []
pids_limit = 0
log_driver = "k8s-file"
[engine]
events_logger = "file"
"""
RUNTIME = ("--runtime", "runc", "--cgroup-manager", "cgroupfs")
TOOLS = ("podman", "runc", "debootstrap")


def unavailable() -> str | None:
    """Why podman cannot build and run images here, or None."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (.ci/run installs them as root with apt)"
    if os.geteuid() != 0:
        return "not root: podman builds and runs images here only as root"
    return None


class PodmanError(AssertionError):
    pass


class Podman:
    def __init__(self, workdir: Path) -> None:
        conf = workdir / "containers.conf"
        conf.write_text(CONTAINERS_CONF, encoding="utf-8")
        self.env = os.environ | {"CONTAINERS_CONF": str(conf)}

    def __call__(self, *args: str, timeout: float = 120, check: bool = True,
                 env: dict[str, str] | None = None,
                 stdin: Any = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["podman", *RUNTIME, *args], env=self.env | (env or {}),
                              capture_output=True, text=True, timeout=timeout, stdin=stdin)
        if check and done.returncode != 0:
            raise PodmanError(f"podman {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
        return done

    def inspect(self, what: str, *names: str) -> list[dict[str, Any]]:
        """`podman image|container|volume inspect` as parsed JSON."""
        return list(json.loads(self(what, "inspect", *names).stdout))

    def image_exists(self, image: str) -> bool:
        return self("image", "exists", image, check=False).returncode == 0

    def build(self, context: Path, tag: str, log: Path, timeout: float = 900) -> list[str]:
        """Builds the Dockerfile as it is, one layer per instruction as Docker does; returns the
        intermediate images it made, for removal. --format docker keeps HEALTHCHECK (OCI drops
        it); chroot isolation avoids crun."""
        with log.open("w") as out:
            done = subprocess.run(
                ["podman", "build", "--isolation=chroot", "--network", "host",
                 "--format", "docker", "--tag", tag, str(context)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
        output = log.read_text(encoding="utf-8")
        if done.returncode != 0:
            raise PodmanError(f"podman build: exit {done.returncode}\n{output[-4000:]}")
        return re.findall(r"^--> ([0-9a-f]{11,64})$", output, re.M)

    def run(self, image: str, name: str, *, env: dict[str, str] | None = None,
            volumes: Sequence[str] = (), command: Sequence[str] = ()) -> Container:
        """Starts a detached container on the host's network. `env`'s values reach the
        container through podman's environment (`-e NAME`), as secrets should, never its
        command line."""
        args = ["run", "--detach", "--name", name, "--network", "host",
                "--stop-timeout", str(STOP_WITHIN)]
        for key in env or {}:
            args += ["--env", key]
        for volume in volumes:
            args += ["--volume", volume]
        self(*args, image, *command, env=env)
        return Container(self, name)

    def remove_all(self, containers: Sequence[str] = (), volumes: Sequence[str] = (),
                   images: Sequence[str] = ()) -> None:
        """Best-effort removal of what a test made, containers with their anonymous volumes; an
        image another one still builds on is left."""
        commands = ([["rm", "--force", "--volumes", name] for name in containers]
                    + [["volume", "rm", "--force", name] for name in volumes]
                    + [["rmi", name] for name in images])
        for command in commands:
            self(*command, check=False, timeout=60)


@dataclass
class Container:
    podman: Podman
    name: str

    def state(self) -> dict[str, Any]:
        return dict(self.podman.inspect("container", self.name)[0]["State"])

    def host_pid(self) -> int:
        return int(self.state()["Pid"])

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return self.podman("exec", self.name, *command, check=False, timeout=60)

    def logs(self) -> list[str]:
        done = self.podman("logs", self.name, timeout=60)
        return (done.stdout + done.stderr).splitlines()

    def json_logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs() if line.startswith("{")]

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after STOP_WITHIN seconds; the exit code (137 when killed)."""
        self.podman("stop", "--time", str(STOP_WITHIN), self.name, timeout=STOP_WITHIN + 60)
        return int(self.state()["ExitCode"])

    def remove(self) -> None:
        self.podman("rm", "--force", "--volumes", self.name, timeout=60)
