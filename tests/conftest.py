from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.container_run import Scratch
from tests.podman import Podman, unavailable

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POSTGRES_ENV = "WATCHER_TEST_POSTGRES_URL"


@pytest.fixture
def shared() -> Path:
    """../shared beside the project; tests that need it skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


def postgres_schema_url(base: str) -> Iterator[str]:
    """A fresh schema on the test PostgreSQL for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    with admin.begin() as conn:  # unreachable raises here: a failure, not a skip
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store's URL: a new SQLite file, and a new PostgreSQL schema when
    WATCHER_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'watcher.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    yield from postgres_schema_url(base)


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL; skips where WATCHER_TEST_POSTGRES_URL is not set."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    yield from postgres_schema_url(base)


@pytest.fixture
def store(database_url: str) -> Iterator[object]:
    from watcher.store.db import open_store

    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[object]:
    """A real local alert receiver behind apprise's json:// scheme."""
    from tests.servers import Receiver

    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def platform() -> Iterator[object]:
    """A loopback platform for the Chinese platforms' kinds (tests/cnserver.py)."""
    from tests.cnserver import CnServer

    server = CnServer()
    server.start()
    yield server
    server.stop()


FIGURES = pytest.StashKey[list[str]]()
"""Lines a test wants shown after the run whatever its outcome (the container image's size)."""
_container_seconds: list[float] = []  # setup, call and teardown of each container test


def pytest_configure(config: pytest.Config) -> None:
    config.stash[FIGURES] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid.startswith("tests/test_container"):
        _container_seconds.append(report.duration)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    lines = config.stash.get(FIGURES, [])
    if _container_seconds:
        lines = [*lines, f"container tests: {sum(_container_seconds):.0f} s in all, setup "
                         f"(the base image, the build) included"]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


CONTAINERS_ENV = "WATCHER_TEST_CONTAINERS"  # set (by .ci/run): the container tests must run


@pytest.fixture(scope="session")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Podman:
    """Podman as this machine runs it; skips with the reason where it cannot."""
    reason = unavailable()
    if reason and os.environ.get(CONTAINERS_ENV):
        pytest.fail(f"{CONTAINERS_ENV} is set but {reason}")
    if reason:
        pytest.skip(reason)
    return Podman(tmp_path_factory.mktemp("podman"))


@pytest.fixture(scope="session")
def image(podman: Podman, tmp_path_factory: pytest.TempPathFactory,
          pytestconfig: pytest.Config) -> Iterator[str]:
    """The image built from the Dockerfile as it is, once per session, removed afterwards; the
    stand-in base image is made only where podman has no python:3.11-slim yet."""
    from tests.container_base import BASE, ensure_base

    work = tmp_path_factory.mktemp("image")
    base = ensure_base(podman, work)
    tag = f"localhost/watcher-test:{uuid.uuid4().hex[:10]}"
    started = time.monotonic()
    layers = podman.build(ROOT, tag, work / "build.log")
    built_in = time.monotonic() - started
    size, base_size = (podman.inspect("image", name)[0]["Size"] / 1e6 for name in (tag, BASE))
    pytestconfig.stash[FIGURES].append(
        f"container image: {size:.0f} MB, of which the base {base_size:.0f} MB and what the "
        f"Dockerfile adds {size - base_size:.0f} MB; built in {built_in:.0f} s; {base}")
    yield tag
    podman.remove_all(images=[tag, *reversed(layers)])


@pytest.fixture
def scratch(podman: Podman) -> Iterator[Scratch]:
    """Names for one test's containers and volumes, all removed after it."""
    made = Scratch()
    yield made
    podman.remove_all(containers=made.containers, volumes=made.volumes)
