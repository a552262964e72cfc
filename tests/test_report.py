"""The complaint report: a month of tickets made through the real pipeline gives figures that
match counts taken straight from the store (plain SQL, not the report's code); the HTML is one
self-contained file that Chromium shows with its charts; each period is sent once however many
replicas ask, with the file attached, to a real json:// receiver; the periods and their send
times."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import statistics
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, bindparam, text

from tests.flow import SHANGHAI, Flow
from tests.report_month import fill, local
from tests.servers import Receiver
from watcher.config.sections import ReportsSection
from watcher.reporting import figures, render
from watcher.reporting.period import due, month_of, parse_period, week_of
from watcher.reporting.sending import build, queue, send_due
from watcher.runtime.dispatch import dispatch_for
from watcher.store.db import Store
from watcher.store.reports import SlaOutcome
from watcher.store.schema import UtcDateTime
from watcher.units import MonthlyAt, WeeklyAt

OCTOBER = parse_period("2026-10")
GENERATED = local(11, 1, 9)
CHROMIUM = Path("/usr/bin/chromium")


def between(sql: str) -> Any:
    """A plain SQL statement over [:start, :end), its times bound as the store writes them."""
    return text(sql).bindparams(bindparam("start", type_=UtcDateTime),
                                bindparam("end", type_=UtcDateTime))


def store_counts(store: Store) -> dict[str, Any]:
    """What the report should say, counted with plain SQL."""
    start, end = OCTOBER.bounds(SHANGHAI)
    before = OCTOBER.previous().bounds(SHANGHAI)
    where = ("complaint AND duplicate_of IS NULL AND created_at >= :start "
             "AND created_at < :end")
    with store.engine.connect() as conn:
        def rows(sql: str, span: tuple[datetime, datetime] = (start, end)) -> list[Any]:
            return list(conn.execute(between(sql), {"start": span[0], "end": span[1]}))

        found = {
            "categories": dict(rows(f"SELECT category, COUNT(*) FROM mentions WHERE {where} "
                                    "GROUP BY category")),
            "previous": dict(rows(f"SELECT category, COUNT(*) FROM mentions WHERE {where} "
                                  "GROUP BY category", before)),
            "platforms": dict(rows(f"SELECT platform, COUNT(*) FROM mentions WHERE {where} "
                                   "GROUP BY platform")),
            "authors": {(p, a): n for p, a, n in rows(
                f"SELECT platform, author, COUNT(*) FROM mentions WHERE {where} AND author IS "
                "NOT NULL GROUP BY platform, author HAVING COUNT(*) > 1")},
            "tickets": rows("SELECT level, deadline, acknowledged_at, resolved_at, closed_at "
                            "FROM tickets WHERE created_at >= :start AND created_at < :end"),
            "followups": rows("SELECT COUNT(*), COUNT(score), SUM(score) FROM followups "
                              "WHERE resolved_at >= :start AND resolved_at < :end")[0],
            "incidents": rows("SELECT COUNT(*) FROM incidents WHERE created_at >= :start "
                              "AND created_at < :end")[0][0],
            "engagement": rows(f"SELECT id, engagement FROM mentions WHERE {where}"),
        }
        handled = between(
            "SELECT t.id, t.created_at, MIN(e.at) AS handled FROM tickets t JOIN ticket_events e "
            "ON e.ticket_id = t.id AND e.action IN ('resolve', 'close') WHERE t.created_at >= "
            ":start AND t.created_at < :end GROUP BY t.id, t.created_at"
        ).columns(id=Integer, created_at=UtcDateTime, handled=UtcDateTime)
        found["handled"] = list(conn.execute(handled, {"start": start, "end": end}))
    return found


def response_outcomes(tickets: list[Any], now: datetime) -> dict[int, tuple[int, int, int]]:
    """(met, missed, pending) per level: the first of acknowledging, resolving or closing,
    against the deadline."""
    utc = [[value.replace(tzinfo=now.tzinfo) if isinstance(value, datetime) and value.tzinfo
            is None else value for value in row] for row in tickets]
    counted: dict[int, list[int]] = {level: [0, 0, 0] for level in (1, 2, 3, 4)}
    for level, deadline, *answers in utc:
        deadline = _time(deadline)
        first = min((_time(a) for a in answers if a is not None), default=None)
        slot = 2 if first is None and deadline >= now else (
            0 if first is not None and first <= deadline else 1)
        counted[level][slot] += 1
    return {level: (met, missed, pending) for level, (met, missed, pending) in counted.items()}


def _time(value: Any) -> datetime:
    """A time as a plain SQL query returns it: a string on SQLite, a naive UTC datetime."""
    from datetime import UTC

    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@pytest.fixture
def month(store: Store, receiver: Receiver) -> Flow:
    flow = Flow(store, receiver)
    fill(flow)
    return flow


def test_a_months_figures_match_the_store(month: Flow) -> None:
    report = build(month.store, month.config, OCTOBER, GENERATED)
    counts = store_counts(month.store)
    assert {s.name: s.count for s in report.categories} == counts["categories"]
    assert report.complaints == sum(counts["categories"].values()) > 60
    assert report.previous_complaints == sum(counts["previous"].values()) >= 25
    assert {s.name: s.previous for s in report.categories} == {
        name: counts["previous"].get(name, 0) for name in counts["categories"]}
    flagged = {n for n, c in counts["categories"].items() if c / report.complaints > 0.15}
    assert {s.name for s in report.flagged} == flagged and flagged  # something to review
    assert {s.name: s.count for s in report.platforms} == counts["platforms"]
    assert sum(s.share for s in report.platforms) == pytest.approx(1)
    assert {(c.platform, c.author): c.complaints for c in report.complainers} == counts["authors"]
    assert ("shop", "老顾客") in counts["authors"]

    assert report.tickets == len(counts["tickets"])
    outcomes = response_outcomes(counts["tickets"], GENERATED)
    assert {level: (o.met, o.missed, o.pending) for level, o in report.sla.items()} == outcomes
    assert any(o[0] for o in outcomes.values()) and any(o[1] for o in outcomes.values())
    spans = [_time(handled) - _time(made) for _, made, handled in counts["handled"]]
    assert report.handling[None] == statistics.median(spans)

    due_count, done, score_sum = counts["followups"]
    assert (report.followups_due, report.followups_done) == (due_count, done)
    assert 0 < done < due_count
    assert report.satisfaction == pytest.approx(score_sum / done)
    assert report.incident_count == counts["incidents"] >= 1

    parsed = {i: json.loads(e) if isinstance(e, str) else e for i, e in counts["engagement"]}
    engagement = {i: sum(e.values()) for i, e in parsed.items() if e}
    top = sorted(engagement.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [(e.complaint.mention_id, e.complaint.engagement) for e in report.engaged] == top


def test_the_report_is_one_self_contained_page(month: Flow, tmp_path: Path) -> None:
    report = build(month.store, month.config, OCTOBER, GENERATED)
    page = render.html(report, SHANGHAI, "https://console.example.com")
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert not re.search(r"""src=["']""", page)  # nothing is fetched: no CDN, no font
    assert page.count("<svg class=\"chart\"") == 5
    assert f"<b>{report.complaints}</b><span>投诉</span>" in page
    engaged = report.engaged[0].complaint
    assert f'href="https://console.example.com/tickets/{engaged.ticket_id}"' in page
    assert len(page) < 200_000  # bounded lists: a month of any size stays a small file
    title, body = render.summary(report, "https://console.example.com/reports/2026-10")
    assert title == "《投诉分析报告》2026年10月"
    assert f"投诉 {report.complaints} 条" in body and "需重点复盘" in body
    assert "https://console.example.com/reports/2026-10" in body

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path / render.file_name(report)
    path.write_text(page, encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.goto(path.as_uri())
        assert fetched == [path.as_uri()]  # the page asked for nothing else
        assert tab.locator("svg.chart").count() == 5
        assert tab.locator("svg.chart rect").count() > 50  # bars were drawn
        assert tab.inner_text("h1") == "《投诉分析报告》2026年10月"
        box = tab.locator("section.block").first.bounding_box()
        assert box is not None and box["height"] > 300  # styled: the inline sheet applied
        shot = tmp_path / "report-month.png"
        tab.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 50_000
    if os.environ.get("WATCHER_TEST_SCREENSHOTS"):
        target = Path(os.environ["WATCHER_TEST_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target / "report-month.png")


def test_each_period_is_sent_once_with_its_file(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver, reports={"to": [receiver.json_url("analyst")],
                                          "weekly": "mon 09:00"},
                web={"public_url": "https://console.example.com/"})
    fill(flow)
    flow.send(GENERATED)  # the month's ticket alerts, out of the way
    receiver.received.clear()
    before = local(11, 1, 8, 59)  # the latest due: September's, and the week of 10-19
    assert send_due(store, flow.config, before, by="replica-a") == ["2026-09", "2026-W43"]
    first = send_due(store, flow.config, GENERATED, by="replica-a")
    second = send_due(store, flow.config, GENERATED + timedelta(minutes=1), by="replica-b")
    assert first == ["2026-10"] and second == []  # once, whoever asks next
    assert send_due(store, flow.config, local(11, 2, 9), by="replica-b") == ["2026-W44"]
    with store.engine.connect() as conn:
        claims = list(conn.execute(text("SELECT period, by FROM sent_reports ORDER BY period")))
    assert [tuple(c) for c in claims] == [("2026-09", "replica-a"), ("2026-10", "replica-a"),
                                          ("2026-W43", "replica-a"), ("2026-W44", "replica-b")]
    report = asyncio.run(dispatch_for(flow.config, store, ignore_backoff=True,
                                      clock=lambda: GENERATED))
    assert report.sent == 4 and report.held == 0
    monthly = next(a for a in receiver.to("analyst") if "10月" in a["title"])
    assert monthly["title"] == "《投诉分析报告》2026年10月"
    assert "https://console.example.com/reports/2026-10" in monthly["message"]
    (attached,) = monthly["attachments"]
    assert attached["filename"] == "watcher-report-2026-10.html"
    html = base64.b64decode(attached["base64"]).decode()
    assert html.startswith("<!doctype html>") and "https://console.example.com/tickets/" in html
    # asked again by a person: sent again, the claim left as it was
    again = build(store, flow.config, OCTOBER, GENERATED + timedelta(days=1))
    assert queue(store, flow.config, again, by="组长", now=GENERATED + timedelta(days=1),
                 again=True)
    assert not queue(store, flow.config, again, by="组长", now=GENERATED + timedelta(days=1))


def test_nothing_is_built_without_recipients(store: Store, receiver: Receiver) -> None:
    flow = Flow(store, receiver)
    assert send_due(store, flow.config, GENERATED, by="replica-a") == []
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM sent_reports")).scalar_one() == 0


def test_an_empty_month_still_reads() -> None:
    empty = figures.Report(
        period=OCTOBER, generated_at=GENERATED, flag_share=0.15, complaints=0,
        previous_complaints=0, tickets=0, categories=[], platforms=[], daily={}, complainers=[],
        incidents=[], incident_count=0, sla={level: SlaOutcome() for level in (1, 2, 3, 4)},
        handling={None: None}, followups_due=0, followups_done=0,
        scores=dict.fromkeys((1, 2, 3, 4, 5), 0), engaged=[], partial=False)
    page = render.html(empty, SHANGHAI, None)
    assert "本期没有投诉" in page and "本期没有群体事件" in page
    assert "投诉 0 条" in render.summary(empty, None)[1]


def test_periods() -> None:
    assert parse_period("2026-10") == month_of(date(2026, 10, 17))
    assert parse_period("2026-W41") == week_of(date(2026, 10, 7))
    assert parse_period("2026-W41").first == date(2026, 10, 5)
    assert parse_period("2026-12").previous().key == "2026-11"
    assert parse_period("2026-01").previous().key == "2025-12"
    assert parse_period("2027-W01").previous().key == "2026-W53"
    assert parse_period("2026-W53").end == date(2027, 1, 4)
    assert len(parse_period("2026-02").days) == 28
    assert parse_period("2026-10").label == "2026年10月"
    for bad in ("2026-13", "2026-W54", "26-10", "1999-10", "2026-10-01", "W41"):
        with pytest.raises(ValueError, match="not a month or a week"):
            parse_period(bad)


def test_when_each_report_falls_due() -> None:
    monthly = ReportsSection(monthly=MonthlyAt(1, local(1, 1, 9).time()),
                             weekly=WeeklyAt(0, local(1, 1, 9).time()))
    at = {p.kind: (p.key, slot) for p, slot in due(monthly, SHANGHAI, local(11, 1, 8, 59))}
    assert at["month"] == ("2026-09", local(10, 1, 9))  # not yet the 1st at 09:00
    assert at["week"] == ("2026-W43", local(10, 26, 9))  # Monday 10-26: the week before it
    at = {p.kind: (p.key, slot) for p, slot in due(monthly, SHANGHAI, local(11, 2, 9))}
    assert at["month"] == ("2026-10", local(11, 1, 9))
    assert at["week"] == ("2026-W44", local(11, 2, 9))  # Monday 11-02 09:00: last week's
    assert due(ReportsSection(monthly=None), SHANGHAI, local(11, 2, 9)) == []


def test_report_keys_in_config() -> None:
    from connectors import connector_for
    from watcher.config import ConfigError, parse

    config = parse({"reports": {"monthly": "5 08:30", "weekly": "fri 17:00",
                                "flag_share": 0.2}}, None, connector_for)
    assert config.reports.monthly == MonthlyAt(5, local(1, 1, 8, 30).time())
    assert config.reports.weekly == WeeklyAt(4, local(1, 1, 17).time())
    assert parse({"reports": {"monthly": "off"}}, None, connector_for).reports.monthly is None
    for table, message in (({"monthly": "31 09:00"}, "reports.monthly: not a valid day"),
                           ({"weekly": "someday"}, "reports.weekly: not a valid weekday"),
                           ({"flag_share": 1.5}, "reports.flag_share: must be a share"),
                           ({"to": ["nonsense"]}, None)):
        if message is None:
            from watcher.cli.checks import check_runtime

            with pytest.raises(ConfigError, match=r"reports\.to\[0\]"):
                check_runtime(parse({"reports": table}, None, connector_for))
            continue
        with pytest.raises(ConfigError, match=message):
            parse({"reports": table}, None, connector_for)



def test_the_report_command(tmp_path: Path, receiver: Receiver) -> None:
    from tests.test_e2e import watcher
    from watcher.store.db import open_store

    database = f"sqlite:///{tmp_path / 'w.db'}"
    store = open_store(database)
    flow = Flow(store, receiver)
    fill(flow)
    flow.send(GENERATED)  # the month's ticket alerts, out of the way
    store.close()
    receiver.received.clear()
    config = tmp_path / "config.toml"
    config.write_text(f'[watcher]\ndatabase = "{database}"\n[reports]\n'
                      f'to = ["{receiver.json_url("analyst")}"]\n', encoding="utf-8")
    out = tmp_path / "reports" / "new"
    done = watcher(config, "report", "--month", "2026-10", "--out", str(out), "--send")
    path, *summary = done.stdout.splitlines()
    assert path == str(out / "watcher-report-2026-10.html") and Path(path).is_file()
    assert summary[0].startswith("《投诉分析报告》2026年10月（10-01 至 10-31）")
    assert summary[-1] == "sent: 1, failed: 0"
    (sent,) = receiver.to("analyst")
    assert sent["attachments"][0]["filename"] == "watcher-report-2026-10.html"
    assert "2026年第41周" in watcher(config, "report", "--week", "2026-W41", "--out",
                                     str(out)).stdout
    for args, code, message in ((["--month", "2026-13"], 2, "not a month or a week"),
                                (["--month", "2026-W41"], 2, "not a month"),
                                (["--month", "2099-01"], 2, "2099-01 has not begun yet"),
                                (["--month", "2026-10", "--week", "2026-W41"], 2,
                                 "not allowed with argument")):
        refused = watcher(config, "report", *args, "--out", str(out), check=False)
        assert refused.returncode == code and message in refused.stderr, refused.stderr
    config.write_text(f'[watcher]\ndatabase = "{database}"\n', encoding="utf-8")
    unsent = watcher(config, "report", "--month", "2026-09", "--out", str(out), "--send",
                     check=False)
    assert unsent.returncode == 1 and "[reports] to is empty" in unsent.stderr
    (out / "blocked").write_text("a file, not a directory", encoding="utf-8")
    blocked = watcher(config, "report", "--out", str(out / "blocked"), check=False)
    assert blocked.returncode == 1 and "cannot write the report" in blocked.stderr
