"""Alembic migrations: the only way the schema changes. Shipped inside the distribution so a
plain `pip install .` can migrate.

HEAD names the newest revision so start-up can tell the schema is current without importing
Alembic; tests check it against the revisions in versions/.
"""

HEAD = "incident_words"
