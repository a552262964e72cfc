"""The staff console over a real store, served on loopback from a background thread, for the
console tests: users with known passwords and tokens, and tickets made straight in the store."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors import connector_for
from tests.helpers import legacy_reasons
from watcher.config import Config, parse
from watcher.passwords import hash_password, hash_token
from watcher.runtime.metrics import Metrics
from watcher.store import mentions as mention_store
from watcher.store import tickets as ticket_store
from watcher.store.db import Store

PASSWORD = "correct horse"
TOKENS = {"staff": "wt_staff-token", "viewer": "wt_viewer-token", "admin": "wt_admin-token"}
NAMES = {"staff": "小李", "viewer": "访客", "admin": "管理员"}
_HASH = hash_password(PASSWORD)  # scrypt is slow on purpose: once for every test


def users() -> list[dict[str, str]]:
    return [{"name": NAMES[role], "role": role, "password_hash": _HASH,
             "token_hash": hash_token(TOKENS[role])} for role in ("staff", "viewer", "admin")]


def console_config(**web: Any) -> Config:
    tables: dict[str, Any] = {
        "web": {"users": users()} | web,
        "sources": [{"name": "forum", "kind": "rss", "url": "http://127.0.0.1:1/feed"},
                    {"name": "shop", "kind": "rss", "url": "http://127.0.0.1:1/shop",
                     "platform": "shop"}],
    }
    return parse(tables, None, connector_for)


class Clock:
    """The real time, moved forward by `advance` (sessions expiring, rate limits passing)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def advance(self, by: timedelta) -> None:
        self.offset += by

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ConsoleServer:
    """build_app (health, metrics and the console) on 127.0.0.1, any free port."""

    def __init__(self, store: Store, config: Config, clock: Clock | None = None,
                 users_file: Any = None) -> None:
        from watcher.web.parts import Parts
        from watcher.web.server import build_app

        self.clock = clock or Clock()
        self.app = build_app(Parts(config, store, Metrics(store), lambda: True, users_file))
        from watcher.web.console.context import CONSOLE

        self.app[CONSOLE].clock = self.clock
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._serve, daemon=True).start()
        assert self._ready.wait(10)

    def _serve(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self._loop)
        self.runner = web.AppRunner(self.app)
        self._loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def login(self, role: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in as the user of `role`."""
        client = self.client()
        answer = login(client, NAMES[role], password)
        assert answer.status_code == 303, answer.text
        return client


def login(client: httpx.Client, name: str, password: str) -> httpx.Response:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    return client.post("/login", data={"csrf": token, "name": name, "password": password,
                                       "next": "/tickets"})


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


_count = iter(range(1, 1_000_000))


def add_mention(store: Store, *, text: str, platform: str = "forum", source: str = "forum",
                author: str | None = "用户甲", created: datetime | None = None,
                url: str | None = "http://forum.local/t/1", complaint: bool = True,
                category: str = "product_quality", level: int | None = 3,
                duplicate_of: int | None = None) -> int:
    created = created or datetime.now(UTC)
    external = f"m{next(_count)}"
    row = {"source": source, "platform": platform, "external_id": external, "url": url,
           "author": author, "title": None, "text": text, "created_at": created,
           "first_seen_at": created, "content_hash": hashlib.sha1(external.encode()).hexdigest(),
           "complaint": complaint, "sentiment": 0.1, "probability": 0.9, "level": level,
           "category": category, "reasons": legacy_reasons("因为测试"), "risks": [],
           "duplicate_of": duplicate_of}
    with store.begin() as conn:
        return mention_store.insert_new(store, conn, source, [row], created)[external]


def add_ticket(store: Store, *, text: str = "热水器漏电，太危险了", level: int = 1,
               category: str = "product_quality", created: datetime | None = None,
               deadline: timedelta = timedelta(minutes=10), assignee: str | None = None,
               reasons: tuple[str, ...] = ("安全风险：漏电",), **mention: Any) -> int:
    created = created or datetime.now(UTC)
    mention_id = add_mention(store, text=text, created=created, category=category, level=level,
                             **mention)
    with store.begin() as conn:
        return ticket_store.create(conn, mention_id=mention_id, level=level, category=category,
                                   department="质量部", deadline=created + deadline, now=created,
                                   reasons=legacy_reasons(*reasons), risks=["safety"],
                                   assignee=assignee)


def served(store: Store, **web: Any) -> Iterator[ConsoleServer]:
    server = ConsoleServer(store, console_config(**web))
    yield server
    server.stop()
