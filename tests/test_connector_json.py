import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from tests.helpers import fetch, source_from
from watcher.errors import SourceError

URL = "https://api.test/reviews"
BODY = (Path(__file__).parent / "fixtures" / "reviews.json").read_bytes()
FIELDS = {"id": "id", "text": "content", "author": "user.nickname", "time": "created_at",
          "rating": "stars", "url": "link"}


def source(**kw: object) -> object:
    return source_from(**({"kind": "json", "url": URL, "items": "data.reviews",
                            "fields": FIELDS} | kw))


@respx.mock
def test_items_by_dotted_paths() -> None:
    respx.get(URL).respond(200, content=BODY, headers={"Content-Type": "application/json"})
    result = fetch(source())  # type: ignore[arg-type]
    first, second, third = result.mentions
    assert first.external_id == "501" and first.author == "宝妈" and first.rating == 1.0
    assert first.created_at == datetime(2026, 11, 22, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert first.url == "https://api.test/r/501"
    assert second.text == "发货很快，奶粉是新日期的，满意 & 推荐"
    assert second.created_at is not None and second.created_at.year == 2025
    assert third.external_id is None and third.url == "https://api.test/r/x?utm_source=a"
    assert result.warnings == ["item 2: item has no text or title"]


@respx.mock
def test_document_that_is_a_list() -> None:
    respx.get(URL).respond(200, json=[{"id": 1, "text": "物流太慢了"}])
    (only,) = fetch(source_from(kind="json", url=URL)).mentions
    assert (only.external_id, only.text) == ("1", "物流太慢了")


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, content=b"<html><head><title>Login</title></head></html>",
                        headers={"Content-Type": "text/html"}), "expected JSON, got an HTML page"),
        (httpx.Response(200, content=BODY[:40]), "not valid JSON"),
        (httpx.Response(200, content="评论".encode("gbk")), "not UTF-8|not valid JSON"),
        (httpx.Response(200, json={"data": {"reviews": {"id": 1}}}), "is not a list"),
        (httpx.Response(200, json={"code": 401, "msg": "login required"}), "found nothing"),
        (httpx.Response(403), "HTTP 403"),
    ],
)
@respx.mock
def test_unusable_responses(response: httpx.Response, message: str) -> None:
    respx.get(URL).mock(return_value=response)
    with pytest.raises(SourceError, match=message):
        fetch(source())  # type: ignore[arg-type]


# The json kind configured for real recorded API responses in ../shared/fixtures.
RECORDED = [
    ("hackernews/algolia_search_by_date_query_apple_tags_story_2014.json", "hits",
     {"id": "objectID", "title": "title", "text": "story_text", "author": "author",
      "url": "url", "time": "created_at_i"}, 1),
    ("github/search_issues_q_compile_language_cpp_sort_comments.json", "items",
     {"id": "id", "title": "title", "text": "body", "author": "user.login", "url": "html_url",
      "time": "created_at"}, 30),
    ("reddit/search_r_all_praw_oauth_search.json", "data.children",
     {"id": "data.name", "title": "data.title", "text": "data.selftext", "author": "data.author",
      "url": "data.permalink", "time": "data.created_utc"}, 6),
    ("stackexchange/questions_unanswered_2016_reputation_builder.json", "items",
     {"id": "question_id", "title": "title", "author": "owner.display_name", "url": "link",
      "time": "creation_date"}, None),
    ("mastodon/timelines_tag_ichbinhanna_limit5_mastodon_social.json", "",
     {"id": "uri", "text": "content", "author": "account.acct", "url": "url",
      "time": "created_at"}, 5),
    ("bluesky/searchPosts_q_redistricting.json", "posts",
     {"id": "uri", "text": "record.text", "author": "author.handle", "time": "record.createdAt"},
     25),
    ("weibo/m_weibo_cn_getIndex_containerid_1076031669879400_page2.json", "data.cards",
     {"id": "mblog.id", "text": "mblog.text", "author": "mblog.user.screen_name",
      "url": "scheme", "time": "mblog.created_at"}, 10),
]


@pytest.mark.parametrize(("name", "items", "fields", "count"), RECORDED)
@respx.mock
def test_recorded_responses(shared: Path, name: str, items: str, fields: dict[str, str],
                            count: int | None) -> None:
    body = (shared / "fixtures" / name).read_bytes()
    expected = count if count is not None else len(json.loads(body)["items"])
    respx.get(URL).respond(200, content=body, headers={"Content-Type": "application/json"})
    result = fetch(source(items=items, fields=fields))  # type: ignore[arg-type]
    assert len(result.mentions) == expected, result.warnings
    assert len({m.external_id for m in result.mentions}) == expected
    for mention in result.mentions:
        assert mention.text and "<p>" not in mention.text and "</" not in mention.text
        assert mention.created_at is not None and mention.created_at.tzinfo is not None
        assert mention.author


# Hostile pages (#17): a bad byte costs one item's text, not the page; a page nested too deep
# for the parser is that source's parse error, not an internal error with a traceback.

@respx.mock
def test_one_bad_byte_keeps_the_page() -> None:
    body = BODY.replace("满意".encode(), "满".encode() + b"\xff\xfe", 1)
    assert body != BODY
    respx.get(URL).respond(200, content=body, headers={"Content-Type": "application/json"})
    result = fetch(source())  # type: ignore[arg-type]
    assert len(result.mentions) == 3
    assert result.mentions[1].text.startswith("发货很快") and "\ufffd" in result.mentions[1].text
    assert any("not valid utf-8" in w.lower() for w in result.warnings)


@respx.mock
def test_one_bad_byte_keeps_the_page_of_a_preset() -> None:
    body = (Path(__file__).parent / "fixtures" / "presets" / "hackernews.json").read_bytes()
    body = body.replace(b"twice", b"tw\xffice", 1)
    respx.get("https://hn.algolia.com/api/v1/search_by_date").respond(200, content=body)
    result = fetch(source_from(kind="hackernews", query="acme", page_delay="0s"))
    assert len(result.mentions) == 2 and "tw\ufffdice" in result.mentions[0].text
    assert any("not valid utf-8" in w.lower() for w in result.warnings)


@pytest.mark.parametrize("depth", [300, 100_000])
@respx.mock
def test_deep_json_is_a_parse_error(depth: int) -> None:
    body = b'{"data": {"reviews": ' + b"[" * depth + b"]" * depth + b"}}"
    respx.get(URL).respond(200, content=body, headers={"Content-Type": "application/json"})
    with pytest.raises(SourceError, match="nested deeper than") as caught:
        fetch(source())  # type: ignore[arg-type]
    assert caught.value.kind == "parse"


# The Chinese platforms' pages (connectors/cnbase.py) go through the same decoding: JSON with a
# bad byte keeps its items with a warning, JSONP that is not even GB 18030 too, and either
# nested too deep is a parse error.

def _tousu(server: object, **keys: object) -> object:
    return source_from(**({"kind": "tousu", "base_url": server.url, "page_delay": "0s",  # type: ignore[attr-defined]
                           "keyword": "热水器", "cookie": "SUB=s", "max_pages": 1} | keys))


def test_a_bad_byte_in_a_chinese_platforms_json_keeps_the_page(platform: Any) -> None:
    from tests.cnserver import own

    body = own("tousu_search_page1.json")
    assert "热水器".encode() in body
    platform.serve("/api/index/s", body.replace("热水器".encode(), b"\xff" + "热水器".encode(), 1))
    result = fetch(_tousu(platform))
    assert result.mentions and any("not valid utf-8" in w.lower() for w in result.warnings)


def test_jsonp_that_is_not_even_gb18030_keeps_the_page_with_a_warning(platform: Any) -> None:
    from tests.cnserver import Answer, own

    body = own("jd_comments_gbk.jsonp").replace("用了三天".encode("gbk"), b"\x80\xff" + "用了三天".encode("gbk"))
    platform.serve("/comment/productPageComments.action",
                   Answer(body, content_type="application/javascript"))
    result = fetch(source_from(kind="jd", item="100012043978", cookie="x=s", base_url=platform.url,
                               page_delay="0s", max_pages=1))
    assert len(result.mentions) == 2
    assert any("not valid GB 18030" in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("kind", ["tousu", "jd"])
def test_deep_json_from_a_chinese_platform_is_a_parse_error(platform: Any, kind: str) -> None:
    from tests.cnserver import Answer

    deep = b"[" * 100_000 + b"]" * 100_000
    if kind == "jd":
        platform.serve("/comment/productPageComments.action",
                       Answer(b"fetchJSON_comment98(" + deep + b");",
                              content_type="application/javascript"))
        chosen = source_from(kind="jd", item="100012043978", cookie="x=s", base_url=platform.url,
                             page_delay="0s")
    else:
        platform.serve("/api/index/s", Answer(deep))
        chosen = _tousu(platform)
    with pytest.raises(SourceError, match="nested deeper than") as caught:
        fetch(chosen)  # type: ignore[arg-type]
    assert caught.value.kind == "parse"
