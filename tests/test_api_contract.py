"""The JSON API against its own OpenAPI document, by schemathesis: requests generated from the
document (valid ones, and invalid ones that must be refused with a 4xx) sent to the real
console on loopback, every answer checked against the document (status, content type, body)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.console_harness import TOKENS, ConsoleServer, add_ticket, console_config
from watcher.store import incidents as incident_store
from watcher.store.db import open_store

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402  (schemathesis brings hypothesis)

ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleServer]:
    """Two tickets, one of them in an incident, on a SQLite store."""
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    first = add_ticket(store)
    add_ticket(store, text="物流太慢了，一个星期还没到", level=3, category="logistics")
    with store.begin() as conn:
        incident = incident_store.create(conn, category="product_quality", keywords=["漏电"],
                                         now=datetime.now(UTC))
        incident_store.join(conn, incident, [first], datetime.now(UTC))
    server = ConsoleServer(store, console_config())
    yield server
    server.stop()
    store.close()


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_the_api_answers_as_its_document_says(console: ConsoleServer, mode: str) -> None:
    """Valid requests get the answers the document describes; invalid ones (a status that is
    not one, a level of 9) are refused with a 4xx in JSON, never served as if valid."""
    schema = schemathesis.openapi.from_url(f"{console.url}/api/openapi.json")
    generation = schemathesis.GenerationMode(mode)
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy(generation_mode=generation))
        @settings(max_examples=30, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=ADMIN)

        check()
    assert {"GET /api/tickets", "GET /api/tickets/{id}", "GET /api/sources",
            "GET /api/dashboard"} <= set(tried)
