"""Staff console sessions and failed logins, shared by every replica through the store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, or_, select

from watcher.store.schema import login_failures, web_sessions


def create(conn: Connection, *, id_hash: str, user_name: str, csrf: str, now: datetime,
           expires_at: datetime) -> None:
    conn.execute(insert(web_sessions).values(id_hash=id_hash, user_name=user_name, csrf=csrf,
                                             created_at=now, expires_at=expires_at))


def find(conn: Connection, id_hash: str, now: datetime) -> tuple[str, str] | None:
    """(user name, CSRF token) of a live session, or None."""
    row = conn.execute(select(web_sessions.c.user_name, web_sessions.c.csrf)
                       .where(web_sessions.c.id_hash == id_hash,
                              web_sessions.c.expires_at > now)).first()
    return (row[0], row[1]) if row else None


def end(conn: Connection, id_hash: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == id_hash))


def forget_expired(conn: Connection, now: datetime) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))


def record_failure(conn: Connection, *, user_name: str, address: str, now: datetime) -> int:
    """Counts a login attempt as failed (until it succeeds); returns its row's id."""
    return int(conn.execute(insert(login_failures).values(at=now, user_name=user_name,
                                                          address=address)
                            .returning(login_failures.c.id)).scalar_one())


def failures_since(conn: Connection, since: datetime, *, user_name: str,
                   address: str) -> tuple[int, int]:
    """Failed logins since `since`: (for this user name, from this address)."""
    recent = login_failures.c.at >= since
    by_name = select(func.count()).where(recent, login_failures.c.user_name == user_name)
    by_address = select(func.count()).where(recent, login_failures.c.address == address)
    return int(conn.execute(by_name).scalar_one()), int(conn.execute(by_address).scalar_one())


def forget_failures(conn: Connection, *, before: datetime, user_name: str | None = None) -> None:
    """Drops failures older than `before`, and every one of `user_name` (after it logged in)."""
    condition = login_failures.c.at < before
    if user_name is not None:
        condition = or_(condition, login_failures.c.user_name == user_name)
    conn.execute(delete(login_failures).where(condition))
