"""The container image, built once per session from the Dockerfile as it is and run with podman
as users run it: what the final stage holds, a non-root daemon answering /healthz and its
HEALTHCHECK, a clean stop on SIGTERM, a sweep with a mounted config and secrets from the
environment, and the SQLite store on the /data volume outliving its container. The replicas over
PostgreSQL are in test_container_replicas.py. Skipped, with the reason, where podman or root is
missing, unless WATCHER_TEST_CONTAINERS is set (.ci/run sets it): a failure there."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from tests.container_base import BASE
from tests.container_run import Platform, Scratch, healthz, process_uids
from tests.daemon_process import ROOT, wait_for
from tests.podman import Podman, PodmanError
from tests.servers import complaint_feed

ENV_NAMES = ("WATCHER_CONFIG", "WATCHER_DATABASE_URL", "WATCHER_WEB_BIND", "WATCHER_WEB_PORT")
USER_ID = 10001


def test_image_keeps_its_user_volume_healthcheck_and_command(podman: Podman, image: str) -> None:
    found = podman.inspect("image", image)[0]
    config = found["Config"]
    assert config["User"] == str(USER_ID)
    assert "/data" in config["Volumes"]
    assert found["Healthcheck"]["Test"] == ["CMD", "watcher", "healthcheck"]  # OCI drops it
    assert config["Cmd"] == ["watcher", "run"]
    names = {pair.split("=", 1)[0] for pair in config["Env"]}
    assert set(ENV_NAMES) <= names


def test_final_stage_holds_the_environment_and_nothing_to_build_with(podman: Podman,
                                                                     image: str) -> None:
    root = Path(podman("image", "mount", image).stdout.strip())
    try:
        venv = root / "opt/watcher"
        site = venv / "lib/python3.11/site-packages"
        assert (venv / "bin/watcher").is_file() and (site / "watcher/scoring/data").is_dir()
        assert (site / "snownlp/sentiment/sentiment.marshal.3").is_file()  # the scorer reads it
        left_over = [path for path in ("wheels", "src", "root/.cache", "opt/watcher/bin/pip",
                                       "usr/bin/gcc", "usr/bin/cc", "usr/bin/make")
                     if (root / path).exists()]
        assert left_over == []
        assert not (site / "tests").exists()  # no project's tests installed as a package
        assert list(site.glob("watcher/**/test_*.py")) == []
    finally:
        podman("image", "unmount", image)
    assert deleted_in_later_layers(podman, image) == []


def deleted_in_later_layers(podman: Podman, image: str) -> list[str]:
    """Files an instruction of the Dockerfile deleted after an earlier one added them: they
    still weigh in the image. Read from the overlay layers' whiteouts (device 0:0 files, or
    opaque directories)."""
    found = podman.inspect("image", image)[0]
    driver = found["GraphDriver"]
    if driver["Name"] != "overlay":
        pytest.skip(f"layers read from overlay storage; podman here uses {driver['Name']}")
    base_layers = len(podman.inspect("image", BASE)[0]["RootFS"]["Layers"])
    layers = [driver["Data"]["UpperDir"], *driver["Data"]["LowerDir"].split(":")]  # top first
    deleted = []
    for layer in layers[: len(layers) - base_layers]:
        for folder, dirs, files in os.walk(layer):
            for name in dirs + files:
                path = Path(folder, name)
                info = path.lstat()
                whiteout = stat.S_ISCHR(info.st_mode) and info.st_rdev == 0
                if whiteout or (stat.S_ISDIR(info.st_mode) and _opaque(path)):
                    deleted.append(str(path.relative_to(layer)))
    return deleted


def _opaque(path: Path) -> bool:
    try:
        return os.getxattr(path, "trusted.overlay.opaque") == b"y"
    except OSError:
        return False


def test_a_failed_build_is_an_error_with_its_log(podman: Podman, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nRUN false\n", encoding="utf-8")
    with pytest.raises(PodmanError, match=r"(?s)podman build: exit \d+.*RUN false"):
        podman.build(tmp_path, f"localhost/watcher-test-broken:{uuid.uuid4().hex[:10]}",
                     tmp_path / "build.log")


def test_the_image_scores_as_the_installed_package_does(podman: Podman, image: str,
                                                        scratch: Scratch) -> None:
    # texts where the n-gram model is unsure and snownlp's sentiment decides
    texts = ["物流有点慢，其他还好", "价格有点贵", "客服回复了，但是问题没解决"]
    inside = podman("run", "--rm", "--name", scratch.name("score"), "--network", "none",
                    image, "watcher", "score", *texts, timeout=120)
    outside = subprocess.run([sys.executable, "-m", "watcher", "score", *texts], cwd=ROOT,
                             capture_output=True, text=True, timeout=120, check=True)
    assert inside.stdout.splitlines() == outside.stdout.splitlines()


def test_runs_as_a_non_root_user_answers_health_and_stops_on_sigterm(
        podman: Podman, image: str, scratch: Scratch, tmp_path: Path) -> None:
    platform = Platform(tmp_path, scratch, complaint_feed(1, 1))
    try:
        watcher = platform.start(podman, image, "health")
        assert wait_for(lambda: healthz(platform.port)[0] == 200, 90), watcher.logs()[-20:]
        pid = watcher.host_pid()
        assert process_uids(pid) == [USER_ID] * 4  # the daemon itself, seen from the host
        command = Path(f"/proc/{pid}/cmdline").read_text().split("\0")[1:-1]  # after python
        assert [Path(arg).name for arg in command] == ["watcher", "run"]
        assert podman("healthcheck", "run", watcher.name, check=False).returncode == 0
        inside = watcher.exec("watcher", "healthcheck")
        assert inside.returncode == 0 and '"store": true' in inside.stdout
        assert wait_for(lambda: len(platform.receiver.received) == 1, 60), watcher.logs()[-20:]
        # a new complaint on a slow platform: SIGTERM comes while it is being fetched (counted
        # after the change, so the fetch awaited is one that gets it)
        platform.serve(complaint_feed(1, 2), delay=2.0)
        fetched = platform.server.hits["/feed.xml"]
        assert wait_for(lambda: platform.server.hits["/feed.xml"] > fetched, 30)
        code = watcher.stop()  # podman's SIGKILL after 10 s would make it 137
    finally:
        platform.stop()
    assert code == 0, watcher.logs()[-20:]
    assert watcher.json_logs()[-1]["message"] == "stopped"
    # the work in hand was finished: the complaint fetched became a ticket and was alerted
    assert tickets_in(podman, platform.volume) == ["s1-0", "s1-1"]
    assert len({alert["title"] for alert in platform.receiver.received}) == 2


def test_a_sweep_with_a_mounted_config_and_secrets_logs_no_secret(
        podman: Podman, image: str, scratch: Scratch, tmp_path: Path) -> None:
    secrets = {"PLATFORM_COOKIE": f"SUB=ck{uuid.uuid4().hex}",
               "FEED_TOKEN": f"tk{uuid.uuid4().hex}", "ALERT_PASSWORD": f"pw{uuid.uuid4().hex}"}
    platform = Platform(tmp_path, scratch, complaint_feed(2, 1), secrets=secrets)
    try:
        watcher = platform.start(podman, image, "secrets", env=secrets)
        assert wait_for(lambda: len(platform.receiver.received) == 1, 90), watcher.logs()[-20:]
        assert wait_for(lambda: platform.server.hits.get("/gone.xml", 0) >= 1, 30)
        assert platform.server.headers["/feed.xml"][-1]["cookie"] == secrets["PLATFORM_COOKIE"]
        code = watcher.stop()
    finally:
        platform.stop()
    assert code == 0
    assert tickets_in(podman, platform.volume) == ["s2-0"]
    lines = watcher.logs()
    leaked = [line for line in lines for secret in secrets.values() if secret in line]
    assert leaked == []
    # the failing source's address, with its token, was logged: masked
    assert any("gone" in line and "auth=***" in line for line in lines), lines


def test_the_store_on_the_volume_outlives_the_container(
        podman: Podman, image: str, scratch: Scratch, tmp_path: Path) -> None:
    platform = Platform(tmp_path, scratch, complaint_feed(3, 1))
    try:
        first = platform.start(podman, image, "first")
        assert wait_for(lambda: len(platform.receiver.received) == 1, 90), first.logs()[-20:]
        assert first.stop() == 0
        first.remove()
        made = tickets_in(podman, platform.volume)
        # the same items again, answered in full rather than 304
        platform.serve(complaint_feed(3, 1), etag=False)
        fetched = platform.server.hits["/feed.xml"]
        second = platform.start(podman, image, "second")
        assert wait_for(lambda: platform.server.hits["/feed.xml"] > fetched, 90), \
            second.logs()[-20:]
        assert second.stop() == 0  # its sweeps finished
    finally:
        platform.stop()
    assert made == ["s3-0"] and tickets_in(podman, platform.volume) == made
    assert len(platform.receiver.received) == 1  # no alert twice


def tickets_in(podman: Podman, volume: str) -> list[str]:
    """The external ids of the mentions that have tickets, from the SQLite store in `volume`."""
    mount = podman.inspect("volume", volume)[0]["Mountpoint"]
    with closing(sqlite3.connect(f"file:{mount}/watcher.db?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT m.external_id FROM tickets t JOIN mentions m "
                            "ON m.id = t.mention_id ORDER BY t.id").fetchall()
    return [external_id for (external_id,) in rows]
