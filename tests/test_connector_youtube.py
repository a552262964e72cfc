from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fails, fetch, source_from
from watcher.config import ConfigError

URL = "https://www.youtube.com/feeds/videos.xml"
CHANNEL = "UCaaaaaaaaaaaaaaaaaaaaaa"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "youtube.xml").read_bytes()
ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
RECORDED = "fixtures/youtube/feeds_videos_channel_UCoTLdfNePDQzvdEgIToLIUg.xml"


def source(**keys: object) -> object:
    return source_from(**({"kind": "youtube", "channel_id": CHANNEL} | keys))


@respx.mock
def test_videos_of_a_channel() -> None:
    route = respx.get(URL).respond(200, content=BODY, headers=ATOM)
    result = fetch(source())  # type: ignore[arg-type]
    kettle, unboxing = result.mentions
    assert kettle.external_id == "yt:video:vid00000002" and kettle.platform == "youtube"
    assert kettle.title == "Acme kettle review: it leaks & sparks"
    assert kettle.text == "Do not buy this kettle & its base."
    assert kettle.url == "https://www.youtube.com/watch?v=vid00000002"
    assert kettle.author == "Gadget Tester" and kettle.engagement == {"likes": 1234}
    assert kettle.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert unboxing.engagement == {}
    assert route.calls.last.request.url.params["channel_id"] == CHANNEL
    assert result.cursor == {"newest": kettle.created_at.timestamp(), "ids": [kettle.external_id]}


@respx.mock
def test_only_newer_videos_and_a_304_on_the_next_sweep() -> None:
    respx.get(URL).respond(200, content=BODY, headers=ATOM | {"ETag": '"v1"'})
    cursor = {"newest": datetime(2026, 11, 19, 9, tzinfo=UTC).timestamp(), "ids": ["yt:video:vid00000001"]}
    result = fetch(source(), cursor=cursor)  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ["yt:video:vid00000002"]
    assert result.cursor["http"] == {"etag": '"v1"'}
    route = respx.get(URL).respond(304)
    again = fetch(source(), cursor=result.cursor)  # type: ignore[arg-type]
    assert route.calls.last.request.headers["If-None-Match"] == '"v1"'
    assert again.not_modified and again.cursor == result.cursor


def test_a_handle_is_not_a_channel_id() -> None:
    with pytest.raises(ConfigError, match="channel_id: must be a channel id"):
        source(channel_id="@acme")


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(404), "HTTP 404", "http"),
    (httpx.Response(200, text="<!DOCTYPE html><html>consent.youtube.com</html>",
                    headers={"Content-Type": "text/html"}), "got an HTML page", "parse"),
    (httpx.Response(200, content=BODY[:300], headers=ATOM), "truncated", "parse"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    fails(URL, response, source(), message, kind)


@respx.mock
def test_a_channel_without_videos() -> None:
    empty = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
    respx.get(URL).respond(200, content=empty, headers=ATOM)
    result = fetch(source())  # type: ignore[arg-type]
    assert result.mentions == [] and result.warnings == []


@respx.mock
def test_recorded_feed(shared: Path) -> None:
    import feedparser

    body = (shared / RECORDED).read_bytes()
    entries = feedparser.parse(body).entries
    respx.get("https://proxy.test/yt").respond(200, content=body, headers=ATOM)
    result = fetch(source(url="https://proxy.test/yt",  # type: ignore[arg-type]
                          channel_id="UCoTLdfNePDQzvdEgIToLIUg"))
    assert [m.external_id for m in result.mentions] == [e.id for e in entries]
    assert [m.url for m in result.mentions] == [e.link for e in entries]
    assert all(m.created_at and m.author == "SecDSM" and "likes" in m.engagement
               for m in result.mentions)
