"""A ticket's status and the actions that move it, in one table (watcher/records.py), read by
the actions, the command line's choices, the console and the store's queries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.console_harness import add_ticket
from watcher.cli import build_parser
from watcher.reasons import ReasonCode, reason
from watcher.records import (
    AWAITING_RESPONSE,
    DONE,
    TICKET_FIELDS,
    TRANSITIONS,
    UNRESOLVED,
    Ticket,
    TicketStatus,
    actions_from,
)
from watcher.store import tickets as ticket_store
from watcher.store.db import Store
from watcher.web.console.data import STATUS_CHOICES


def test_the_statuses_are_the_stored_words() -> None:
    assert [s.value for s in TicketStatus] == ["open", "acknowledged", "resolved", "closed",
                                              "reopened", "false_positive"]
    assert json.dumps([TicketStatus.REOPENED]) == '["reopened"]'
    assert f"{TicketStatus.OPEN}" == "open" and TicketStatus("closed") is TicketStatus.CLOSED


def test_the_groups_cover_every_status_once() -> None:
    # false_positive: closed by a correction (not a complaint), neither resolved nor reopened
    # by a repeat
    assert set(UNRESOLVED) | set(DONE) | {TicketStatus.FALSE_POSITIVE} == set(TicketStatus)
    assert not set(UNRESOLVED) & set(DONE)
    assert TicketStatus.FALSE_POSITIVE not in (*UNRESOLVED, *DONE)
    assert set(AWAITING_RESPONSE) < set(UNRESOLVED)
    assert sorted(STATUS_CHOICES) == sorted(TicketStatus)


@pytest.mark.parametrize(("status", "actions"), [
    ("open", ["ack", "resolve", "close", "note", "assign", "correct"]),
    ("reopened", ["ack", "resolve", "close", "note", "assign", "correct"]),
    ("acknowledged", ["resolve", "close", "note", "assign", "correct"]),
    ("resolved", ["close", "reopen", "note", "followup", "correct"]),
    ("closed", ["reopen", "followup", "correct"]),
    ("false_positive", ["reopen"]),
])
def test_what_each_status_allows(status: str, actions: list[str]) -> None:
    assert actions_from(status) == actions


def test_every_status_an_action_leads_to_can_be_left_again() -> None:
    targets = {t.leads_to for t in TRANSITIONS.values() if t.leads_to is not None}
    targets.add(TicketStatus.FALSE_POSITIVE)  # where a correction "not a complaint" leads
    assert targets == set(TicketStatus) - {TicketStatus.OPEN}
    assert all(actions_from(status) for status in TicketStatus)


def test_the_command_line_offers_every_status_and_action(capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    parser = build_parser()
    args = parser.parse_args(["tickets", "list", "--status", "reopened"])
    assert args.status == TicketStatus.REOPENED
    with pytest.raises(SystemExit):
        parser.parse_args(["tickets", "list", "--status", "pending"])
    assert ("choose from 'open', 'acknowledged', 'resolved', 'closed', 'reopened', "
            "'false_positive'" in capsys.readouterr().err)
    extra = {"note": ["x"], "assign": ["x"], "followup": ["--score", "5"],
             "correct": ["--not-complaint"]}
    for action in TRANSITIONS:
        assert parser.parse_args(["tickets", action, "1", *extra.get(action, [])]
                                 ).action == action


def test_the_store_hands_out_typed_ticket_records(store: Store) -> None:
    ticket_id = add_ticket(store, reasons=("level 1: risk rule",))
    with store.engine.connect() as conn:
        ticket = ticket_store.get(conn, ticket_id)
        listed = ticket_store.list_tickets(conn)
        overdue = ticket_store.overdue(conn, datetime.now(UTC) + timedelta(days=1))
    assert isinstance(ticket, Ticket) and listed == [ticket] and overdue == [ticket]
    assert ticket.status is TicketStatus.OPEN and ticket.risks == ("safety",)
    assert ticket.reasons == (reason(ReasonCode.LEVEL_RISK, level=1),)
    assert ticket.text == "热水器漏电，太危险了" and ticket.mention_created_at.tzinfo is not None


def test_a_record_takes_the_columns_it_names() -> None:
    row = {name: None for name in TICKET_FIELDS} | {"status": "closed", "risks": ["money"],
                                                    "reasons": [], "a_later_column": 1}
    ticket = Ticket.from_row(row)
    assert ticket.status is TicketStatus.CLOSED and ticket.risks == ("money",)
    with pytest.raises(KeyError):
        Ticket.from_row({"status": "open"})
