"""The ticket commands and `watcher sla` as a user runs them, on a store filled by a real sweep."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.servers import PlatformServer, Receiver
from tests.test_e2e import platform, sweep, tickets, watcher, write_config


def setup(tmp_path: Path) -> tuple[Path, PlatformServer, Receiver]:
    server, receiver = platform(), Receiver().start()
    extra = f'[alerts]\non_duty = ["{receiver.json_url("duty")}"]\n' \
            f'supervisor = ["{receiver.json_url("sup")}"]\n'
    config = write_config(tmp_path / "config.toml", server, receiver,
                          f"sqlite:///{tmp_path / 'w.db'}")
    text = config.read_text(encoding="utf-8")
    start = text.index("[alerts]")
    end = text.index("[[sources]]")
    config.write_text(text[:start] + extra + text[end:], encoding="utf-8")
    sweep(config)
    return config, server, receiver


def test_lifecycle_commands(tmp_path: Path) -> None:
    config, server, receiver = setup(tmp_path)
    try:
        first = tickets(config)[0]["id"]
        done = watcher(config, "tickets", "ack", str(first), "--by", "小李", "--note", "已回电")
        assert f"ticket #{first}: acknowledged" in done.stdout
        assert "assignee 小李" in done.stdout  # nobody had it: it is now the acknowledger's
        watcher(config, "tickets", "note", str(first), "已安排上门", "--by", "小李")
        watcher(config, "tickets", "assign", str(first), "老王", "--by", "组长")
        refused = watcher(config, "tickets", "reopen", str(first), check=False)
        assert refused.returncode == 1 and "cannot reopen" in refused.stderr
        missing = watcher(config, "tickets", "ack", "9999", check=False)
        assert missing.returncode == 1 and "no ticket #9999" in missing.stderr
        shown: dict[str, Any] = json.loads(
            watcher(config, "tickets", "show", str(first), "--json").stdout)
        assert [(e["action"], e["actor"]) for e in shown["history"]] == [
            ("created", "watcher"), ("ack", "小李"), ("note", "小李"), ("assign", "组长")]
        assert shown["history"][1]["note"] == "已回电" and shown["assignee"] == "老王"
        assert [t["id"] for t in json.loads(watcher(
            config, "tickets", "list", "--assignee", "老王", "--json").stdout)] == [first]
        acknowledged = watcher(config, "tickets", "list", "--status", "acknowledged", "--json")
        assert [t["id"] for t in json.loads(acknowledged.stdout)] == [first]
        levels = {t["level"] for t in json.loads(
            watcher(config, "tickets", "list", "--level", "1", "--json").stdout)}
        assert levels <= {1}
        # what a person reads: times to the second, and an empty list says so
        text = watcher(config, "tickets", "show", str(first)).stdout
        assert re.search(r"^deadline  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", text, re.M), text
        assert not re.search(r"\d\d:\d\d:\d\d\.\d", text), text
        assert shown["deadline"][19:] == "+08:00" and shown["history"][0]["at"][19:] == "+08:00"
        assert watcher(config, "tickets", "list", "--assignee", "nobody").stdout == "no tickets\n"
    finally:
        server.stop()
        receiver.stop()


def test_sla_command_reminds_then_escalates_once(tmp_path: Path) -> None:
    config, server, receiver = setup(tmp_path)
    try:
        made = tickets(config)
        deadlines = sorted(datetime.fromisoformat(t["deadline"]) for t in made)
        overdue = json.loads(watcher(config, "tickets", "list", "--overdue", "--json").stdout)
        assert overdue == []
        soon = deadlines[0] + timedelta(minutes=1)
        first = json.loads(watcher(config, "sla", "--at", soon.isoformat(), "--json").stdout)
        due = sum(d < soon for d in deadlines)
        assert first["reminded"] == due >= 1 and first["escalated"] == 0
        assert first["alerts"]["sent"] == due
        again = json.loads(watcher(config, "sla", "--at", soon.isoformat(), "--json").stdout)
        assert again["reminded"] == 0
        much_later = (deadlines[-1] + timedelta(hours=1)).isoformat()
        last = json.loads(watcher(config, "sla", "--at", much_later, "--json").stdout)
        assert first["reminded"] + last["reminded"] == len(made)
        assert last["escalated"] == len(made)
        escalations = [a for a in receiver.to("sup") if "升级" in a["title"]]
        assert len(escalations) == len(made)
        bad = watcher(config, "sla", "--at", "yesterday", check=False)
        assert bad.returncode == 2 and "--at: not an ISO 8601 time" in bad.stderr
        level_three = next(t for t in made if t["level"] == 3)  # no progress reminders
        history = json.loads(watcher(config, "tickets", "show", str(level_three["id"]),
                                     "--json").stdout)["history"]
        assert [e["action"] for e in history] == ["created", "reminded", "escalated"]
    finally:
        server.stop()
        receiver.stop()


def test_followup_command(tmp_path: Path) -> None:
    config, server, receiver = setup(tmp_path)
    try:
        first, second = (t["id"] for t in tickets(config)[:2])
        assert tickets(config)[0]["followup"]["state"] == "none"
        for ticket in (first, second):
            watcher(config, "tickets", "resolve", str(ticket), "--by", "小李", "--note", "已退款")
        pending = json.loads(watcher(config, "tickets", "list", "--followup", "pending",
                                     "--json").stdout)
        assert {t["id"] for t in pending} == {first, second}
        assert all(t["followup"]["due"] and t["followup"]["score"] is None for t in pending)
        table = watcher(config, "tickets", "list", "--status", "resolved").stdout
        assert table.splitlines()[0].split()[5] == "followup" and "pending " in table

        back = watcher(config, "tickets", "followup", str(first), "--score", "2", "--note",
                       "还是没收到退款", "--by", "小李")
        assert f"ticket #{first}: reopened, level " in back.stdout
        assert int(back.stdout.split("level ")[1][0]) <= 2
        assert [a for a in receiver.to("sup") if "回访不满意" in a["title"]]  # told at once
        closed = watcher(config, "tickets", "followup", str(second), "--score", "5")
        assert f"ticket #{second}: closed" in closed.stdout
        shown = json.loads(watcher(config, "tickets", "show", str(first), "--json").stdout)
        assert (shown["followup"]["state"], shown["followup"]["score"]) == ("unsatisfied", 2)
        assert shown["history"][-1]["action"] == "followup"
        assert "unsatisfied 2/5" in watcher(config, "tickets", "list").stdout
        assert "followup  satisfied 5/5" in watcher(config, "tickets", "show", str(second)).stdout

        again = watcher(config, "tickets", "followup", str(first), "--score", "4", check=False)
        assert again.returncode == 1 and "a follow-up comes after resolving" in again.stderr
        bad = watcher(config, "tickets", "followup", str(second), "--score", "9", check=False)
        assert bad.returncode == 2 and "invalid choice" in bad.stderr
    finally:
        server.stop()
        receiver.stop()
