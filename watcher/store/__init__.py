"""The store: the only code that talks to the database (SQLite or PostgreSQL, same SQL).

`watcher.store.db` opens and migrates it; the other modules are plain functions over a
SQLAlchemy connection, one module per kind of record.
"""
