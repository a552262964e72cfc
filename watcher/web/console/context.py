"""What every console handler reaches: the daemon's parts, the templates and a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import jinja2
from aiohttp import web

from watcher.config import Config
from watcher.config.sections import WebUser
from watcher.store.db import Store
from watcher.web.parts import PARTS

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Console:
    envs: dict[str, jinja2.Environment]
    clock: Callable[[], datetime] = field(default=utc_now)  # tests move time forward


CONSOLE = web.AppKey("console", Console)


def config_of(request: web.Request) -> Config:
    return request.app[PARTS].config


def users_of(request: web.Request) -> tuple[WebUser, ...]:
    """The console's users now (watcher.web.users: an edit of the config file counts)."""
    return request.app[PARTS].users()


def store_of(request: web.Request) -> Store:
    return request.app[PARTS].store


def now_of(request: web.Request) -> datetime:
    return request.app[CONSOLE].clock()


def user_of(request: web.Request) -> WebUser:
    """The logged-in user; only for handlers behind `requires`."""
    user: WebUser = request["user"]
    return user


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Store work and password hashing, off the event loop that also serves /healthz."""
    return await asyncio.to_thread(function, *args, **kwargs)
