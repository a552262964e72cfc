from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

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
