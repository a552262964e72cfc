import html
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fails, fetch, source_from

URL = "https://api.stackexchange.com/2.3/search/advanced"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "stackexchange.json").read_bytes()
RECORDED = "fixtures/stackexchange/questions_unanswered_2016_reputation_builder.json"


def source(**keys: object) -> object:
    return source_from(**({"kind": "stackexchange", "query": "acme", "site": "stackoverflow",
                           "page_delay": "0s"} | keys))


def questions(*ids: int, **envelope: object) -> dict[str, object]:
    items = [{"question_id": n, "title": f"q {n}", "creation_date": 1795160000 + n} for n in ids]
    return {"items": items, "has_more": True, "quota_max": 300, "quota_remaining": 200} | envelope


@respx.mock
def test_questions_with_decoded_titles() -> None:
    route = respx.get(URL).respond(200, content=BODY)
    result = fetch(source())  # type: ignore[arg-type]
    first, second = result.mentions
    assert first.title == 'Acme SDK: "token expired" & <401> after update'
    assert first.text == "Since 2.0 every call returns 401 & the docs don't say why."
    assert first.author == "Jörg" and first.external_id == "79000002"
    assert first.created_at == datetime.fromtimestamp(1795160000, UTC)
    assert first.engagement == {"likes": -1, "replies": 2} and first.platform == "stackexchange"
    assert second.url == "https://stackoverflow.com/questions/79000001/y"
    assert result.warnings == ["item 2: no id"]
    assert dict(route.calls.last.request.url.params) == {
        "q": "acme", "site": "stackoverflow", "sort": "creation", "order": "desc",
        "pagesize": "50", "filter": "withbody", "page": "1"}


@respx.mock
def test_the_cursor_asks_from_the_newest_date_and_pages_while_has_more() -> None:
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(200, json=questions(9, 8)), httpx.Response(200, json=questions(7, 5)),
    ])
    result = fetch(source(), cursor={"newest": 1795160005, "ids": ["5"]})  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ["9", "8", "7"]
    assert [c.request.url.params["page"] for c in route.calls] == ["1", "2"]
    assert route.calls[0].request.url.params["fromdate"] == "1795160005"


@respx.mock
def test_a_long_backoff_ends_the_sweep_and_skips_the_next() -> None:
    route = respx.get(URL).respond(200, json=questions(9, backoff=30))
    result = fetch(source())  # type: ignore[arg-type]
    assert route.call_count == 1 and "asked to wait 30s" in result.warnings[0]
    assert result.cursor["not_before"] == pytest.approx(time.time() + 30, abs=2)
    again = fetch(source(), cursor=result.cursor)  # type: ignore[arg-type]
    assert route.call_count == 1 and again.mentions == [] and "skipped" in again.warnings[0]


@respx.mock
def test_a_spent_quota_waits_for_midnight_utc() -> None:
    respx.get(URL).respond(200, json=questions(9, quota_remaining=0))
    result = fetch(source())  # type: ignore[arg-type]
    assert "quota_remaining: 0 of quota_max: 300" in result.warnings[0]
    midnight = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
    assert result.cursor["not_before"] == pytest.approx(midnight.timestamp(), abs=2)


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(400, json={"error_id": 502, "error_name": "throttle_violation"}), "HTTP 400", "http"),
    (httpx.Response(200, json={"items": None, "quota_remaining": 1}), "items is not a list", "parse"),
    (httpx.Response(200, content=b"\x1f\x8b\x08garbage"), "not", "parse"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    fails(URL, response, source(), message, kind)


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    items = json.loads(body)["items"]
    respx.get(URL).mock(side_effect=[httpx.Response(200, content=body),
                                     httpx.Response(200, json={"items": [], "has_more": False})])
    result = fetch(source(query="css"))  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [str(i["question_id"]) for i in items]
    assert [m.title for m in result.mentions] == [html.unescape(i["title"]) for i in items]
    assert any("<div>" in (m.title or "") for m in result.mentions)  # was &lt;div&gt;
    assert result.cursor["newest"] == max(i["creation_date"] for i in items)
