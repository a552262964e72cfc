"""A stand-in for `python:3.11-slim` where no image registry is reachable: Debian bookworm's
Python 3.11 laid out by debootstrap and imported into podman under the real image's name, so the
Dockerfile builds unchanged (../shared/CONTAINER-TESTING.md). Test scaffolding, made on the
machine that tests and kept in podman's store for the next run; never committed or pushed.

    python -m tests.container_base    # makes it now, unless podman already has the image
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.podman import Podman

BASE = "docker.io/library/python:3.11-slim"
STAND_IN_LABEL = "watcher.test.stand-in"  # marks the image as ours, not the registry's
PACKAGES = "python3,python3-pip,python3-venv,passwd"  # the real image's python, pip and useradd
MIRROR = "http://deb.debian.org/debian"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def ensure_base(podman: Podman, workdir: Path) -> str:
    """Makes the stand-in unless podman already has an image of that name; says which."""
    if podman.image_exists(BASE):
        labels = podman.inspect("image", BASE)[0]["Config"].get("Labels") or {}
        return f"{BASE} reused ({'stand-in' if STAND_IN_LABEL in labels else 'from a registry'})"
    started = time.monotonic()
    rootfs = workdir / "rootfs"
    done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={PACKAGES}",
                           "bookworm", str(rootfs), MIRROR],
                          capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        raise RuntimeError(f"debootstrap: exit {done.returncode}\n{done.stdout[-3000:]}"
                           f"\n{done.stderr[-3000:]}")
    _shape_like_the_real_image(rootfs)
    with subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."],
                          stdout=subprocess.PIPE) as tar:
        podman("import", "--change", "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
               "--change", f"LABEL {STAND_IN_LABEL}=debootstrap", "-", BASE,
               stdin=tar.stdout, timeout=600)
    shutil.rmtree(rootfs)
    return f"{BASE} stand-in made with debootstrap in {time.monotonic() - started:.0f} s"


def _shape_like_the_real_image(rootfs: Path) -> None:
    """python and pip in /usr/local/bin, pip allowed to install (Debian marks its Python
    externally managed), no apt caches, and this machine's CA bundle, which its TLS inspection
    needs for the build's downloads from PyPI."""
    (rootfs / "usr/lib/python3.11/EXTERNALLY-MANAGED").unlink(missing_ok=True)
    local_bin = rootfs / "usr/local/bin"
    local_bin.mkdir(parents=True, exist_ok=True)
    for name, target in (("python", "/usr/bin/python3"), ("pip", "/usr/bin/pip3")):
        (local_bin / name).unlink(missing_ok=True)
        (local_bin / name).symlink_to(target)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for path in (rootfs / cache).glob("*"):
            if path.is_file():
                path.unlink()
    (rootfs / "etc/ssl/certs/ca-certificates.crt").write_bytes(HOST_CA.read_bytes())


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(ensure_base(Podman(Path(tmp)), Path(tmp)))
