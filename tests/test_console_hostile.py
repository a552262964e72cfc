"""The console against hostile clients (issue 17): concurrent password guessing, open redirects
through `next`, oversized ids, and an API that must agree with its own OpenAPI document."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.console_harness import (
    NAMES,
    PASSWORD,
    TOKENS,
    ConsoleServer,
    add_ticket,
    console_config,
    csrf_of,
    login,
)
from tests.daemon_process import wait_for
from watcher.store import incidents as incident_store
from watcher.store import sessions
from watcher.store.db import Store
from watcher.web.console.login import MAX_PER_NAME

ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}

# `next` values that must never send a browser to another site: each is what the login page
# receives after the query string's own percent-decoding.
BYPASSES = [
    "/\t/evil.example",  # ?next=/%09/evil.example: browsers drop the tab, leaving //evil.example
    "/\n/evil.example", "/\r/evil.example", "/\r\n/evil.example", "/\x00/evil.example",
    "/\x0b/evil.example", "/\x7f/evil.example", "/\x85/evil.example",
    "//evil.example", "///evil.example", "////evil.example/x",
    "/\\evil.example", "\\/evil.example", "/\\/evil.example", "\\\\evil.example",
    "/%09/evil.example", "/%5Cevil.example", "/%5c%5cevil.example", "/%2F/evil.example",
    "/%2f%2fevil.example", "/%252F%252Fevil.example", "/%25252F%25252Fevil.example",
    "/%0d%0aSet-Cookie:%20x=1", "/tickets\r\nSet-Cookie: x=1",
    " /evil.example", "/ /evil.example", "/\u3000/evil.example", "/\u2028/evil.example",
    "/%E2%80%A8/evil.example", "/\u200b/evil.example", "/\u202e/evil.example",
    "/\uff0f/evil.example", "/\uff3cevil.example",  # fullwidth / and \ (NFKC folds them)
    "https://evil.example/", "http:evil.example", "//evil.example@watcher", "javascript:alert(1)",
    "JaVaScRiPt:alert(1)", "data:text/html,x", "evil.example", "", "/" + "a" * 5000,
]


def _hidden_next(page: str) -> str:
    return page.split('name="next" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def server(store: Store) -> Iterator[ConsoleServer]:
    running = ConsoleServer(store, console_config())
    yield running
    running.stop()


@pytest.mark.parametrize("target", BYPASSES)
def test_next_never_leads_off_the_site(server: ConsoleServer, target: str) -> None:
    client = server.client()
    page = client.get("/login", params={"next": target})
    assert _hidden_next(page.text) == "/tickets"
    answer = client.post("/login", data={"csrf": csrf_of(page.text), "name": NAMES["staff"],
                                         "password": PASSWORD, "next": target})
    assert answer.status_code == 303 and answer.headers["location"] == "/tickets"
    again = client.get("/login", params={"next": target})  # logged in: straight on
    assert again.status_code == 302 and again.headers["location"] == "/tickets"


@pytest.mark.parametrize("target", ["/tickets/7", "/tickets?status=open&level=1",
                                    "/tickets?assignee=%E5%B0%8F%E6%9D%8E", "/dashboard#x",
                                    "/reports/2026-10"])
def test_next_within_the_site_is_kept(server: ConsoleServer, target: str) -> None:
    client = server.client()
    page = client.get("/login", params={"next": target})
    answer = client.post("/login", data={"csrf": csrf_of(page.text), "name": NAMES["staff"],
                                         "password": PASSWORD, "next": target})
    assert answer.headers["location"] == target
    assert client.get("/login", params={"next": target}).headers["location"] == target


def test_next_survives_a_failed_login(store: Store, server: ConsoleServer) -> None:
    """The alert's link still leads to the ticket after a mistyped password."""
    ticket_id = add_ticket(store)
    client = server.client()
    first = client.get(f"/tickets/{ticket_id}")
    assert first.status_code == 302
    page = client.get(first.headers["location"])
    failed = client.post("/login", data={"csrf": csrf_of(page.text), "name": NAMES["staff"],
                                         "password": "mistyped", "next": f"/tickets/{ticket_id}"})
    assert failed.status_code == 401
    kept = _hidden_next(failed.text)
    assert kept == f"/tickets/{ticket_id}"
    answer = client.post("/login", data={"csrf": csrf_of(failed.text), "name": NAMES["staff"],
                                         "password": PASSWORD, "next": kept})
    assert answer.status_code == 303 and answer.headers["location"] == f"/tickets/{ticket_id}"


def _attempts(store: Store) -> int:
    with store.engine.connect() as conn:
        return sessions.failures_since(conn, datetime.now(UTC) - timedelta(days=1),
                                       user_name=NAMES["staff"], address="")[0]


def _guess(server: ConsoleServer, password: str, start: threading.Barrier,
           after: Callable[[], bool] = lambda: True) -> int:
    with server.client() as client:
        token = csrf_of(client.get("/login").text)
        start.wait()
        assert wait_for(after, 60)
        answer = client.post("/login", data={"csrf": token, "name": NAMES["staff"],
                                             "password": password, "next": "/tickets"})
        return answer.status_code


def test_concurrent_guesses_are_counted_before_the_password_is_checked(
        store: Store, server: ConsoleServer) -> None:
    """40 guesses at once for one name: only the first MAX_PER_NAME are checked, and the right
    password sent among them, as the 40th (once MAX_PER_NAME others are in the store), is
    refused like the rest."""
    start = threading.Barrier(40)
    with ThreadPoolExecutor(40) as pool:
        wrong = [pool.submit(_guess, server, f"wrong-{i}", start) for i in range(39)]
        right = pool.submit(_guess, server, PASSWORD, start,
                            lambda: _attempts(store) >= MAX_PER_NAME)
        statuses = [future.result() for future in wrong]
    assert statuses.count(401) <= MAX_PER_NAME
    assert statuses.count(401) + statuses.count(429) == 39
    assert right.result() == 429
    assert login(server.client(), NAMES["staff"], PASSWORD).status_code == 429


ODD_IDS = ["99999999999999999999999", "9223372036854775808", "1e3", "+1", "%D9%A1", "1_0",
           "0x1", " 1", "-0"]


@pytest.mark.parametrize("raw", ODD_IDS)
def test_oversized_or_odd_ticket_ids_are_not_found(store: Store, server: ConsoleServer,
                                                   raw: str) -> None:
    add_ticket(store)
    client = server.login("staff")
    token = csrf_of(client.get("/tickets").text)
    assert client.get(f"/tickets/{raw}").status_code == 404
    assert client.post(f"/tickets/{raw}/ack", data={"csrf": token}).status_code == 404
    answer = client.get(f"/api/tickets/{raw}", headers=ADMIN)
    assert answer.status_code == 404 and answer.json() == {"error": "no such ticket"}


@pytest.mark.parametrize(("path", "status"), [
    ("/api/tickets/abc", 404), ("/api/nothing", 404), ("/api/tickets?status=bogus", 400),
    ("/api/tickets?level=9", 400), ("/api/tickets?level=x", 400),
    ("/api/tickets?overdue=yes", 400), ("/api/tickets?status=", 400),
])
def test_api_refusals_are_json(server: ConsoleServer, path: str, status: int) -> None:
    answer = server.client().get(path, headers=ADMIN)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/json")
    assert set(answer.json()) == {"error"}
    posted = server.client().post("/api/tickets", headers=ADMIN)
    assert posted.status_code == 405 and set(posted.json()) == {"error"}


def test_a_ticket_in_an_incident_agrees_with_the_document(store: Store,
                                                           server: ConsoleServer) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    ticket_id = add_ticket(store)
    with store.begin() as conn:
        incident_id = incident_store.create(conn, category="product_quality",
                                            keywords=["漏电"], now=datetime.now(UTC))
        incident_store.join(conn, incident_id, [ticket_id], datetime.now(UTC))
    client = server.client()
    spec = client.get("/api/openapi.json").json()
    for path, name in ((f"/api/tickets/{ticket_id}", "TicketDetail"), ("/api/tickets", "Queue")):
        schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
        answer = client.get(path, headers=ADMIN).json()
        jsonschema.Draft202012Validator(schema).validate(answer)
    detail = client.get(f"/api/tickets/{ticket_id}", headers=ADMIN).json()
    assert detail["incident"]["id"] == incident_id and detail["incident"]["tickets"] == [ticket_id]


@pytest.mark.parametrize("raw", ["99999999999999999999999", "9223372036854775808", "+1"])
def test_oversized_ticket_ids_on_the_command_line(tmp_path: Path, raw: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[watcher]\ndatabase = "sqlite:///{tmp_path / "w.db"}"\n',
                      encoding="utf-8")
    for command in (["show", raw], ["ack", raw], ["assign", raw, "小李"]):
        done = subprocess.run([sys.executable, "-m", "watcher", "--config", str(config),
                               "tickets", *command], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and f"not a ticket id: '{raw}'" in done.stderr
        assert "Traceback" not in done.stderr
