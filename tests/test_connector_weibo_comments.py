"""`weibo`'s comments (issue #12): `post` (the comments under one post) and `uid` with
`comments = N`, from m.weibo.cn's hotflow JSON, from weibo.cn's HTML comment page (recorded), and
through TikHub; served on loopback through `base_url`."""

from __future__ import annotations

import json

import pytest

from tests.cnserver import Answer, CnServer, recorded
from tests.helpers import fetch, source_from
from watcher.model import SourceError

HOTFLOW, INDEX = "/comments/hotflow", "/api/container/getIndex"
MID = "4512406093645620"


def source(server: CnServer, **keys: object) -> object:
    table = {"kind": "weibo", "base_url": server.url, "cookie": "SUB=s", "page_delay": "0s"}
    if not {"uid", "keyword"} & set(keys):
        table["post"] = MID
    return source_from(**(table | keys))


def comment(ident: int, text: str, replies: list[dict[str, object]] | None = None
            ) -> dict[str, object]:
    return {"id": ident, "text": text, "created_at": "Sat Jun 06 12:00:00 +0800 2020",
            "like_count": 3, "total_number": len(replies or []), "comments": replies or False,
            "user": {"screen_name": f"用户{ident}", "followers_count": 1234, "verified": ident % 2 == 0}}


def hotflow(items: list[dict[str, object]], max_id: int = 0) -> bytes:
    return json.dumps({"ok": 1, "data": {"data": items, "total_number": 9, "max_id": max_id,
                                         "max_id_type": 0}}).encode()


def test_post_comments_with_replies_paging_and_cursor(platform: CnServer) -> None:
    reply = comment(4512500000000003, "回复：一样的问题")
    platform.serve(HOTFLOW, hotflow([comment(4512500000000002, "客服不回复", [reply])], 77),
                   hotflow([comment(4512500000000001, "质量太差")]))
    first = fetch(source(platform))
    assert [(m.external_id, m.parent_id) for m in first.mentions] == [
        ("4512500000000002", MID), ("4512500000000003", "4512500000000002"),
        ("4512500000000001", MID)]
    top = first.mentions[0]
    assert top.author_followers == 1234 and top.author_verified is True
    assert top.url == f"https://m.weibo.cn/status/{MID}#comment4512500000000002"
    assert platform.asked[0].query == {"id": MID, "mid": MID, "max_id_type": "0"}
    assert platform.asked[1].query["max_id"] == "77"
    platform.serve(HOTFLOW, hotflow([comment(4512500000000009, "又坏了"),
                                     comment(4512500000000002, "客服不回复")]))
    again = fetch(source(platform), cursor=first.cursor)
    assert [m.external_id for m in again.mentions] == ["4512500000000009"]


def test_recorded_html_comment_page(platform: CnServer) -> None:
    body = recorded("weibo/weibo_cn__comment_J5cVGuUNq_page1.html")
    platform.serve(HOTFLOW, Answer(body, content_type="text/html; charset=utf-8"))
    platform.serve(f"/comment/{MID}", Answer(b"<html><body></body></html>",
                                            content_type="text/html"))
    result = fetch(source(platform, max_pages=2))
    ids = [m.external_id for m in result.mentions]
    assert ids[:3] == ["4512413737386822", "4512414056541102", "4512413871654824"]  # [热门]
    assert len(ids) == 11 and ids[-1] == "4763485294037480"
    assert result.warnings == ["item 4: item has no text or title"]  # only emoji images
    hot = result.mentions[0]
    assert hot.author == "LUX力士" and hot.author_verified is True
    assert hot.engagement == {"likes": 18737} and hot.text == "大家和迪迪一起保护动物"
    assert result.mentions[3].text.startswith("//@Dear-迪丽热巴:在羌塘的美好回忆")
    assert all(m.created_at and m.created_at.tzinfo for m in result.mentions)
    assert platform.asked[1].path == f"/comment/{MID}" and platform.asked[1].query == {"page": "2"}


def test_uid_with_comments_reads_the_newest_posts_threads(platform: CnServer) -> None:
    body = recorded("weibo/m_weibo_cn__api_container_getIndex__containerid1076036279793937"
                    "_user_timeline.json")
    platform.serve(INDEX, body, json.dumps({"ok": 0, "msg": "这里还没有内容",
                                            "data": {"cards": []}}).encode())
    platform.serve(HOTFLOW, hotflow([comment(4700000000000001, "评论")]))
    result = fetch(source(platform, uid="6279793937", comments=2, max_pages=4))
    posts = sorted((int(c["mblog"]["mid"]) for c in json.loads(body)["data"]["cards"]
                    if c.get("mblog")), reverse=True)
    threads = [a.query["id"] for a in platform.asked if a.path == HOTFLOW]
    assert threads == [str(m) for m in posts[:2]]
    assert "4700000000000001" in [m.external_id for m in result.mentions]
    timeline = next(m for m in result.mentions if m.external_id == str(posts[0]))
    assert timeline.author_followers == 1363591 and timeline.author_verified is True


def test_through_tikhub(platform: CnServer) -> None:
    envelope = {"code": 200, "request_id": "r", "router": "/api/v1/weibo/web_v2/fetch_post_comments",
                "data": json.loads(hotflow([comment(4512500000000004, "差评")]))}
    platform.serve("/api/v1/weibo/web_v2/fetch_post_comments", json.dumps(envelope).encode())
    result = fetch(source_from(kind="weibo", post=MID, provider="tikhub", token="tk",
                               base_url=platform.url, page_delay="0s"))
    assert [m.external_id for m in result.mentions] == ["4512500000000004"]
    assert platform.asked[0].headers["Authorization"] == "Bearer tk"


@pytest.mark.parametrize("answer", [Answer(b"", status=432),
                                    Answer(json.dumps({"ok": -100}).encode())])
def test_blocked_comment_answers(platform: CnServer, answer: Answer) -> None:
    platform.serve(HOTFLOW, answer)
    with pytest.raises(SourceError, match="cookie expired: renew `cookie`") as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked"


def test_an_unexpected_shape_is_an_error(platform: CnServer) -> None:
    platform.serve(HOTFLOW, json.dumps({"ok": 1, "data": {"data": "?"}}).encode())
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source(platform))
    assert caught.value.kind == "parse"


@pytest.mark.parametrize(("keys", "message"), [
    ({"uid": "1", "comments": 3, "post": "1"}, "set exactly one of keyword, uid, post"),
    ({"keyword": "a", "comments": 2}, "comments: needs uid"),
    ({"uid": "1", "comments": 99}, "comments: must be from 0 to 20"),
    ({"post": "abc"}, "post: must be the post's mid"),
])
def test_bad_keys(keys: dict[str, object], message: str) -> None:
    from watcher.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        source_from(kind="weibo", cookie="c", **keys)
