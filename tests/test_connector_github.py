import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fetch, source_from
from watcher.errors import SourceError

URL = "https://api.github.com/search/issues"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "github.json").read_bytes()
RECORDED = "fixtures/github/search_issues_q_compile_language_cpp_sort_comments.json"
TOKEN = "ghp_0123456789abcdef0123"


def source(**keys: object) -> object:
    return source_from(**({"kind": "github", "query": "acme crash", "page_delay": "0s"} | keys))


def issues(*numbers: int) -> dict[str, object]:
    return {"items": [{"id": n, "title": f"issue {n}", "html_url": f"https://github.com/a/b/issues/{n}",
                       "created_at": f"2026-11-20T08:00:{n:02d}Z"} for n in numbers]}


@respx.mock
def test_issues_anonymously() -> None:
    route = respx.get(URL).respond(200, content=BODY)
    result = fetch(source())  # type: ignore[arg-type]
    crash, refund = result.mentions
    assert crash.external_id == "2001" and crash.author == "octo" and crash.platform == "github"
    assert crash.title == "App crashes on login"
    # the template's comment and the <b> tag gone, vector<int> kept, &amp; decoded
    assert crash.text == "Crash when I log in with `std::vector<int>` & SSO now"
    assert crash.url == "https://github.com/acme/app/issues/12"
    assert crash.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert crash.engagement == {"likes": 7, "replies": 4}
    assert refund.text == "Refund button does nothing"  # no body: the title
    assert sorted(result.warnings) == ["GitHub's search timed out: this page may be incomplete",
                                       "item 2: no readable created time (None)"]
    request = route.calls.last.request
    assert dict(request.url.params) == {"q": "acme crash", "sort": "created", "order": "desc",
                                        "per_page": "50"}
    assert "authorization" not in request.headers
    assert request.headers["accept"] == "application/vnd.github+json"


@respx.mock
def test_link_paging_with_a_token_until_the_cursor() -> None:
    second = f"{URL}?q=acme&page=2"
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(200, json=issues(40, 30), headers={"Link": f'<{second}>; rel="next"'}),
        httpx.Response(200, json=issues(20, 10), headers={"Link": f'<{URL}?page=3>; rel="next"'}),
    ])
    cursor = {"newest": datetime(2026, 11, 20, 8, 0, 10, tzinfo=UTC).timestamp(), "ids": ["10"]}
    result = fetch(source(token=TOKEN), cursor=cursor)  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ["40", "30", "20"]
    assert str(route.calls[1].request.url) == second and route.call_count == 2
    assert route.calls[1].request.headers["authorization"] == f"Bearer {TOKEN}"


@respx.mock
def test_a_spent_rate_limit_stops_paging() -> None:
    reset = int(time.time()) + 60
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset),
               "Link": f'<{URL}?page=2>; rel="next"'}
    route = respx.get(URL).respond(200, json=issues(5), headers=headers)
    result = fetch(source())  # type: ignore[arg-type]
    assert route.call_count == 1 and len(result.mentions) == 1
    assert f"x-ratelimit-reset: {reset}" in result.warnings[0]
    assert result.cursor["not_before"] == pytest.approx(reset, abs=2)


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(403, json={"message": "API rate limit exceeded"}), "rate limit is spent", "auth"),
    (httpx.Response(401, json={"message": "Bad credentials"}), "token was rejected", "auth"),
    (httpx.Response(422, json={"message": "Validation Failed"}), "HTTP 422", "http"),
    (httpx.Response(200, json={"message": "moved"}), "items is not a list", "parse"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    respx.get(URL).mock(return_value=response)
    with pytest.raises(SourceError, match=message) as caught:
        fetch(source(token=TOKEN))  # type: ignore[arg-type]
    assert caught.value.kind == kind and TOKEN not in str(caught.value)


@respx.mock
def test_nothing_found_is_not_an_error() -> None:
    respx.get(URL).respond(200, json={"total_count": 0, "incomplete_results": False, "items": []})
    result = fetch(source())  # type: ignore[arg-type]
    assert result.mentions == [] and result.warnings == []


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    items = json.loads(body)["items"]
    respx.get(URL).respond(200, content=body)
    result = fetch(source())  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [str(i["id"]) for i in items]
    for mention, item in zip(result.mentions, items, strict=True):
        assert mention.url == item["html_url"] and mention.author == item["user"]["login"]
        assert mention.engagement["replies"] == item["comments"] and mention.text
        assert mention.created_at is not None and mention.created_at.tzinfo is not None
