import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fetch, source_from
from watcher.config import ConfigError
from watcher.errors import SourceError
from watcher.text import collapse

URL = "https://bsky.social/xrpc/app.bsky.feed.searchPosts"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "bluesky.json").read_bytes()
RECORDED = "fixtures/bluesky/searchPosts_q_redistricting.json"
TOKEN = "eyJhbGciOiJFUzI1NksifQ.access"


def source(**keys: object) -> object:
    return source_from(**({"kind": "bluesky", "query": "acme", "token": TOKEN,
                           "page_delay": "0s"} | keys))


@respx.mock
def test_posts_with_their_bsky_app_url() -> None:
    route = respx.get(URL).respond(200, content=BODY)
    result = fetch(source())  # type: ignore[arg-type]
    (post,) = result.mentions
    assert post.external_id == "at://did:plc:aaa/app.bsky.feed.post/3m2abc"
    assert post.url == "https://bsky.app/profile/dana.bsky.social/post/3m2abc"
    assert post.text == 'acme app: price < what they charged & the refund is "pending"'
    assert post.author == "dana.bsky.social" and post.platform == "bluesky"
    assert post.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert post.engagement == {"likes": 9, "reposts": 1, "replies": 2}
    assert result.warnings == ["item 1: no id"]
    assert result.cursor["newest"] == datetime(2026, 11, 20, 9, 0, 1, tzinfo=UTC).timestamp()
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert dict(request.url.params) == {"q": "acme", "sort": "latest", "limit": "25"}


@respx.mock
def test_pages_by_the_answers_cursor() -> None:
    posts = json.loads(BODY)["posts"][:1]
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(200, json={"posts": posts, "cursor": "25"}),
        httpx.Response(200, json={"posts": []}),
    ])
    result = fetch(source())  # type: ignore[arg-type]
    assert len(result.mentions) == 1
    assert [c.request.url.params.get("cursor") for c in route.calls] == [None, "25"]


def test_the_token_is_required() -> None:
    with pytest.raises(ConfigError, match="token: missing required key"):
        source_from(kind="bluesky", query="acme")


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"}),
     "access token has most likely expired", "auth"),
    (httpx.Response(401, json={"error": "AuthMissing"}), "Bluesky refused", "auth"),
    (httpx.Response(200, json={"hits": []}), "posts is not a list", "parse"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    respx.get(URL).mock(return_value=response)
    with pytest.raises(SourceError, match=message) as caught:
        fetch(source())  # type: ignore[arg-type]
    assert caught.value.kind == kind and TOKEN not in str(caught.value)


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    posts = json.loads(body)["posts"]
    respx.get(URL).mock(side_effect=[httpx.Response(200, content=body),
                                     httpx.Response(200, json={"posts": []})])
    result = fetch(source(query="redistricting"))  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [p["uri"] for p in posts]
    for mention, post in zip(result.mentions, posts, strict=True):
        rkey = post["uri"].rsplit("/", 1)[1]
        assert mention.url == f"https://bsky.app/profile/{post['author']['handle']}/post/{rkey}"
        assert mention.text == collapse(post["record"]["text"])  # plain text kept as it is
        assert mention.created_at is not None and mention.created_at.tzinfo is not None
        assert mention.engagement["likes"] == post["likeCount"]
