"""The console against hostile clients (issue 17): concurrent password guessing, open redirects
through `next`, oversized ids, and an API that must agree with its own OpenAPI document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.console_harness import (
    NAMES,
    PASSWORD,
    ConsoleServer,
    add_ticket,
    console_config,
    csrf_of,
    login,
)
from watcher.store.db import Store
from watcher.web.console.login import MAX_PER_NAME

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
