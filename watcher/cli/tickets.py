"""`watcher tickets ...`: list and show tickets."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime, tzinfo
from typing import Any

from watcher.cli.common import load_config, open_store, print_table, printable
from watcher.errors import TicketActionError
from watcher.records import Ticket, TicketStatus
from watcher.text import excerpt
from watcher.tickets.view import ticket_json

STATUSES = tuple(status.value for status in TicketStatus)  # as written: choices show them


def add_commands(commands: Any) -> None:
    tickets = commands.add_parser("tickets", help="list, show and act on tickets")
    tickets.set_defaults(handler=run_ticket_command)
    actions = tickets.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list tickets, earliest deadline first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    listing.add_argument("--assignee", metavar="NAME")
    listing.add_argument("--overdue", action="store_true", help="past deadline, not acknowledged")
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="one ticket with its history")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    for name, text in (("ack", "acknowledge: the first response, meets the SLA"),
                       ("resolve", "mark resolved"), ("close", "close"), ("reopen", "reopen")):
        action = actions.add_parser(name, help=text)
        action.add_argument("id", type=int)
        action.add_argument("--note", help="a note recorded with the change")
        action.add_argument("--by", help="who did it (default: $USER)")
    note = actions.add_parser("note", help="add a progress note")
    note.add_argument("id", type=int)
    note.add_argument("note", metavar="TEXT")
    note.add_argument("--by", help="who wrote it (default: $USER)")
    assign = actions.add_parser("assign", help="assign to a staff member, who is alerted")
    assign.add_argument("id", type=int)
    assign.add_argument("name", metavar="NAME")
    assign.add_argument("--by", help="who assigned it (default: $USER)")


def run_ticket_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    store = open_store(config)
    try:
        if args.action in ("list", "show"):
            return _read(store, config, args)
        return _act(store, config, args)
    finally:
        store.close()


def _read(store: Any, config: Any, args: argparse.Namespace) -> int:
    from watcher.store import tickets as ticket_store  # lazy: see the package docstring

    with store.engine.connect() as conn:
        if args.action == "list":
            rows = ticket_store.list_tickets(
                conn, status=args.status, level=args.level, assignee=args.assignee,
                overdue_at=datetime.now(UTC) if args.overdue else None)
            _print_list(rows, config.tz, as_json=args.json)
            return 0
        row = ticket_store.get(conn, args.id)
        if row is None:
            print(f"no ticket #{args.id}", file=sys.stderr)
            return 1
        history = ticket_store.events(conn, args.id)
        linked = ticket_store.linked_mentions(conn, args.id)
    _print_ticket(row, history, linked, config.tz, as_json=args.json)
    return 0


def _act(store: Any, config: Any, args: argparse.Namespace) -> int:
    from watcher.runtime.dispatch import dispatch_for  # lazy: see the package docstring
    from watcher.tickets.actions import apply

    actor = args.by or os.environ.get("USER") or "operator"
    try:
        after = apply(store, config, args.id, args.action, actor=actor, now=datetime.now(UTC),
                      note=getattr(args, "note", None), assignee=getattr(args, "name", None))
    except TicketActionError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"ticket #{after.id}: {after.status}, level {after.level}, "
          f"assignee {after.assignee or '-'}")
    if args.action in ("assign", "reopen"):  # they alert the assignee; try that before exiting
        asyncio.run(dispatch_for(config, store, ignore_backoff=True, time_limit=30))
    return 0


def _print_list(rows: list[Ticket], tz: tzinfo, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps([ticket_json(r, tz) for r in rows], ensure_ascii=False, indent=2))
        return
    columns = ("id", "level", "status", "category", "deadline", "source", "author", "text")
    print_table(columns, [
        [r.id, r.level, r.status, r.category,
         r.deadline.astimezone(tz).strftime("%m-%d %H:%M"), r.source, r.author or "-",
         excerpt(r.text, 40)]
        for r in rows
    ])


def _print_ticket(row: Ticket, history: list[dict[str, Any]],
                  linked: list[dict[str, Any]], tz: tzinfo, *, as_json: bool) -> None:
    data = ticket_json(row, tz)
    data["history"] = [
        {"at": e["at"].astimezone(tz).isoformat(), "actor": e["actor"], "action": e["action"],
         "note": e["note"], "data": e["data"]}
        for e in history
    ]
    data["linked"] = [
        {"kind": m["kind"], "source": m["source"], "url": m["url"], "author": m["author"],
         "text": m["text"], "at": m["linked_at"].astimezone(tz).isoformat()}
        for m in linked
    ]
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    mention = data["mention"]
    _say(f"ticket #{data['id']}  level {data['level']}  {data['status']}  "
         f"{data['category']} ({data['department']})")
    _say(f"deadline  {data['deadline']}")
    if data["incident"]:
        _say(f"incident  #{data['incident']}")
    _say(f"assignee  {data['assignee'] or '-'}")
    _say(f"source    {mention['source']} ({mention['platform']})  {mention['url'] or ''}")
    _say(f"author    {mention['author'] or '-'}  at {mention['created_at']}")
    _say(f"text      {mention['text']}")
    _say("reasons   " + "; ".join(data["reasons"]))
    for link in data["linked"]:
        who = link["author"] or "-"
        _say(f"{link['kind']:<9} {link['at']}  {who}: {excerpt(link['text'], 60)}")
    _say("history:")
    for event in data["history"]:
        note = f"  {event['note']}" if event["note"] else ""
        _say(f"  {event['at']}  {event['actor']}  {event['action']}{note}")


def _say(line: str) -> None:
    print(printable(line, lines=True))
