"""The store on SQLite and, with WATCHER_TEST_POSTGRES_URL set, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import migrations
from tests.helpers import legacy_reasons
from watcher.config.targets import AlertTargets
from watcher.errors import StoreError
from watcher.store import mentions, outbox, sources, tickets
from watcher.store.db import Store, open_store, schema_version

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def mention_row(external_id: str, **kw: object) -> dict[str, object]:
    row = {
        "source": "s1", "platform": "p", "external_id": external_id, "url": None, "author": "a",
        "title": None, "text": "热水器漏电", "created_at": NOW, "first_seen_at": NOW,
        "updated_at": None, "language": "zh", "rating": None, "engagement": None, "raw": None,
        "content_hash": "h", "fingerprint": None, "duplicate_of": None, "complaint": True,
        "sentiment": 0.1, "probability": 0.9, "level": 1, "category": "product_quality",
        "reasons": legacy_reasons("safety: 漏电"), "risks": ["safety"],
    }
    return row | kw


def test_migrations_produce_the_declared_schema(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from watcher.store.schema import metadata

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        assert schema_version(conn) == migrations.HEAD


def test_head_constant_matches_the_newest_revision() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    assert ScriptDirectory.from_config(config).get_current_head() == migrations.HEAD


def test_reopening_is_a_no_op(database_url: str) -> None:
    open_store(database_url).close()
    again = open_store(database_url)
    with again.engine.connect() as conn:
        assert schema_version(conn) == migrations.HEAD
    again.close()


def test_mention_unique_per_source_and_id(store: Store) -> None:
    with store.begin() as conn:
        first = mentions.insert_new(store, conn, "s1", [mention_row("1"), mention_row("2")], NOW)
    later = NOW + timedelta(minutes=1)
    with store.begin() as conn:
        again = mentions.insert_new(store, conn, "s1", [mention_row("2", first_seen_at=later),
                                                        mention_row("3", first_seen_at=later)],
                                    later)
        other = mentions.insert_new(store, conn, "s2", [mention_row("1", source="s2")], NOW)
    assert set(first) == {"1", "2"} and set(again) == {"3"} and set(other) == {"1"}
    with store.engine.connect() as conn:
        assert mentions.count(conn) == 4
        assert set(mentions.existing(conn, "s1", ["1", "2", "3", "9"])) == {"1", "2", "3"}


def test_first_mention_owns_its_fingerprint(store: Store) -> None:
    with store.begin() as conn:
        s1 = mentions.insert_new(store, conn, "s1", [mention_row("1", fingerprint="f")], NOW)
        assert mentions.claim_fingerprints(store, conn, "s1", {"f": s1["1"]}) == {}
        s2 = mentions.insert_new(store, conn, "s2", [mention_row("9", source="s2",
                                                                 fingerprint="f")], NOW)
        # a later claim from another source finds the owner: its mention is a repost
        assert mentions.claim_fingerprints(store, conn, "s2", {"f": s2["9"]}) == {"f": s1["1"]}
        s1b = mentions.insert_new(store, conn, "s1", [mention_row("2", fingerprint="f")], NOW)
        # the same text again from the owner's own source is not a repost
        assert mentions.claim_fingerprints(store, conn, "s1", {"f": s1b["2"]}) == {}
    with store.engine.connect() as conn:
        assert mentions.originals_by_fingerprint(conn, ["f", "g"], "s2") == {"f": s1["1"]}
        assert mentions.originals_by_fingerprint(conn, ["f"], "s1") == {}


def test_ticket_with_history(store: Store) -> None:
    with store.begin() as conn:
        ids = mentions.insert_new(store, conn, "s1", [mention_row("1")], NOW)
        ticket_id = tickets.create(conn, mention_id=ids["1"], level=1, category="product_quality",
                                   department="quality", deadline=NOW + timedelta(minutes=10),
                                   now=NOW, reasons=legacy_reasons("safety: 漏电"), risks=["safety"])
    with store.engine.connect() as conn:
        row = tickets.get(conn, ticket_id)
        assert row is not None and row.status == "open" and row.text == "热水器漏电"
        assert row.deadline == NOW + timedelta(minutes=10)
        assert row.deadline.tzinfo is not None
        assert [e["action"] for e in tickets.events(conn, ticket_id)] == ["created"]
        assert tickets.list_tickets(conn, status="closed") == []
        assert len(tickets.list_tickets(conn)) == 1


BOOK = AlertTargets({"alerts.on_duty[0]": "json://a", "alerts.on_duty[1]": "json://b"})


def test_outbox_rows_are_unique_per_alert_and_target(store: Store) -> None:
    with store.begin() as conn:
        for _ in range(2):
            outbox.enqueue(store, conn, alert_key="k1", targets=["json://a", "json://b",
                                                                "json://a"],
                           book=BOOK, title="t", body="b", now=NOW)
        count, oldest = outbox.pending_stats(conn)
    assert count == 2 and oldest == NOW


def test_claims_are_leases(store: Store) -> None:
    with store.begin() as conn:
        outbox.enqueue(store, conn, alert_key="k", targets=["json://a"], book=BOOK, title="t",
                       body="b", now=NOW)
    (row,) = outbox.claim(store, NOW, limit=10)
    assert outbox.claim(store, NOW, limit=10) == []  # claimed by someone else
    assert len(outbox.claim(store, NOW + outbox.LEASE + timedelta(seconds=1), limit=10)) == 1
    outbox.mark_failed(store, row.id, NOW, "boom", NOW + timedelta(minutes=1))
    assert outbox.claim(store, NOW, limit=10) == []  # backing off
    assert len(outbox.claim(store, NOW, limit=10, ignore_backoff=True)) == 1
    outbox.mark_sent(store, row.id, NOW)
    with store.engine.connect() as conn:
        assert outbox.pending_stats(conn) == (0, None)
        attempts = conn.execute(text("SELECT ok, error FROM delivery_attempts ORDER BY id")).all()
    assert [tuple(a) for a in attempts] == [(False, "boom"), (True, None)]


def test_source_state(store: Store) -> None:
    with store.begin() as conn:
        assert sources.get(conn, "s").last_run_at is None
        assert sources.record_failure(store, conn, "s", now=NOW, error="HTTP 500",
                                      kind="http").errors_in_row == 1
        assert sources.record_failure(store, conn, "s", now=NOW, error="HTTP 500",
                                      kind="http").errors_in_row == 2
        sources.record_success(store, conn, "s", cursor={"http": {"etag": "x"}}, now=NOW,
                               fetched=3, new=1)
    with store.engine.connect() as conn:
        state = sources.all_states(conn)["s"]
    assert state.errors_in_row == 0 and state.cursor == {"http": {"etag": "x"}}
    assert state.first_swept_at == NOW and state.last_error is None


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.begin() as conn:
        sources.record_failure(store, conn, "s", now=datetime(2026, 1, 1), error="x", kind="http")


@pytest.mark.parametrize("url", ["nonsense", "mysql://localhost/x", "sqlite:////no/such/dir/x.db"])
def test_unusable_database_urls(url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url)


def test_unreachable_postgres_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot use the database"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_postgres_url_fixture_isolates_schemas(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_schema()")).scalar().startswith("t_")
    engine.dispose()


def test_racing_writers_agree_on_the_first_owner(store: Store) -> None:
    """Two sources storing the same text at once: exactly one owns it, the other is a repost,
    even though neither saw the other's mention when it read."""
    import threading

    first_claimed, results = threading.Event(), {}

    def writer(source: str, external_id: str, hold: float) -> None:
        with store.begin() as conn:
            ids = mentions.insert_new(store, conn, source, [mention_row(external_id, source=source,
                                                                        fingerprint="f")], NOW)
            results[source] = mentions.claim_fingerprints(store, conn, source,
                                                          {"f": ids[external_id]})
            first_claimed.set()
            threading.Event().wait(hold)  # keep the transaction open while the other claims

    a = threading.Thread(target=writer, args=("s1", "1", 0.5))
    a.start()
    first_claimed.wait(10)
    b = threading.Thread(target=writer, args=("s2", "2", 0))
    b.start()
    a.join(10)
    b.join(10)
    assert results["s1"] == {}
    assert list(results["s2"]) == ["f"]
