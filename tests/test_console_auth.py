"""Staff console access: password and token hashes, the users' config, `watcher user add`,
sessions shared by replicas, CSRF, the login rate limit and the roles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors import connector_for
from tests.console_harness import (
    NAMES,
    PASSWORD,
    TOKENS,
    ConsoleServer,
    add_ticket,
    console_config,
    csrf_of,
    login,
    users,
)
from watcher.config import ConfigError, parse
from watcher.passwords import (
    hash_password,
    hash_token,
    password_hash_problem,
    token_hash_problem,
    token_matches,
    verify_password,
)
from watcher.store import tickets as ticket_store
from watcher.store.db import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def server(store: Store) -> Iterator[ConsoleServer]:
    running = ConsoleServer(store, console_config())
    yield running
    running.stop()


def test_passwords_hash_with_scrypt_and_verify() -> None:
    stored = hash_password("s3cret-pass")
    assert stored.startswith("scrypt$16384$8$1$") and password_hash_problem(stored) is None
    assert verify_password("s3cret-pass", stored)
    assert not verify_password("s3cret-pasS", stored)
    assert not verify_password("s3cret-pass", None)  # an unknown user: checked, never true
    assert hash_password("s3cret-pass") != stored  # salted
    assert password_hash_problem("plain") and password_hash_problem("scrypt$3$8$1$AA==$AA==")


def test_tokens_are_kept_as_sha256() -> None:
    stored = hash_token("wt_abc")
    assert token_hash_problem(stored) is None and token_hash_problem("sha256$xyz")
    assert token_matches("wt_abc", stored) and not token_matches("wt_abd", stored)
    assert not token_matches("wt_abc", None)


def test_users_in_config_are_checked() -> None:
    config = console_config()
    assert [(u.name, u.role) for u in config.web.users] == [
        ("小李", "staff"), ("访客", "viewer"), ("管理员", "admin")]
    assert config.web.language == "zh_CN" and config.web.session_lifetime == timedelta(hours=12)
    bad = users()
    bad[1] |= {"role": "boss"}
    with pytest.raises(ConfigError, match=r"web.users\[1\].role: must be one of 'staff', "
                                          r"'viewer', 'admin'"):
        parse({"web": {"users": bad}}, None, connector_for)
    bad = users()
    bad[1] |= {"name": "小李", "password_hash": "md5$x"}
    bad[2] |= {"token_hash": bad[0]["token_hash"]}
    with pytest.raises(ConfigError) as caught:
        parse({"web": {"users": bad, "session_lifetime": "10s"}}, None, connector_for)
    text = "\n".join(caught.value.problems)
    assert "web.users[1].name: duplicate user name (also users[0])" in text
    assert "web.users[1].password_hash: not a password hash" in text
    assert "web.users[2].token_hash: the same token as users[0]" in text
    assert "web.session_lifetime: must be at least 1m" in text
    with pytest.raises(ConfigError, match=r"web.users\[0\].password_hash: missing required key"):
        parse({"web": {"users": [{"name": "x", "role": "staff"}]}}, None, connector_for)


def _user_add(*args: str, password: str = "long enough\n") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watcher", "user", "add", *args],
                          input=password, capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env=os.environ | {"WATCHER_LOG_FORMAT": "json"})


def test_user_add_prints_an_entry_that_config_accepts() -> None:
    done = _user_add("王\"五", "--role", "admin")
    assert done.returncode == 0, done.stderr
    entry = tomllib.loads(done.stdout)["web"]["users"][0]
    assert entry["name"] == "王\"五" and entry["role"] == "admin"
    assert verify_password("long enough", entry["password_hash"])
    token = done.stderr.strip().splitlines()[-1]
    assert token.startswith("wt_") and token_matches(token, entry["token_hash"])
    assert token not in done.stdout
    assert parse({"web": {"users": [entry]}}, None, connector_for).web.users[0].name == "王\"五"
    plain = _user_add("viewer1", "--role", "viewer", "--no-token")
    assert "token_hash" not in plain.stdout and "wt_" not in plain.stderr
    short = _user_add("x", "--role", "staff", password="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    assert _user_add("x", "--role", "boss").returncode == 2


def test_anonymous_visitors_go_to_the_login_page(server: ConsoleServer) -> None:
    client = server.client()
    assert client.get("/").headers["location"] == "/tickets"
    for path in ("/tickets", "/tickets/1", "/dashboard", "/sources"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["location"].startswith("/login")
    location = client.get("/tickets/1?x=1").headers["location"]
    assert parse_qs(urlsplit(location).query) == {"next": ["/tickets/1?x=1"]}
    assert client.post("/tickets/1/ack", data={}).headers["location"] == "/login"
    assert client.get("/healthz").status_code == 200  # the container's probe needs no login
    assert client.get("/api/tickets").status_code == 401


def test_login_sets_a_safe_cookie_and_returns_to_the_page(store: Store,
                                                         server: ConsoleServer) -> None:
    ticket_id = add_ticket(store)
    client = server.client()
    page = client.get(f"/login?next=/tickets/{ticket_id}")
    answer = client.post("/login", data={"csrf": csrf_of(page.text), "name": "小李",
                                         "password": PASSWORD, "next": f"/tickets/{ticket_id}"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/tickets/{ticket_id}"
    cookie = next(v for k, v in answer.headers.multi_items()
                  if k == "set-cookie" and v.startswith("watcher_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get(f"/tickets/{ticket_id}").status_code == 200
    wrong = login(server.client(), "小李", "wrong password")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    unknown = login(server.client(), "nobody", PASSWORD)
    assert unknown.status_code == 401


def test_cookies_are_secure_behind_https(store: Store) -> None:
    server = ConsoleServer(store, console_config(public_url="https://watcher.example.com"))
    try:
        client = server.client()
        page = client.get("/login")
        assert "Secure" in page.headers["set-cookie"]
        token = csrf_of(page.text)  # a browser sends a Secure cookie over https only: by hand
        answer = client.post("/login", headers={"Cookie": f"watcher_login={token}"},
                             data={"csrf": token, "name": "小李", "password": PASSWORD})
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]
    finally:
        server.stop()


def test_next_never_leaves_the_site(server: ConsoleServer) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = server.client()
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"csrf": token, "name": "小李",
                                             "password": PASSWORD, "next": target})
        assert answer.headers["location"] == "/tickets"


def test_logout_ends_the_session_on_every_replica(store: Store, server: ConsoleServer) -> None:
    other = ConsoleServer(store, console_config())  # a second replica on the same store
    try:
        client = server.login("staff")
        session = client.cookies["watcher_session"]
        replica = other.client()
        replica.cookies.set("watcher_session", session)
        assert replica.get("/tickets").status_code == 200
        page = client.get("/tickets")
        assert client.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
        assert replica.get("/tickets").status_code == 302
        stale = server.client()
        stale.cookies.set("watcher_session", session)
        assert stale.get("/tickets").status_code == 302
    finally:
        other.stop()


def test_sessions_expire(server: ConsoleServer) -> None:
    client = server.login("staff")
    server.clock.advance(timedelta(hours=11, minutes=59))
    assert client.get("/tickets").status_code == 200
    server.clock.advance(timedelta(minutes=2))
    assert client.get("/tickets").status_code == 302


def test_forms_without_the_csrf_token_are_refused(store: Store, server: ConsoleServer) -> None:
    ticket_id = add_ticket(store)
    client = server.login("staff")
    for data in ({}, {"csrf": "forged"}):
        answer = client.post(f"/tickets/{ticket_id}/ack", data=data)
        assert answer.status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    with store.engine.connect() as conn:
        assert ticket_store.get(conn, ticket_id).status == "open"  # type: ignore[union-attr]
    fresh = server.client()  # the login form has a token of its own, in a cookie and a field
    assert fresh.post("/login", data={"name": "小李", "password": PASSWORD}).status_code == 403


def test_failed_logins_are_rate_limited_across_replicas(store: Store,
                                                        server: ConsoleServer) -> None:
    other = ConsoleServer(store, console_config(), clock=server.clock)
    try:
        for attempt in range(5):
            target = server if attempt % 2 else other
            assert login(target.client(), "小李", "wrong").status_code == 401
        refused = login(server.client(), "小李", PASSWORD)
        assert refused.status_code == 429 and "15" in refused.text
        assert login(other.client(), "小李", PASSWORD).status_code == 429
        assert login(server.client(), "管理员", PASSWORD).status_code == 303  # another name
        server.clock.advance(timedelta(minutes=16))
        assert login(server.client(), "小李", PASSWORD).status_code == 303
    finally:
        other.stop()


def test_one_address_is_limited_too(server: ConsoleServer) -> None:
    for i in range(20):
        assert login(server.client(), f"guess{i}", "wrong").status_code == 401
    assert login(server.client(), "小李", PASSWORD).status_code == 429


def test_roles(store: Store, server: ConsoleServer) -> None:
    ticket_id = add_ticket(store)
    viewer = server.login("viewer")
    page = viewer.get(f"/tickets/{ticket_id}")
    assert page.status_code == 200 and "/ack" not in page.text and "确认受理" not in page.text
    token = csrf_of(viewer.get("/tickets").text)  # the logout form's token is the session's
    refused = viewer.post(f"/tickets/{ticket_id}/ack", data={"csrf": token})
    assert refused.status_code == 403
    assert viewer.get("/sources").status_code == 403
    assert viewer.get("/dashboard").status_code == 200
    staff = server.login("staff")
    assert staff.get("/sources").status_code == 403 and "/sources" not in staff.get("/tickets").text
    page = staff.get(f"/tickets/{ticket_id}")
    done = staff.post(f"/tickets/{ticket_id}/ack", data={"csrf": csrf_of(page.text),
                                                         "note": "已联系用户"})
    assert done.status_code == 303
    with store.engine.connect() as conn:
        event = ticket_store.events(conn, ticket_id)[-1]
    assert (event["actor"], event["action"], event["note"]) == ("小李", "ack", "已联系用户")
    admin = server.login("admin")
    assert admin.get("/sources").status_code == 200 and "/sources" in admin.get("/tickets").text


def test_api_takes_bearer_tokens_and_roles(store: Store, server: ConsoleServer) -> None:
    add_ticket(store)
    client = server.client()
    assert client.get("/api/tickets").status_code == 401
    missing = client.get("/api/tickets", headers={"Authorization": "Bearer wt_nope"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    viewer = {"Authorization": f"Bearer {TOKENS['viewer']}"}
    assert len(client.get("/api/tickets", headers=viewer).json()["tickets"]) == 1
    assert client.get("/api/sources", headers=viewer).status_code == 403
    admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
    assert client.get("/api/sources", headers=admin).status_code == 200
    session = server.login("admin")  # a session cookie is not an API credential
    assert session.get("/api/tickets").status_code == 401
    assert client.post("/api/tickets", headers=admin).status_code == 405  # read-only
    assert NAMES["viewer"] not in client.get("/api/openapi.json").text


def test_a_user_removed_from_the_config_file_is_out_without_a_restart(
        store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`watcher user remove` edits the file; the running console reads the users again when the
    file changes: the removed user's session, password and token stop working, the others'
    keep working, and an edit that does not load keeps the users in force."""
    from watcher.cli.users import without_user
    from watcher.config import load
    from watcher.web.users import UsersFile

    path = tmp_path / "config.toml"
    blocks = "".join(
        "[[web.users]]\n" + "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
                                      for key, value in user.items()) + "\n"
        for user in users())
    path.write_text(blocks, encoding="utf-8")
    config = load(str(path), connector_for)
    users_file = UsersFile(path, config.web.users,
                           lambda: load(str(path), connector_for).web.users, every=0)
    server = ConsoleServer(store, config, users_file=users_file)
    try:
        staff, admin = server.login("staff"), server.login("admin")
        assert staff.get("/tickets").status_code == 200
        bearer = {"Authorization": f"Bearer {TOKENS['staff']}"}
        assert server.client().get("/api/tickets", headers=bearer).status_code == 200

        edited = without_user(path.read_text(encoding="utf-8"), NAMES["staff"])
        assert edited is not None
        path.write_text(edited, encoding="utf-8")
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
        assert staff.get("/tickets").status_code == 302  # the session is over
        assert login(server.client(), NAMES["staff"], PASSWORD).status_code == 401
        assert server.client().get("/api/tickets", headers=bearer).status_code == 401
        assert admin.get("/tickets").status_code == 200

        path.write_text(edited + "[[web.users]\nname = ", encoding="utf-8")  # half an edit
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 2_000_000_000))
        with caplog.at_level("WARNING", logger="watcher.web.users"):
            assert admin.get("/tickets").status_code == 200
        assert any("does not load, so the console keeps its 2 users" in r.getMessage()
                   for r in caplog.records)

        path.write_text(blocks, encoding="utf-8")  # added back: in again
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 3_000_000_000))
        assert login(server.client(), NAMES["staff"], PASSWORD).status_code == 303
    finally:
        server.stop()


def test_the_users_file_is_looked_at_only_every_few_seconds(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    reads: list[int] = []

    def read() -> tuple[()]:
        reads.append(1)
        return ()

    from watcher.web.users import UsersFile

    users_file = UsersFile(path, (), read, every=3600)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    assert users_file.current() == () and reads == []  # within the interval: not looked at
    users_file = UsersFile(path, (), read, every=0)
    assert users_file.current() == () and reads == []  # looked at, unchanged: not read
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 2_000_000_000))
    users_file.current()
    assert reads == [1]
