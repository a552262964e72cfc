"""`douyin` (through TikHub) against its recorded answers and a loopback platform reached
through `base_url`: comments and their replies, search, paging, the cursor across sweeps,
Douyin's empty body and TikHub's refusals, a changed shape."""

from __future__ import annotations

import json

import pytest

from tests.cnserver import Answer, CnServer, recorded
from tests.helpers import fetch, source_from
from watcher.model import SourceError

COMMENTS = "/api/v1/douyin/web/fetch_video_comments"
REPLIES = "/api/v1/douyin/web/fetch_video_comment_replies"
SEARCH = "/api/v1/douyin/web/fetch_general_search_result"
RECORDED = ("douyin/tikhub__douyin_web_fetch_video_comments__aweme_id7565738211130035491"
            "_cursor0_count20.json")
EMPTY_REPLIES = json.dumps({"status_code": 0, "comments": [], "has_more": 0}).encode()


def source(server: CnServer, **keys: object) -> object:
    table = {"kind": "douyin", "base_url": server.url, "token": "th", "page_delay": "0s"} | keys
    if not {"keyword", "uid"} & set(keys):
        table.setdefault("video", "7565738211130035491")
    return source_from(**table)


def test_recorded_comments_and_their_replies(platform: CnServer) -> None:
    body = recorded(RECORDED)
    comments = json.loads(body)["data"]["comments"]
    platform.serve(COMMENTS, body, json.dumps({"status_code": 0, "comments": [],
                                               "has_more": 0}).encode())
    platform.serve(REPLIES, EMPTY_REPLIES)
    result = fetch(source(platform, max_pages=40))
    with_text = [c for c in comments if c["text"]]
    assert [m.external_id for m in result.mentions] == [c["cid"] for c in with_text]
    assert result.warnings == [f"item {i}: item has no text or title"
                               for i, c in enumerate(comments) if not c["text"]]
    first = result.mentions[0]
    assert first.author == "踢爱福" and first.created_at and first.created_at.tzinfo
    assert first.url == "https://www.douyin.com/video/7565738211130035491"
    assert first.author_verified is False and first.author_followers is None
    replied = [a.query["comment_id"] for a in platform.asked if a.path == REPLIES]
    assert replied == [c["cid"] for c in with_text if c["reply_comment_total"]]
    assert platform.asked[0].headers["Authorization"] == "Bearer th"


def test_recorded_search(platform: CnServer) -> None:
    body = recorded("douyin/tikhub_douyin_fetch_general_search_v1_keyword_maomi_TRIMMED_first3.json")
    platform.serve(SEARCH, body)
    result = fetch(source(platform, keyword="猫咪", max_pages=1))
    cards = json.loads(body)["data"]["data"]
    assert [m.external_id for m in result.mentions] == [c["aweme_info"]["aweme_id"]
                                                         for c in cards]
    assert result.mentions[1].engagement == {"likes": 60149, "replies": 3296, "reposts": 3468}
    assert platform.asked[0].query["sort_type"] == "2"  # newest first


def _comment(cid: str, when: int, replies: int = 0, reply_to: str = "0") -> dict[str, object]:
    return {"cid": cid, "text": f"评论{cid}", "create_time": when, "aweme_id": "1",
            "digg_count": 1, "reply_comment_total": replies, "reply_id": reply_to,
            "user": {"nickname": f"u{cid}", "follower_count": 12,
                     "custom_verify": "认证", "enterprise_verify_reason": ""}}


def test_paging_replies_and_the_cursor_across_sweeps(platform: CnServer) -> None:
    page1 = {"status_code": 0, "comments": [_comment("a", 100, replies=1), _comment("b", 90)],
             "cursor": 2, "has_more": 1}
    page2 = {"status_code": 0, "comments": [_comment("c", 80)], "cursor": 3, "has_more": 0}
    reply = {"status_code": 0, "comments": [_comment("r", 110, reply_to="a")], "has_more": 0}
    platform.serve(COMMENTS, json.dumps(page1).encode(), json.dumps(page2).encode())
    platform.serve(REPLIES, json.dumps(reply).encode())
    first = fetch(source(platform, video="1", max_pages=5))
    assert [m.external_id for m in first.mentions] == ["a", "b", "r", "c"]
    r = first.mentions[2]
    assert r.parent_id == "a" and r.author_followers == 12 and r.author_verified is True
    assert [a.path for a in platform.asked] == [COMMENTS, REPLIES, COMMENTS]
    assert platform.asked[2].query["cursor"] == "2"
    newer = {"status_code": 0, "comments": [_comment("d", 120), _comment("a", 100, 1)],
             "cursor": 2, "has_more": 0}
    platform.serve(COMMENTS, json.dumps(newer).encode())
    again = fetch(source(platform, video="1", max_pages=5), cursor=first.cursor)
    assert [m.external_id for m in again.mentions] == ["d"]  # newer than the newest read


def test_an_empty_body_is_blocked(platform: CnServer) -> None:
    platform.serve(COMMENTS, Answer(b"", content_type="text/plain"))
    with pytest.raises(SourceError, match=r"douyin blocked the request \(empty body\)") as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked"


@pytest.mark.parametrize("status", [401, 402, 429])
def test_tikhub_refusals(platform: CnServer, status: int) -> None:
    platform.serve(COMMENTS, Answer(b'{"detail": "no"}', status=status))
    with pytest.raises(SourceError, match=f"tikhub blocked the request \\(HTTP {status}\\)") as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked"


def test_an_unexpected_shape_is_an_error(platform: CnServer) -> None:
    platform.serve(COMMENTS, json.dumps({"status_code": 0, "aweme": {}}).encode())
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source(platform))
    assert caught.value.kind == "parse"


def test_only_tikhub_is_offered() -> None:
    from watcher.config import ConfigError

    with pytest.raises(ConfigError, match="provider: must be one of 'tikhub'"):
        source_from(kind="douyin", video="1", provider="direct", token="t")
    with pytest.raises(ConfigError, match="needs token"):
        source_from(kind="douyin", video="1")
