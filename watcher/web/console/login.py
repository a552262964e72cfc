"""Logging in and out. Failed logins are rate-limited per user name and per client address,
counted in the store so that replicas share the count: 5 failures for one name, or 20 from one
address (staff behind one proxy share an address), within 15 minutes refuse further tries, right
password or not, until the window moves on. Each attempt is counted before its password is
checked, so a burst of concurrent guesses gets no more checks than one after the other."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from aiohttp import web

from watcher.config import Config
from watcher.config.sections import WebUser
from watcher.passwords import verify_password
from watcher.store import sessions
from watcher.store.db import Store
from watcher.web.console import auth, i18n
from watcher.web.console.context import (
    CONSOLE,
    config_of,
    in_thread,
    now_of,
    store_of,
    users_of,
)
from watcher.web.console.redirects import safe_next
from watcher.web.console.render import render

LOGIN_COOKIE = "watcher_login"  # double-submit CSRF token of the login form (no session yet)
WINDOW = timedelta(minutes=15)
MAX_PER_NAME = 5
MAX_PER_ADDRESS = 20


def _show(request: web.Request, error: str | None = None, status: int = 200,
          name: str = "", target: str | None = None) -> web.Response:
    """The login form; `target` is where to go afterwards (by default the query's `next`)."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, request.app[CONSOLE].envs, "login.html",
                      {"error": error, "token": token, "name": name,
                       "next": safe_next(request.query.get("next") if target is None
                                         else target),
                       "no_users": not users_of(request)}, status=status)
    auth.set_cookie(response, config_of(request), LOGIN_COOKIE, token)
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    if await auth.identify(request):
        raise web.HTTPFound(safe_next(request.query.get("next")))
    return _show(request)


def _count_attempt(store: Store, name: str, address: str, now: datetime) -> int | None:
    """Counts this attempt as a failure in the store before any password is checked, committed
    so that concurrent attempts on every replica see it; returns its row, or None when the name
    or the address is over the limit. The k-th attempt to commit counts at least k, so however
    many arrive at once, at most MAX_PER_NAME of them are checked. A refused attempt stays
    counted: taking it back let a burst that refused itself make room again, so the right
    password sent after a burst of wrong ones could still be checked."""
    with store.begin() as conn:
        sessions.forget_failures(conn, before=now - WINDOW)
        attempt = sessions.record_failure(conn, user_name=name, address=address, now=now)
    with store.engine.connect() as conn:
        by_name, by_address = sessions.failures_since(conn, now - WINDOW, user_name=name,
                                                      address=address)
    if by_name <= MAX_PER_NAME and by_address <= MAX_PER_ADDRESS:
        return attempt
    return None


def _check(store: Store, config: Config, users: tuple[WebUser, ...], name: str, password: str,
           now: datetime) -> str | None:
    """The session id for a right name and password (the name's failures forgotten); None
    otherwise, the attempt staying counted as a failure."""
    user = auth.find_user(users, name)
    if not verify_password(password, user.password_hash if user else None) or user is None:
        return None
    with store.begin() as conn:
        sessions.forget_failures(conn, before=now - WINDOW, user_name=name)
    return auth.open_session(store, config, user, now)


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = str(form.get("next", ""))
    if not auth.csrf_ok(str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE)):
        raise web.HTTPForbidden(text="403: missing or wrong CSRF token; reload the login page")
    store, config, now = store_of(request), config_of(request), now_of(request)
    address = (request.remote or "unknown")[:64]
    gettext = i18n.translations(request["lang"]).gettext
    if await in_thread(_count_attempt, store, name[:200], address, now) is None:
        message = gettext("Too many failed attempts. Wait 15 minutes and try again.")
        return _show(request, message, status=429, name=name, target=target)
    session_id = await in_thread(_check, store, config, users_of(request), name[:200], password,
                                 now)
    if session_id is None:
        return _show(request, gettext("Wrong name or password."), status=401, name=name,
                     target=target)
    response = see_other(safe_next(target))
    auth.set_cookie(response, config, auth.SESSION_COOKIE, session_id,
                    max_age=int(config.web.session_lifetime.total_seconds()))
    response.del_cookie(LOGIN_COOKIE, path="/")
    return response


@auth.requires("viewer")
async def logout(request: web.Request) -> web.StreamResponse:
    await in_thread(auth.close_session, store_of(request), request.cookies[auth.SESSION_COOKIE])
    response = see_other("/login")
    response.del_cookie(auth.SESSION_COOKIE, path="/")
    return response


def see_other(location: str) -> web.Response:
    """A redirect that can carry cookies (HTTP exceptions are not meant to)."""
    return web.Response(status=303, headers={"Location": location})
