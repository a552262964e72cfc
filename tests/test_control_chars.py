"""Control characters from a platform (#17 item 5): escape sequences in mention text, authors
and titles (clear-screen, window title, hyperlinks, bell) are stripped at intake, never reach
the terminal through `tickets list`, `tickets show` and `try-source`, nor a chat receiver.
End to end: a real platform server, `watcher` as a subprocess, a real receiver."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alerts.render import TicketAlert, render_ticket
from tests.helpers import legacy_reasons
from tests.servers import PlatformServer, Receiver, Route
from tests.test_e2e import sweep, tickets, watcher

FIXTURE = Path(__file__).parent / "fixtures" / "hostile" / "controls.json"
# C0 and C1 controls and DEL, but newline and tab
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def config_for(tmp_path: Path, server: PlatformServer, receiver: Receiver) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[watcher]
database = "sqlite:///{tmp_path / 'w.db'}"
[monitor]
max_age = "3650d"
[http]
retries = 0
timeout = "5s"
[alerts]
on_duty = ["{receiver.json_url()}"]
[[sources]]
name = "shop-api"
kind = "json"
url = "{server.url}/api/reviews"
items = "data.list"
fields = {{ id = "rid", text = "body", author = "nick", title = "title", time = "ts" }}
platform = "shop"
""", encoding="utf-8")
    return path


def test_controls_are_stripped_at_intake_and_never_printed_or_sent(tmp_path: Path) -> None:
    server = PlatformServer({"/api/reviews": Route(FIXTURE.read_bytes(), "application/json")})
    server.start()
    receiver = Receiver().start()
    config = config_for(tmp_path, server, receiver)
    try:
        tried = watcher(config, "try-source", "shop-api").stdout
        sweep(config)
        (ticket,) = tickets(config)
        shown = json.loads(watcher(config, "tickets", "show", str(ticket["id"]), "--json").stdout)
        sent = receiver.to("alerts")
    finally:
        server.stop()
        receiver.stop()
    assert not CONTROLS.search(tried), tried
    mention = shown["mention"]
    for field in ("text", "author"):
        assert not CONTROLS.search(mention[field]), (field, mention[field])
    assert "缩进" in mention["text"] and "要求退款赔偿" in mention["text"]
    assert mention["author"] == "顾客[31m戊[0m"  # what is left of the sequences is inert text
    assert sent and not any(CONTROLS.search(json.dumps(m, ensure_ascii=False)
                                            .replace("\\n", "")) for m in sent), sent


def test_tickets_list_and_show_print_stored_controls_safely(tmp_path: Path) -> None:
    """Rows stored before intake stripped them are printed with the controls made visible."""
    server = PlatformServer({"/api/reviews": Route(FIXTURE.read_bytes(), "application/json")})
    server.start()
    receiver = Receiver().start()
    config = config_for(tmp_path, server, receiver)
    try:
        sweep(config)
    finally:
        server.stop()
        receiver.stop()
    with sqlite3.connect(tmp_path / "w.db") as db:
        db.execute("UPDATE mentions SET text = ?, author = ?, title = ?",
                   ("漏电\x1b]0;owned\x07\x1b[2J赔偿\x9b31m", "坏人\x1b[31m\x07", "标题\x1b[5m"))
    (ticket,) = tickets(config)
    listed = watcher(config, "tickets", "list").stdout
    shown = watcher(config, "tickets", "show", str(ticket["id"])).stdout
    for output in (listed, shown):
        assert not CONTROLS.search(output.replace("\n", "")), output
    assert "坏人" in listed and "漏电" in shown


def test_chat_alerts_carry_no_controls() -> None:
    alert = TicketAlert(ticket_id=1, level=1, category="quality", department="qa",
                        platform="shop\x1b[2J", source="s\x07", author="坏人\x1b]0;x\x07",
                        text="漏电\x1b[31m赔偿\x9b1m\x07", url="https://shop.test/1\x1b",
                        deadline=datetime(2026, 11, 22, tzinfo=UTC),
                        reasons=legacy_reasons("r\x07"))
    title, body = render_ticket(alert, UTC)
    assert not CONTROLS.search(title + body.replace("\n", "")), (title, body)


def test_strip_controls_keeps_newlines_and_tabs_where_asked() -> None:
    from watcher.text import strip_controls

    assert strip_controls("a\x1b[2Jb\x07\r\nc\td\x9b\x7f") == "a[2Jb\nc\td"
    assert strip_controls("a\x1b[2Jb\x07\r\nc\td", keep_lines=False) == "a[2Jb c d"
