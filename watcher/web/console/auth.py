"""Who is asking: sessions for the pages, per-user bearer tokens for the API, roles, CSRF.

Sessions live in the store (watcher.store.sessions), so any replica serves any logged-in user
and logging out ends the session everywhere. The cookie holds a random id (HttpOnly,
SameSite=Lax so the chat alert's link arrives logged in; Secure when public_url is https); the
store keeps its SHA-256 and the session's CSRF token, which every form must send back.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from watcher.config import Config
from watcher.config.sections import WebUser
from watcher.passwords import token_matches
from watcher.store import sessions
from watcher.store.db import Store
from watcher.web.console.context import in_thread, now_of, store_of, users_of

SESSION_COOKIE = "watcher_session"
RANK = {"viewer": 0, "staff": 1, "admin": 2}  # each role may do what the ones below it may

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def find_user(users: tuple[WebUser, ...], name: str) -> WebUser | None:
    return next((u for u in users if u.name == name), None)


def allowed(user: WebUser, role: str) -> bool:
    return RANK[user.role] >= RANK[role]


def secure_cookies(config: Config) -> bool:
    return (config.web.public_url or "").lower().startswith("https://")


def set_cookie(response: web.StreamResponse, config: Config, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="Lax",
                        secure=secure_cookies(config))


def open_session(store: Store, config: Config, user: WebUser, now: datetime) -> str:
    """A new session for `user` (a new id at every login); returns the cookie's value."""
    session_id = secrets.token_urlsafe(32)
    with store.begin() as conn:
        sessions.forget_expired(conn, now)
        sessions.create(conn, id_hash=session_hash(session_id), user_name=user.name,
                        csrf=secrets.token_urlsafe(32), now=now,
                        expires_at=now + config.web.session_lifetime)
    return session_id


def _session(store: Store, session_id: str, now: datetime) -> tuple[str, str] | None:
    with store.engine.connect() as conn:
        return sessions.find(conn, session_hash(session_id), now)


def close_session(store: Store, session_id: str) -> None:
    with store.begin() as conn:
        sessions.end(conn, session_hash(session_id))


async def identify(request: web.Request) -> WebUser | None:
    """The session's user, still in the config (removing a user ends their sessions), or None;
    sets request["user"] and request["csrf"]."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    found = await in_thread(_session, store_of(request), session_id, now_of(request))
    user = find_user(users_of(request), found[0]) if found else None
    if user is not None and found is not None:
        request["user"], request["csrf"] = user, found[1]
    return user


def login_redirect(request: web.Request) -> web.HTTPFound:
    """To the login page, which brings the user back here (a GET) afterwards."""
    if request.method != "GET":
        return web.HTTPFound("/login")
    return web.HTTPFound("/login?" + urlencode({"next": request.path_qs}))


def requires(role: str) -> Callable[[Handler], Handler]:
    """A page for `role` and above: anonymous visitors go to the login page, others get 403;
    a POST must carry the session's CSRF token."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            user = await identify(request)
            if user is None:
                raise login_redirect(request)
            if not allowed(user, role):
                raise web.HTTPForbidden(text="403: your role may not do this")
            if request.method == "POST":
                form = await request.post()
                if not csrf_ok(str(form.get("csrf", "")), request["csrf"]):
                    raise web.HTTPForbidden(text="403: missing or wrong CSRF token")
            return await handler(request)

        return guarded

    return wrap


def csrf_ok(sent: str, expected: str | None) -> bool:
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), str(expected).encode())


def api_user(request: web.Request) -> WebUser | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # every user is compared, so the time taken says nothing about which token was close
    matches = [u for u in users_of(request) if token_matches(token.strip(), u.token_hash)]
    return matches[0] if matches else None


def api_requires(role: str) -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            user = api_user(request)
            if user is None:
                raise web.HTTPUnauthorized(
                    text='{"error": "a valid Authorization: Bearer token is required"}',
                    content_type="application/json",
                    headers={"WWW-Authenticate": 'Bearer realm="watcher"'})
            if not allowed(user, role):
                raise web.HTTPForbidden(text='{"error": "your role may not read this"}',
                                        content_type="application/json")
            request["user"] = user
            return await handler(request)

        return guarded

    return wrap

