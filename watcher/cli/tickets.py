"""`watcher tickets ...`: list and show tickets, act on them, record their follow-up."""

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
from watcher.records import Ticket, TicketStatus, parse_ticket_id
from watcher.scoring import CATEGORIES  # cheap: the names, not the model (its docstring)
from watcher.text import excerpt
from watcher.tickets.followup import SCORES
from watcher.tickets.followup import STATES as FOLLOWUP_STATES
from watcher.tickets.view import ticket_json

STATUSES = tuple(status.value for status in TicketStatus)  # as written: choices show them
CORRECT_CATEGORIES = tuple(CATEGORIES)  # what a correction may name


def add_commands(commands: Any) -> None:
    tickets = commands.add_parser("tickets", help="list, show and act on tickets")
    tickets.set_defaults(handler=run_ticket_command)
    actions = tickets.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list tickets, earliest deadline first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    listing.add_argument("--assignee", metavar="NAME")
    listing.add_argument("--overdue", action="store_true", help="past deadline, not acknowledged")
    listing.add_argument("--followup", choices=FOLLOWUP_STATES, metavar="STATE",
                         help="only tickets whose follow-up is in this state: "
                              + ", ".join(FOLLOWUP_STATES))
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="one ticket with its history")
    show.add_argument("id", type=_ticket_id)
    show.add_argument("--json", action="store_true")
    for name, text in (("ack", "acknowledge: the first response, meets the SLA"),
                       ("resolve", "mark resolved"), ("close", "close"), ("reopen", "reopen")):
        action = actions.add_parser(name, help=text)
        action.add_argument("id", type=_ticket_id)
        action.add_argument("--note", help="a note recorded with the change")
        action.add_argument("--by", help="who did it (default: $USER)")
    note = actions.add_parser("note", help="add a progress note")
    note.add_argument("id", type=_ticket_id)
    note.add_argument("note", metavar="TEXT")
    note.add_argument("--by", help="who wrote it (default: $USER)")
    assign = actions.add_parser("assign", help="assign to a staff member, who is alerted")
    assign.add_argument("id", type=_ticket_id)
    assign.add_argument("name", metavar="NAME")
    assign.add_argument("--by", help="who assigned it (default: $USER)")
    followup = actions.add_parser("followup", help="record the follow-up call's satisfaction "
                                  "score: a high one closes the ticket, a low one sends it back "
                                  "to a supervisor")
    followup.add_argument("id", type=_ticket_id)
    followup.add_argument("--score", type=int, choices=SCORES, required=True,
                          help="1 (very dissatisfied) to 5 (very satisfied)")
    followup.add_argument("--note", help="what the customer said")
    followup.add_argument("--by", help="who called (default: $USER)")
    correct = actions.add_parser("correct", help="correct what the scorer said: not a "
                                 "complaint (closes the ticket as false_positive), another "
                                 "category or level; kept for `watcher retrain`")
    correct.add_argument("id", type=int)
    correct.add_argument("--not-complaint", action="store_true",
                         help="not a complaint: closed as false_positive")
    correct.add_argument("--category", choices=CORRECT_CATEGORIES, metavar="C",
                         help="the right category: " + ", ".join(CORRECT_CATEGORIES))
    correct.add_argument("--level", type=int, choices=(1, 2, 3, 4), metavar="N",
                         help="the right level, 1 to 4")
    correct.add_argument("--by", help="who corrected it (default: $USER)")


def _ticket_id(raw: str) -> int:
    """An id the store can hold (too large a number is a usage error, like `abc`)."""
    found = parse_ticket_id(raw)
    if found is None:
        raise argparse.ArgumentTypeError(f"not a ticket id: {raw!r}")
    return found


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
    from watcher.store import followups  # lazy: see the package docstring
    from watcher.store import tickets as ticket_store

    now = datetime.now(UTC)

    def view(row: Ticket, current: dict[int, dict[str, Any]]) -> dict[str, Any]:
        return ticket_json(row, config.tz, current_followup=current.get(row.id), now=now,
                           low_score=config.followup.low_score)

    with store.engine.connect() as conn:
        if args.action == "list":
            rows = ticket_store.list_tickets(
                conn, status=args.status, level=args.level, assignee=args.assignee,
                overdue_at=now if args.overdue else None)
            current = followups.current_for(conn, [r.id for r in rows])
            views = [view(r, current) for r in rows]
            _print_list([v for v in views
                         if not args.followup or v["followup"]["state"] == args.followup],
                        as_json=args.json)
            return 0
        row = ticket_store.get(conn, args.id)
        if row is None:
            print(f"no ticket #{args.id}", file=sys.stderr)
            return 1
        history = ticket_store.events(conn, args.id)
        linked = ticket_store.linked_mentions(conn, args.id)
        shown = view(row, followups.current_for(conn, [args.id]))
    _print_ticket(shown, history, linked, config.tz, as_json=args.json)
    return 0


def _act(store: Any, config: Any, args: argparse.Namespace) -> int:
    from watcher.runtime.dispatch import dispatch_for  # lazy: see the package docstring
    from watcher.tickets.actions import apply

    actor = args.by or os.environ.get("USER") or "operator"
    if args.action == "correct":
        return _correct(store, config, args, actor)
    try:
        after = apply(store, config, args.id, args.action, actor=actor, now=datetime.now(UTC),
                      note=getattr(args, "note", None), assignee=getattr(args, "name", None),
                      score=getattr(args, "score", None))
    except TicketActionError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"ticket #{after.id}: {after.status}, level {after.level}, "
          f"assignee {after.assignee or '-'}")
    if args.action in ("assign", "reopen", "followup"):  # they may alert; try that before exiting
        asyncio.run(dispatch_for(config, store, ignore_backoff=True, time_limit=30))
    return 0


def _correct(store: Any, config: Any, args: argparse.Namespace, actor: str) -> int:
    from watcher.tickets.corrections import Correction, correct  # lazy: the package docstring

    wanted = Correction(not_complaint=args.not_complaint, category=args.category,
                        level=args.level)
    try:
        after = correct(store, config, args.id, wanted, actor=actor, now=datetime.now(UTC))
    except TicketActionError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"ticket #{after.id}: {after.status}, level {after.level}, {after.category}; "
          "correction kept for `watcher retrain`")
    return 0


def _print_list(views: list[dict[str, Any]], *, as_json: bool) -> None:
    """`views`: tickets in their JSON shape (watcher.tickets.view)."""
    if as_json:
        print(json.dumps(views, ensure_ascii=False, indent=2))
        return
    if not views:
        print("no tickets")
        return
    columns = ("id", "level", "status", "category", "deadline", "followup", "source", "author",
               "text")
    print_table(columns, [
        [v["id"], v["level"], v["status"], v["category"], v["deadline"][5:16].replace("T", " "),
         followup_cell(v["followup"]), v["mention"]["source"], v["mention"]["author"] or "-",
         excerpt(v["mention"]["text"], 40)]
        for v in views
    ])


def followup_cell(followup: dict[str, Any]) -> str:
    """`pending 10-10 15:00`, `overdue 10-10 15:00`, `satisfied 5/5`, or `-` for none."""
    state = followup["state"]
    if state == "none":
        return "-"
    if followup["score"] is not None:
        return f"{state} {followup['score']}/5"
    return f"{state} {followup['due'][5:16].replace('T', ' ')}"


def _print_ticket(shown: dict[str, Any], history: list[dict[str, Any]],
                  linked: list[dict[str, Any]], tz: tzinfo, *, as_json: bool) -> None:
    data = dict(shown)
    data["history"] = [
        {"at": e["at"].astimezone(tz).isoformat(timespec="seconds"), "actor": e["actor"],
         "action": e["action"], "note": e["note"], "data": e["data"]}
        for e in history
    ]
    data["linked"] = [
        {"kind": m["kind"], "source": m["source"], "url": m["url"], "author": m["author"],
         "text": m["text"], "at": m["linked_at"].astimezone(tz).isoformat(timespec="seconds")}
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
    if data["followup"]["state"] != "none":
        _say(f"followup  {followup_cell(data['followup'])}")
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
