"""Reasons as values (watcher/reasons.py): one table renders them in English and Chinese, the
store keeps them as JSON, and the English strings older databases hold are converted once, by
the 'reasons' migration, into the same values."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import migrations
from tests.test_alert_reasons import every_reason
from watcher.reasons import (
    CATEGORY_NAMES,
    CHINESE_NAMES,
    CODES,
    DEPARTMENT_NAMES,
    MODEL_NAMES,
    RISK_NAMES,
    Reason,
    ReasonCode,
    chinese,
    english,
    reason,
    render,
)
from watcher.records import TICKET_FIELDS, Ticket
from watcher.scoring import Scorer, score_to_dict
from watcher.store import tickets as ticket_store
from watcher.store.db import open_store, schema_version
from watcher.tickets.view import ticket_json

MIGRATION = importlib.import_module("migrations.versions.0003_reasons")
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def test_every_code_reads_in_both_languages() -> None:
    everything = reason(ReasonCode.TEXT, rule="safety", detail="d", words=["w"], probability=0.5,
                        threshold=0.5, level=1, incident=2, score=3, followers=1_200_000,
                        engagement=1_500, line=1_000, before=0.8, after=0.2)
    for code in ReasonCode:
        assert code.english and code.chinese and CODES[code.value] is code
        value = Reason(code, everything.rule, everything.detail, everything.words,
                       everything.numbers)
        assert render(value) and render(value, "zh_CN")


def test_the_names_do_not_collide() -> None:
    assert len(CHINESE_NAMES) == sum(map(len, (CATEGORY_NAMES, DEPARTMENT_NAMES, RISK_NAMES,
                                               MODEL_NAMES)))


def test_values_survive_the_json_they_are_stored_as(scorer: Scorer) -> None:
    for value in every_reason(scorer):
        assert Reason.from_json(json.loads(json.dumps(value.to_json()))) == value


def test_the_migration_reads_back_every_reason_the_scorer_and_the_store_write(
        scorer: Scorer) -> None:
    """The frozen templates of the migration are today's: each English reason converts to the
    value that wrote it (its numbers as written: two decimals), which reads the same in both
    languages, and the downgrade writes exactly that English again."""
    for value in every_reason(scorer):
        written = render(value)
        converted = Reason.from_json(MIGRATION.structured(written))
        assert converted.code == value.code and converted.words == value.words, written
        assert render(converted) == written and render(converted, "zh") == render(value, "zh")
        assert MIGRATION.english(value.to_json()) == written


def test_an_unknown_text_stays_as_written() -> None:
    assert english(Reason.from_json(MIGRATION.structured(t)) for t in ("因为测试", "level 9: ?",
                                                                       "x (level 1, y): '")) \
        == ["因为测试", "level 9: ?", "x (level 1, y): '"]
    assert Reason.from_json("a bare string") == reason(ReasonCode.TEXT, detail="a bare string")


def test_score_and_ticket_json_keep_the_english_reasons_and_add_their_codes(
        scorer: Scorer) -> None:
    score = scorer.score("刚买的热水器漏电，太危险了！再不处理我就打12315投诉")
    line = score_to_dict("…", score)
    assert line["reasons"] == english(score.reasons)
    assert line["reasons"][1] == "safety (level 1, safety or injury risk): '漏电', '热水器'"
    assert line["reason_codes"] == ["complaint_likely", "risk", "risk", "category", "level_risk"]
    row = {"id": 1, "level": 1, "category": "product_quality", "department": "Quality",
           "status": "open", "assignee": None, "incident_id": None, "deadline": NOW,
           "created_at": NOW, "reasons": score.reasons, "risks": list(score.risks),
           "source": "s", "platform": "p", "url": None, "author": None, "title": None,
           "text": "…", "mention_created_at": NOW}
    row |= {name: None for name in TICKET_FIELDS if name not in row}
    shown = ticket_json(Ticket.from_row(row), UTC)
    assert shown["reasons"] == line["reasons"] and shown["reason_codes"] == line["reason_codes"]


OLD_TICKET = ["complaint probability 0.90 >= threshold 0.49 [model] (strongest words: 再不, 投诉)",
              "safety (level 1, safety or injury risk): '漏电', '触电'",
              "category product_quality (Quality): 漏电", "level 1: risk rule",
              "repeat: 同一用户再次投诉", "group: 事件 #3", "因为测试"]
OLD_TICKET_CHINESE = ["投诉概率 0.90 ≥ 阈值 0.49（模型），主要依据：再不、投诉", "安全（L1）：漏电、触电",
                      "类别 产品质量 → 质量/技术部：漏电", "等级 L1：触发风险规则",
                      "重复投诉：同一用户再次投诉", "群体投诉：事件 #3", "因为测试"]
OLD_MENTION = ["complaint probability 0.12 < threshold 0.49 [model + snownlp]",
               "no level: not a complaint, inquiry or suggestion"]


def _alembic(url: str, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)
    engine.dispose()


def _old_rows(url: str) -> None:
    """A mention and its ticket as a database at revision 'reach' holds them."""
    mentions = sa.table("mentions", *(sa.column(c) for c in (
        "id", "source", "platform", "external_id", "text", "created_at", "first_seen_at",
        "content_hash")), sa.column("reasons", sa.JSON))
    tickets = sa.table("tickets", *(sa.column(c) for c in (
        "id", "mention_id", "level", "category", "department", "status", "deadline",
        "created_at", "updated_at")), sa.column("risks", sa.JSON), sa.column("reasons", sa.JSON))
    naive = NOW.replace(tzinfo=None)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(mentions).values(
            id=1, source="s", platform="weibo", external_id="1", text="热水器漏电",
            created_at=naive, first_seen_at=naive, content_hash="h", reasons=OLD_MENTION))
        conn.execute(sa.insert(tickets).values(
            id=1, mention_id=1, level=1, category="product_quality", department="Quality",
            status="open", deadline=naive + timedelta(hours=1), created_at=naive,
            updated_at=naive, risks=["safety"], reasons=OLD_TICKET))
    engine.dispose()


def test_a_database_holding_english_reasons_is_migrated_to_values(database_url: str) -> None:
    _alembic(database_url, "upgrade", "reach")
    _old_rows(database_url)
    store = open_store(database_url)  # migrates to the head, as the daemon does on start
    try:
        with store.engine.connect() as conn:
            assert schema_version(conn) == migrations.HEAD
            ticket = ticket_store.get(conn, 1)
            mention = conn.execute(sa.text("SELECT reasons FROM mentions WHERE id = 1")).scalar()
        assert ticket is not None
        assert all(isinstance(r, Reason) for r in ticket.reasons)
        assert [r.code for r in ticket.reasons] == [
            "complaint_likely", "risk", "category", "level_risk", "repeat", "incident", "text"]
        assert english(ticket.reasons) == OLD_TICKET
        assert chinese(ticket.reasons) == OLD_TICKET_CHINESE
        stored = json.loads(mention) if isinstance(mention, str) else mention
        assert english(Reason.from_json(r) for r in stored) == OLD_MENTION
    finally:
        store.close()
    _alembic(database_url, "downgrade", "reach")
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT reasons FROM tickets WHERE id = 1")).scalar()
    engine.dispose()
    assert (json.loads(found) if isinstance(found, str) else found) == OLD_TICKET
