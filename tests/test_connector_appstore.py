import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fails, fetch, source_from
from watcher.config import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "presets"
PAGE = "https://itunes.apple.com/cn/rss/customerreviews/page={}/id=1404176564/sortby=mostrecent/json"
RECORDED = "fixtures/appstore/customerreviews_jp_id1404176564_mostrecent_page1.json"


def source(**keys: object) -> object:
    return source_from(**({"kind": "appstore", "app_id": "1404176564", "page_delay": "0s"} | keys))


@respx.mock
def test_reviews_with_rating_and_the_app_entry_left_out() -> None:
    respx.get(PAGE.format(1)).respond(200, content=(FIXTURES / "appstore.json").read_bytes())
    result = fetch(source())  # type: ignore[arg-type]
    newer, older = result.mentions
    assert newer.external_id == "11000000002" and newer.rating == 1.0 and newer.author == "小王"
    assert newer.title == "闪退 <严重>" and newer.text == "更新后一打开就闪退 & 客服不回复"
    assert newer.created_at == datetime(2026, 11, 20, 8, 30, tzinfo=timezone(timedelta(hours=-7)))
    assert newer.engagement == {"likes": 3} and newer.platform == "appstore"
    assert older.rating == 5.0 and older.engagement == {}
    assert result.warnings == ["item 3: no numeric review id ('')"]
    assert result.cursor == {"newest": 11000000002, "ids": ["11000000002"]}


@pytest.mark.parametrize(("name", "ids"), [
    ("appstore_single.json", ["11000000009"]),  # one review: an object, not a list
    ("appstore_empty.json", []),  # no reviews: no `entry` at all
])
@respx.mock
def test_one_review_or_none(name: str, ids: list[str]) -> None:
    respx.get(PAGE.format(1)).respond(200, content=(FIXTURES / name).read_bytes())
    result = fetch(source())  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ids and result.warnings == []


@respx.mock
def test_pages_by_the_path_up_to_the_last_page(shared: Path) -> None:
    recorded = (shared / RECORDED).read_bytes()  # its rel="last" link says page 8
    first = respx.get(PAGE.format(1)).respond(200, content=recorded)
    second = respx.get(PAGE.format(2)).respond(200, content=(FIXTURES / "appstore.json").read_bytes())
    result = fetch(source(max_pages=2))  # type: ignore[arg-type]
    assert first.called and second.called and len(result.mentions) == 52
    again = fetch(source(max_pages=2), cursor=result.cursor)  # type: ignore[arg-type]
    assert again.mentions == [] and first.call_count == 2 and second.call_count == 1


@respx.mock
def test_a_url_without_a_page_is_one_page(shared: Path) -> None:
    route = respx.get("https://mirror.test/reviews.json").respond(
        200, content=(shared / RECORDED).read_bytes())
    result = fetch(source(url="https://mirror.test/reviews.json"))  # type: ignore[arg-type]
    assert route.call_count == 1 and len(result.mentions) == 50


@pytest.mark.parametrize(("app_id", "country", "message"), [
    ("acme", "cn", "app_id: must be the app's number"),
    ("id1404176564", "china", "country: must be a two-letter store code"),
])
def test_bad_keys(app_id: str, country: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        source(app_id=app_id, country=country)


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(200, json={"feed": "gone"}), "no `feed` object", "parse"),
    (httpx.Response(200, json={"resultCount": 0, "results": []}), "no `feed` object", "parse"),
    (httpx.Response(404), "HTTP 404", "http"),
    (httpx.Response(429), "rate limited", "rate_limited"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    fails(PAGE.format(1), response, source(), message, kind)


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    entries = json.loads(body)["feed"]["entry"]
    respx.get(PAGE.replace("/cn/", "/jp/").format(1)).respond(200, content=body)
    result = fetch(source(country="jp", max_pages=1))  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [e["id"]["label"] for e in entries]
    assert [m.rating for m in result.mentions] == [float(e["im:rating"]["label"]) for e in entries]
    assert all(m.text and m.author and m.created_at is None for m in result.mentions)  # no dates
    assert result.cursor["newest"] == max(int(e["id"]["label"]) for e in entries)
