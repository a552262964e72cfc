"""Opening the store and bringing its schema up to date."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

import migrations
from watcher.errors import StoreError
from watcher.redaction import redact

log = logging.getLogger(__name__)

MIGRATION_LOCK_KEY = 7_246_113  # pg_advisory_lock key serializing schema upgrades across replicas
SQLITE_BUSY_TIMEOUT_MS = 30_000  # how long a SQLite writer waits for the write lock


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction that commits on success and rolls back on error."""
        with self.engine.begin() as conn:
            yield conn

    def insert_ignoring_conflicts(self, table: Table) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING, the portable way to let a unique key decide."""
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # lazy: one dialect


            return sqlite_insert(table).on_conflict_do_nothing()
        # each dialect's module imported only by a store of that dialect: start-up time
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table).on_conflict_do_nothing()

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise StoreError(f"not a usable database URL {_safe(url)}: {exc}") from None
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database {backend!r} in {_safe(url)}: "
                         "use sqlite:///FILE or postgresql+psycopg://...")
    try:
        engine = create_engine(url, **_engine_options(url))
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise StoreError(f"not a usable database URL {_safe(url)}: {exc}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        _check_sqlite_directory(url)
    store = Store(engine)
    if migrate:
        try:
            upgrade(store)
        except DBAPIError as exc:
            raise StoreError(f"cannot use the database {_safe(url)}: {exc.orig}") from None
    return store


def schema_version(conn: Connection) -> str | None:
    try:
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def upgrade(store: Store) -> None:
    """Migrate to the newest schema; a no-op (without importing Alembic) when already there."""
    with store.engine.connect() as conn:
        if schema_version(conn) == migrations.HEAD:
            return
    from alembic import command  # lazy: Alembic (~270 ms) only when the schema is behind
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with store.engine.connect() as conn:
        if not store.is_sqlite:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
        try:
            config.attributes["connection"] = conn
            log.info("upgrading the database schema to %s", migrations.HEAD)
            command.upgrade(config, "head")
            conn.commit()
        finally:
            if not store.is_sqlite:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _check_sqlite_directory(url: str) -> None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        parent = Path(path).expanduser().resolve().parent
        if not parent.is_dir():
            raise StoreError(f"the SQLite file's directory does not exist: {parent}")


def _safe(url: str) -> str:
    return redact(url)
