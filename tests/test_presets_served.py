"""Every preset against its real recorded response, served by a real HTTP server on loopback
and reached through `url` (issue #5's "done when"). Paging kinds ask for a second page, which
the server answers with the same body: the sweep must see the repeat and stop."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.helpers import fetch, source_from
from tests.servers import PlatformServer, Route

CLOSING_TAG = re.compile(r"</[a-z][a-z0-9]*>", re.I)  # "</tmp/x" in a shell line is text


@dataclass(frozen=True)
class Case:
    kind: str
    keys: dict[str, str]
    fixture: str  # under ../shared/fixtures
    path: str  # where the server serves it
    ids: Callable[[bytes], list[str]]  # the external ids the recorded body holds, newest first
    content_type: str = "application/json"
    requests: int = 2  # a second page is asked for, unless the answer says there is none
    link_next: bool = False  # the server's answer carries a Link: rel="next" to itself
    platform: str = ""

    @property
    def paged(self) -> bool:
        return self.content_type == "application/json"


def _json_ids(path: str, field: str, wrap: Callable[[Any], Any] = str) -> Callable[[bytes], list[str]]:
    def ids(body: bytes) -> list[str]:
        document: Any = json.loads(body)
        for part in path.split(".") if path else ():
            document = document[part]
        return [wrap(_dig(item, field)) for item in document]
    return ids


def _dig(item: Any, field: str) -> Any:
    for part in field.split("."):
        item = item[part]
    return item


def _feed_ids(body: bytes) -> list[str]:
    return [entry.id for entry in feedparser.parse(body).entries]


CASES = [
    Case("hackernews", {"query": "apple"},
         "hackernews/algolia_search_by_date_query_apple_tags_story_2014.json",
         "/api/v1/search_by_date", _json_ids("hits", "objectID")),
    Case("reddit", {"query": "praw oauth search", "subreddit": "all"},
         "reddit/search_r_all_praw_oauth_search.json", "/r/all/search",
         _json_ids("data.children", "data.name"), requests=1),  # `after: null`
    Case("mastodon", {"tag": "ichbinhanna"},
         "mastodon/timelines_tag_ichbinhanna_limit5_mastodon_social.json",
         "/api/v1/timelines/tag/ichbinhanna", _json_ids("", "uri"), link_next=True),
    Case("bluesky", {"query": "redistricting", "token": "served-test-token"},
         "bluesky/searchPosts_q_redistricting.json", "/xrpc/app.bsky.feed.searchPosts",
         _json_ids("posts", "uri")),
    Case("appstore", {"app_id": "1404176564", "country": "jp"},
         "appstore/customerreviews_jp_id1404176564_mostrecent_page1.json",
         "/jp/rss/customerreviews/page=1/id=1404176564/sortby=mostrecent/json",
         _json_ids("feed.entry", "id.label")),
    Case("github", {"query": "compile language:C++"},
         "github/search_issues_q_compile_language_cpp_sort_comments.json", "/search/issues",
         _json_ids("items", "id"), link_next=True),
    Case("stackexchange", {"query": "css", "site": "stackoverflow"},
         "stackexchange/questions_unanswered_2016_reputation_builder.json",
         "/2.3/search/advanced", _json_ids("items", "question_id")),
    Case("youtube", {"channel_id": "UCoTLdfNePDQzvdEgIToLIUg"},
         "youtube/feeds_videos_channel_UCoTLdfNePDQzvdEgIToLIUg.xml", "/feeds/videos.xml",
         _feed_ids, content_type="application/atom+xml", requests=1),
    Case("weibo", {"uid": "1669879400", "cookie": "SUB=served-test-cookie"},
         "weibo/m_weibo_cn_getIndex_containerid_1076031669879400_page2.json",
         "/api/container/getIndex", _json_ids("data.cards", "mblog.mid")),
    Case("rsshub", {"route": "/bilibili/user/video/28822227"},
         "bilibili/rsshub_bilibili_user_video_28822227.xml", "/bilibili/user/video/28822227",
         _feed_ids, content_type="application/rss+xml", requests=1, platform="bilibili"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[PlatformServer]:
    if not (Path(__file__).resolve().parents[2] / "shared").is_dir():
        pytest.skip("../shared is absent")
    served = PlatformServer().start()
    yield served
    served.stop()


def serve(server: PlatformServer, case: Case, body: bytes) -> str:
    headers = {}
    if case.link_next:
        headers["Link"] = f'<{server.url}{case.path}?page=2&max_id=1>; rel="next"'
    route = Route(body, content_type=case.content_type, headers=headers)
    server.routes[case.path] = route
    # the App Store pages by path: its page 2 is the same body again
    server.routes[case.path.replace("/page=1/", "/page=2/")] = route
    return server.url + case.path


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_each_kind_reads_its_recorded_response_through_url(server: PlatformServer, shared: Path,
                                                           case: Case) -> None:
    body = (shared / "fixtures" / case.fixture).read_bytes()
    url = serve(server, case, body)
    delay = {"page_delay": "0s"} if case.paged else {}
    source = source_from(kind=case.kind, name=f"served-{case.kind}", url=url, **case.keys, **delay)
    before = sum(server.hits.values())

    result = fetch(source)

    expected = case.ids(body)
    assert [m.external_id for m in result.mentions] == expected, result.warnings
    assert len(set(expected)) == len(expected) > 0
    assert {m.platform for m in result.mentions} == {case.platform or case.kind}
    for mention in result.mentions:
        assert mention.text and mention.author and mention.url
        assert not CLOSING_TAG.search(mention.text) and "&lt;" not in mention.text
        if case.kind != "appstore":  # the 2020 review feed has no dates
            assert mention.created_at is not None and mention.created_at.tzinfo is not None
    assert all("repeats" in w for w in result.warnings), result.warnings
    assert sum(server.hits.values()) - before == case.requests
    json.dumps(result.cursor)  # the store keeps it as JSON

    again = fetch(source, cursor=result.cursor)
    assert again.mentions == [], "the cursor remembers what was read"
    assert again.not_modified or "newest" in again.cursor
