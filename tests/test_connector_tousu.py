"""`tousu` (黑猫投诉). No full answer was ever recorded, so the fixtures in tests/fixtures/cn/ are
built from the shapes ../shared/fixtures/CN-PLATFORMS.md (section 1) collects from public
crawler code. Served through `base_url`: signing, paging, the cursor, each blocked answer."""

from __future__ import annotations

import hashlib
import json

import pytest

from connectors.tousu import SALT, sign, signed
from tests.cnserver import Answer, CnServer, own
from tests.helpers import fetch, source_from
from watcher.model import SourceError

SEARCH, COMPANY = "/api/index/s", "/api/company/received_complaints"


def source(server: CnServer, **keys: object) -> object:
    table = {"kind": "tousu", "base_url": server.url, "page_delay": "0s"} | keys
    if "company" not in keys:
        table.setdefault("keyword", "热水器")
        table.setdefault("cookie", "SUB=secret-sub")
    return source_from(**table)


def test_signature_worked_example() -> None:
    # our own worked example, by the rule the site's script follows: the values sorted as
    # strings, joined, SHA-256 (CN-PLATFORMS.md: `bb.sort()` then sha256 of the join)
    ts, rs = "1614340290475", "I66jvmc7WhlW1wOE"
    values = ["6384912431", "1", "10", "1"]
    joined = "".join(sorted([*values, ts, rs, SALT]))
    assert joined.startswith("$d6eb7ff91ee257475%1") and joined.endswith("I66jvmc7WhlW1wOE")
    assert sign(values, ts, rs) == hashlib.sha256(joined.encode()).hexdigest()
    made = signed({"couid": "6384912431"}, values, now=1614340290.475, rs=rs)
    assert (made["ts"], made["rs"]) == (ts, rs) and made["signature"] == sign(values, ts, rs)


def test_keyword_search_pages_and_reads_each_complaint(platform: CnServer) -> None:
    platform.serve(SEARCH, own("tousu_search_page1.json"), own("tousu_search_page2.json"))
    result = fetch(source(platform))
    assert [m.external_id for m in result.mentions] == ["17370000002", "17370000001",
                                                        "17360000009"]
    first = result.mentions[0]
    assert first.title == "热水器漏电商家不处理" and first.author == "消费者甲"
    assert "诉求：退款并赔偿" in first.text and "金额：2399元" in first.text
    assert "状态：处理中" in first.text and first.created_at and first.created_at.tzinfo
    assert first.url == "https://tousu.sina.com.cn/complaint/view/17370000002/"
    assert first.engagement == {"likes": 5, "reposts": 1, "replies": 2}
    asked = platform.asked[0]
    assert asked.headers["Cookie"] == "SUB=secret-sub"
    assert asked.headers["X-Requested-With"] == "XMLHttpRequest"
    assert asked.query["signature"] == sign([asked.query["keywords"], "10", "1"],
                                            asked.query["ts"], asked.query["rs"])
    assert len(asked.query["rs"]) == 16 and len(asked.query["ts"]) == 13
    assert [a.query["page"] for a in platform.asked] == ["1", "2"]


def test_company_complaints_and_the_cursor(platform: CnServer) -> None:
    platform.serve(COMPANY, own("tousu_company_page1.json"))
    first = fetch(source(platform, company="6384912431"))
    assert [m.external_id for m in first.mentions] == ["17380000005"]
    query = platform.asked[0].query
    assert query["couid"] == "6384912431" and query["type"] == "1"
    assert query["signature"] == sign(["6384912431", "1", "10", "1"], query["ts"], query["rs"])
    again = fetch(source(platform, company="6384912431"), cursor=first.cursor)
    assert again.mentions == []


@pytest.mark.parametrize(("answer", "code"), [
    (Answer(b"<html>too fast</html>", status=456, content_type="text/html"), "HTTP 456"),
    (Answer("<!doctype html><title>登录</title>".encode(), content_type="text/html"),
     "log-in page"),
    (Answer(json.dumps({"result": {"status": {"code": 0}, "data": {
        "lists": [], "pager": {"page_amount": 50, "item_count": 500}}}}).encode()),
     "empty page"),
])
def test_each_blocked_answer(platform: CnServer, answer: Answer, code: str) -> None:
    platform.serve(SEARCH, answer)
    with pytest.raises(SourceError, match=f"tousu blocked the request \\({code}\\)") as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked"


def test_an_unexpected_shape_is_an_error(platform: CnServer) -> None:
    platform.serve(SEARCH, json.dumps({"result": {"status": {"code": 0}, "data": {
        "lists": {"main": {}}}}}).encode())
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source(platform))
    assert caught.value.kind == "parse"


def test_keyword_search_needs_a_cookie() -> None:
    from watcher.config import ConfigError

    with pytest.raises(ConfigError, match="cookie: tousu needs a logged-in cookie"):
        source_from(kind="tousu", keyword="热水器")
    source_from(kind="tousu", company="123")  # a company's complaints are public
