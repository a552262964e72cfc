"""Watcher containers in tests: a platform and an alert receiver served on the host's loopback
(the containers share the host's network), a config written for them and mounted over
/etc/watcher/config.toml, the store on a named volume, and unique names cleaned up after."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from pathlib import Path

from tests.podman import Container, Podman
from tests.servers import PlatformServer, Receiver, Route, free_port

FEED = "/feed.xml"


class Scratch:
    """Unique names for what one test makes in podman's store, remembered for removal."""

    def __init__(self) -> None:
        self.prefix = f"watcher-test-{uuid.uuid4().hex[:10]}"
        self.containers: list[str] = []
        self.volumes: list[str] = []

    def name(self, role: str) -> str:
        self.containers.append(f"{self.prefix}-{role}")
        return self.containers[-1]

    def volume(self, role: str) -> str:
        self.volumes.append(f"{self.prefix}-{role}")
        return self.volumes[-1]


class Platform:
    """A feed at /feed.xml and a json:// receiver; with `secrets`, the config takes a cookie, a
    feed token and the receiver's password from the environment, and a second source, whose
    address carries the token, fails on every sweep (so its address is logged)."""

    def __init__(self, workdir: Path, scratch: Scratch, feed: bytes,
                 secrets: dict[str, str] | None = None, sweep_every: str = "2s") -> None:
        self.server = PlatformServer({FEED: Route(feed, "application/rss+xml")})
        self.server.start()
        self.receiver = Receiver()
        self.receiver.start()
        self.port = free_port()  # the web server's: containers share the host's ports
        self.scratch = scratch
        self.volume = scratch.volume("data")  # the store of every container started here
        self.config = workdir / "config.toml"
        self.config.write_text(self._config(sweep_every, bool(secrets)), encoding="utf-8")

    def _config(self, sweep_every: str, secrets: bool) -> str:
        target = (f"json://watcher:${{ALERT_PASSWORD}}@127.0.0.1:{self.receiver.port}/alerts"
                  if secrets else self.receiver.json_url())
        text = f"""
[schedule]
sweep_every = "{sweep_every}"
[monitor]
max_age = "3650d"
[http]
retries = 0
[alerts]
on_duty = ["{target}"]
[incidents]
min_complaints = 1000
[[sources]]
name = "forum"
kind = "rss"
url = "{self.server.url}{FEED}"
schedule = ["sweep"]
"""
        if secrets:
            text += f"""headers = {{ Cookie = "${{PLATFORM_COOKIE}}" }}
[[sources]]
name = "gone"
kind = "rss"
url = "{self.server.url}/gone.xml?auth=${{FEED_TOKEN}}"
schedule = ["sweep"]
"""
        return text

    def serve(self, feed: bytes, delay: float = 0.0, etag: bool = True) -> None:
        self.server.routes[FEED] = Route(feed, "application/rss+xml", etag=etag, delay=delay)

    def start(self, podman: Podman, image: str, role: str,
              env: dict[str, str] | None = None) -> Container:
        """A container of `image` with its default command."""
        return podman.run(image, self.scratch.name(role),
                          env={"WATCHER_WEB_PORT": str(self.port)} | (env or {}),
                          volumes=[f"{self.volume}:/data",
                                   f"{self.config}:/etc/watcher/config.toml:ro"])

    def stop(self) -> None:
        self.server.stop()
        self.receiver.stop()


def healthz(port: int) -> tuple[int, str]:
    """The status and body of /healthz on the host's loopback; 0 while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def process_uids(pid: int) -> list[int]:
    """The real, effective, saved and filesystem user ids of a host process."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("Uid:"):
            return [int(uid) for uid in line.split()[1:]]
    raise AssertionError(f"/proc/{pid}/status has no Uid line")
