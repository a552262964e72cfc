"""Alembic environment: runs on the connection Watcher hands over (see watcher.store.db), or on
the URL in WATCHER_DATABASE_URL when run with the alembic command line to write a revision."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from watcher.store.schema import metadata

config = context.config


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(os.environ.get("WATCHER_DATABASE_URL", "sqlite:///watcher.db"))
    with engine.begin() as conn:
        run(conn)
