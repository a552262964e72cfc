from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fails, fetch, source_from
from watcher.config import ConfigError

ROUTE = "/weibo/keyword/客服"
URL = "https://rsshub.app/weibo/keyword/%E5%AE%A2%E6%9C%8D"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "rsshub_weibo_keyword.xml").read_bytes()
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
RECORDED = "fixtures/bilibili/rsshub_bilibili_user_video_28822227.xml"


def source(**keys: object) -> object:
    return source_from(**({"kind": "rsshub", "route": ROUTE} | keys))


@respx.mock
def test_a_route_on_the_public_instance() -> None:
    route = respx.get(URL).respond(200, content=BODY, headers=RSS)
    result = fetch(source())  # type: ignore[arg-type]
    first, second = result.mentions
    assert route.called and first.platform == "weibo" and first.author == "消费者甲"
    assert first.text == "消费者甲: 买的热水器漏电了，客服一直不回复 & 要投诉12315"
    assert first.external_id == "https://weibo.com/1/PaBcD3"
    assert first.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert second.author is None and result.warnings == []


@pytest.mark.parametrize(("keys", "platform"), [
    ({"route": "/baidu/tieba/search/客服"}, "tieba"),
    ({"route": "/bilibili/vsearch/客服"}, "bilibili"),
    ({"route": "/zhihu/question/59895982", "platform": "知乎"}, "知乎"),
])
@respx.mock
def test_the_platform_is_the_routes(keys: dict[str, str], platform: str) -> None:
    respx.get(url__startswith="https://rss.example.org/").respond(200, content=BODY, headers=RSS)
    result = fetch(source(instance="https://rss.example.org/", **keys))  # type: ignore[arg-type]
    assert {m.platform for m in result.mentions} == {platform}


@respx.mock
def test_the_cursor_leaves_out_what_was_read() -> None:
    respx.get(URL).respond(200, content=BODY, headers=RSS)
    first = fetch(source())  # type: ignore[arg-type]
    again = fetch(source(), cursor=first.cursor)  # type: ignore[arg-type]
    assert len(first.mentions) == 2 and again.mentions == []


@pytest.mark.parametrize(("keys", "message"), [
    ({"route": "weibo/keyword/客服"}, "route: must be a route path"),
    ({"instance": "rsshub.app"}, "instance: not a valid URL"),
])
def test_bad_keys(keys: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        source(**keys)


@pytest.mark.parametrize(("response", "message", "kind"), [
    # RSSHub's own error page when the route needs a cookie it does not have
    (httpx.Response(503, text="<html>ConfigNotFoundError: WEIBO_COOKIES</html>"), "HTTP 503", "http"),
    (httpx.Response(200, text="<!DOCTYPE html><html><body>Looks like something went wrong"
                              "</body></html>", headers={"Content-Type": "text/html"}),
     "got an HTML page", "parse"),
    (httpx.Response(429), "rate limited", "rate_limited"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    fails(URL, response, source(), message, kind)


@respx.mock
def test_recorded_feed(shared: Path) -> None:
    import feedparser

    body = (shared / RECORDED).read_bytes()
    entries = feedparser.parse(body).entries
    respx.get("https://my-rsshub.test/feed").respond(200, content=body, headers=RSS)
    result = fetch(source(route="/bilibili/user/video/28822227",  # type: ignore[arg-type]
                          url="https://my-rsshub.test/feed"))
    assert [m.external_id for m in result.mentions] == [e.id for e in entries]
    assert {m.platform for m in result.mentions} == {"bilibili"}
    assert all(m.created_at and m.author == "橙心资讯" and m.text for m in result.mentions)
