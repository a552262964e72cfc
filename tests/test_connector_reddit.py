import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fetch, source_from
from watcher.errors import SourceError

PUBLIC = "https://www.reddit.com/search.json"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "reddit.json").read_bytes()
RECORDED = "fixtures/reddit/search_r_all_praw_oauth_search.json"
TOKEN = "reddit-token-0123456789"


def source(**keys: object) -> object:
    return source_from(**({"kind": "reddit", "query": "acme", "page_delay": "0s"} | keys))


def listing(names: list[str], after: str | None, newest: int = 1795160000) -> dict[str, object]:
    children = [{"kind": "t3", "data": {"name": n, "title": n, "created_utc": newest - i}}
                for i, n in enumerate(names)]
    return {"kind": "Listing", "data": {"after": after, "children": children}}


@respx.mock
def test_posts_anonymously() -> None:
    route = respx.get(PUBLIC).respond(200, content=BODY)
    result = fetch(source())  # type: ignore[arg-type]
    first, second = result.mentions
    assert first.external_id == "t3_abc123" and first.author == "burnt_user"
    assert first.title == "Acme charger & cable melted"
    assert first.text == "The charger got hot & the cable <melted>. Support says wait 30 days."
    assert first.url == "https://www.reddit.com/r/gadgets/comments/abc123/acme_charger_melted/"
    assert first.created_at == datetime.fromtimestamp(1795160000, UTC)
    assert first.engagement == {"likes": 311, "replies": 57} and first.platform == "reddit"
    assert second.text == "Acme support is great actually"
    assert result.warnings == ["item 2: no id"]
    request = route.calls.last.request
    assert dict(request.url.params) == {"q": "acme", "sort": "new", "limit": "100"}
    assert "authorization" not in request.headers


@respx.mock
def test_a_token_goes_to_oauth_reddit_com_and_a_subreddit_restricts() -> None:
    route = respx.get("https://oauth.reddit.com/r/gadgets/search").respond(200, content=BODY)
    fetch(source(token=TOKEN, subreddit="gadgets"))  # type: ignore[arg-type]
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.url.params["restrict_sr"] == "on"


@respx.mock
def test_pages_by_after_until_the_cursor() -> None:
    route = respx.get(PUBLIC).mock(side_effect=[
        httpx.Response(200, json=listing(["t3_new2", "t3_new1"], "t3_new1", 1795160100)),
        httpx.Response(200, json=listing(["t3_seen", "t3_old"], "t3_old")),
    ])
    result = fetch(source(), cursor={"newest": 1795160000, "ids": ["t3_seen"]})  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ["t3_new2", "t3_new1"]
    assert [c.request.url.params.get("after") for c in route.calls] == [None, "t3_new1"]


@respx.mock
def test_a_spent_rate_limit_stops_paging() -> None:
    spent = {"x-ratelimit-remaining": "0.0", "x-ratelimit-used": "100", "x-ratelimit-reset": "120"}
    route = respx.get(PUBLIC).respond(200, json=listing(["t3_a"], "t3_a"), headers=spent)
    result = fetch(source())  # type: ignore[arg-type]
    assert route.call_count == 1 and len(result.mentions) == 1
    assert "x-ratelimit-remaining: 0.0, x-ratelimit-reset: 120" in result.warnings[0]
    assert "not_before" in result.cursor


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(401), "reddit refused the token", "auth"),
    (httpx.Response(429, headers={"Retry-After": "999"}), "rate limited", "rate_limited"),
    (httpx.Response(200, json={"kind": "Listing", "data": {}}), "data.children", "parse"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    respx.get("https://oauth.reddit.com/search").mock(return_value=response)
    with pytest.raises(SourceError, match=message) as caught:
        fetch(source(token=TOKEN))  # type: ignore[arg-type]
    assert caught.value.kind == kind and TOKEN not in str(caught.value)


@respx.mock
def test_nothing_found_is_not_an_error() -> None:
    respx.get(PUBLIC).respond(200, json=listing([], None))
    result = fetch(source())  # type: ignore[arg-type]
    assert result.mentions == [] and result.warnings == [] and result.cursor == {}


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    posts = [child["data"] for child in json.loads(body)["data"]["children"]]
    respx.get("https://proxy.test/r/all/search").respond(200, content=body)
    result = fetch(source(url="https://proxy.test/r/all/search"))  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [p["name"] for p in posts]
    assert [m.engagement["replies"] for m in result.mentions] == [p["num_comments"] for p in posts]
    for mention, post in zip(result.mentions, posts, strict=True):
        assert mention.url == "https://www.reddit.com" + post["permalink"]
        assert mention.created_at == datetime.fromtimestamp(post["created_utc"], UTC)
        assert mention.author == post["author"] and mention.text
    assert result.cursor["newest"] == max(p["created_utc"] for p in posts)
