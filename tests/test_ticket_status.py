"""A ticket's status and the actions that move it, in one table (watcher/records.py), read by
the actions, the command line's choices, the console and the store's queries."""

from __future__ import annotations

import json

import pytest

from watcher.cli import build_parser
from watcher.records import (
    AWAITING_RESPONSE,
    DONE,
    TRANSITIONS,
    UNRESOLVED,
    TicketStatus,
    actions_from,
)
from watcher.web.console.data import STATUS_CHOICES


def test_the_statuses_are_the_stored_words() -> None:
    assert [s.value for s in TicketStatus] == ["open", "acknowledged", "resolved", "closed",
                                              "reopened"]
    assert json.dumps([TicketStatus.REOPENED]) == '["reopened"]'
    assert f"{TicketStatus.OPEN}" == "open" and TicketStatus("closed") is TicketStatus.CLOSED


def test_the_groups_cover_every_status_once() -> None:
    assert set(UNRESOLVED) | set(DONE) == set(TicketStatus)
    assert not set(UNRESOLVED) & set(DONE)
    assert set(AWAITING_RESPONSE) < set(UNRESOLVED)
    assert sorted(STATUS_CHOICES) == sorted(TicketStatus)


@pytest.mark.parametrize(("status", "actions"), [
    ("open", ["ack", "resolve", "close", "note", "assign"]),
    ("reopened", ["ack", "resolve", "close", "note", "assign"]),
    ("acknowledged", ["resolve", "close", "note", "assign"]),
    ("resolved", ["close", "reopen", "note"]),
    ("closed", ["reopen"]),
])
def test_what_each_status_allows(status: str, actions: list[str]) -> None:
    assert actions_from(status) == actions


def test_every_status_an_action_leads_to_can_be_left_again() -> None:
    targets = {t.leads_to for t in TRANSITIONS.values() if t.leads_to is not None}
    assert targets == set(TicketStatus) - {TicketStatus.OPEN}
    assert all(actions_from(status) for status in TicketStatus)


def test_the_command_line_offers_every_status_and_action(capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    parser = build_parser()
    args = parser.parse_args(["tickets", "list", "--status", "reopened"])
    assert args.status == TicketStatus.REOPENED
    with pytest.raises(SystemExit):
        parser.parse_args(["tickets", "list", "--status", "pending"])
    assert ("choose from 'open', 'acknowledged', 'resolved', 'closed', 'reopened'"
            in capsys.readouterr().err)
    for action in TRANSITIONS:
        assert parser.parse_args(["tickets", action, "1", *(["x"] if action in ("note", "assign")
                                                           else [])]).action == action
