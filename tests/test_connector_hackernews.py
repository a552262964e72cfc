import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fails, fetch, source_from

URL = "https://hn.algolia.com/api/v1/search_by_date"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "hackernews.json").read_bytes()
RECORDED = "fixtures/hackernews/algolia_search_by_date_query_apple_tags_story_2014.json"


def source(**keys: object) -> object:
    return source_from(**({"kind": "hackernews", "query": "acme", "page_delay": "0s"} | keys))


@respx.mock
def test_comments_and_stories() -> None:
    route = respx.get(URL).respond(200, content=BODY)
    result = fetch(source())  # type: ignore[arg-type]
    comment, story = result.mentions
    assert comment.external_id == "9001" and comment.author == "alice"
    assert comment.text == "Acme's app charged me twice & support never answered."
    assert comment.title == "Ask HN: Worst customer service?" and comment.platform == "hackernews"
    assert comment.url == "https://news.ycombinator.com/item?id=9001"
    assert comment.created_at == datetime(2026, 11, 20, 8, tzinfo=UTC) and comment.engagement == {}
    assert story.text == "Ask HN: Worst customer service?"
    assert story.engagement == {"likes": 42, "replies": 17}
    assert result.warnings == ["item 2: no readable created time (None)"]
    assert dict(route.calls.last.request.url.params) == {
        "query": "acme", "tags": "(story,comment)", "hitsPerPage": "50", "page": "0"}


@respx.mock
def test_the_cursor_asks_only_for_newer_items() -> None:
    route = respx.get(URL).respond(200, content=BODY)
    first = fetch(source())  # type: ignore[arg-type]
    assert first.cursor == {"newest": 1795161600, "ids": ["9001"]}
    again = fetch(source(), cursor=first.cursor)  # type: ignore[arg-type]
    assert route.calls.last.request.url.params["numericFilters"] == "created_at_i>=1795161600"
    assert again.mentions == [] and again.cursor == first.cursor


@respx.mock
def test_pages_until_the_last() -> None:
    hits = json.loads(BODY)["hits"][:2]
    pages = [{"hits": [hit], "nbPages": 2} for hit in hits]
    route = respx.get(URL).mock(side_effect=[httpx.Response(200, json=p) for p in pages])
    result = fetch(source())  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ["9001", "9000"]
    assert [c.request.url.params["page"] for c in route.calls] == ["0", "1"]


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(429), "rate limited", "rate_limited"),
    (httpx.Response(200, json={"message": "Invalid query"}), "hits is not a list", "parse"),
    (httpx.Response(200, text="<html>Service unavailable</html>"), "HTML page", "parse"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    fails(URL, response, source(), message, kind)


@respx.mock
def test_no_hits_is_not_an_error() -> None:
    respx.get(URL).respond(200, json={"hits": [], "nbPages": 0})
    result = fetch(source(), cursor={"newest": 5, "ids": ["1"]})  # type: ignore[arg-type]
    assert result.mentions == [] and result.warnings == []
    assert result.cursor == {"newest": 5, "ids": ["1"]}


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    recorded = json.loads(body)["hits"]
    respx.get(URL).mock(side_effect=[httpx.Response(200, content=body),
                                     httpx.Response(200, json={"hits": [], "nbPages": 1000})])
    result = fetch(source(query="apple"))  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [h["objectID"] for h in recorded]
    (story,) = result.mentions
    assert story.text == recorded[0]["title"] and story.author == recorded[0]["author"]
    assert story.created_at == datetime.fromtimestamp(recorded[0]["created_at_i"], UTC)
    assert story.engagement["likes"] == recorded[0]["points"]
