"""`xiaohongshu` against its recorded answers (Xiaohongshu's own web shape and TikHub's app
shape) and a loopback platform reached through `base_url`: comments and sub-comments, notes,
paging, the cursor across sweeps, each blocked answer, a changed shape."""

from __future__ import annotations

import json

import pytest

from connectors.xiaohongshu import object_time
from tests.cnserver import Answer, CnServer, recorded
from tests.helpers import fetch, source_from
from watcher.model import SourceError

COMMENTS = "/api/v1/xiaohongshu/web/get_note_comments"
SUBS = "/api/v1/xiaohongshu/web/get_note_sub_comments"
SEARCH = "/api/v1/xiaohongshu/web/search_notes"
NOTE = "66696f98000000000d00f289"
NO_MORE = json.dumps({"code": 0, "success": True, "data": {"comments": [],
                                                           "has_more": False}}).encode()


def source(server: CnServer, **keys: object) -> object:
    table = {"kind": "xiaohongshu", "base_url": server.url, "token": "th",
             "page_delay": "0s"} | keys
    if not {"keyword", "uid"} & set(keys):
        table.setdefault("note", NOTE)
    return source_from(**table)


def test_object_ids_carry_their_time() -> None:
    assert object_time("66971acb0000000005020d08") == 1721178827  # create_time 1721178828000
    assert object_time("not-an-id") is None


def test_recorded_comment_page(platform: CnServer) -> None:
    body = recorded(f"xiaohongshu/edith_api_sns_web_v2_comment_page__note{NOTE}.json")
    platform.serve(COMMENTS, body, NO_MORE)
    platform.serve(SUBS, NO_MORE)
    result = fetch(source(platform, max_pages=30))
    expected = []
    for c in json.loads(body)["data"]["comments"]:
        expected.append((c["id"], None))
        expected += [(s["id"], s["target_comment"]["id"]) for s in c["sub_comments"]]
    assert [(m.external_id, m.parent_id) for m in result.mentions] == expected
    first = result.mentions[0]
    assert first.author == "是奶芙呀~" and first.engagement == {"likes": 17, "replies": 8}
    assert first.created_at is not None and first.created_at.timestamp() == 1721178828
    more = [c["id"] for c in json.loads(body)["data"]["comments"] if c["sub_comment_has_more"]]
    assert [a.query["comment_id"] for a in platform.asked if a.path == SUBS] == more
    assert platform.asked[0].query == {"note_id": NOTE, "lastCursor": ""}
    following = [a for a in platform.asked if a.path == COMMENTS][1]
    assert following.query["lastCursor"] == "66c993bc00000000150390e6"


@pytest.mark.parametrize(("name", "path"), [
    ("xiaohongshu/edith_api_sns_web_v1_search_notes.json", "data.items"),
    ("xiaohongshu/tikhub_web_search_notes_keyword_chenpi.json", "data.data.items"),
])
def test_recorded_searches(platform: CnServer, name: str, path: str) -> None:
    body = recorded(name)
    items = json.loads(body)
    for part in path.split("."):
        items = items[part]
    platform.serve(SEARCH, body)
    result = fetch(source(platform, keyword="陈皮", max_pages=1))
    notes = [i for i in items if i["model_type"] == "note"]
    titled = [n for n in notes if (n.get("note_card") or n.get("note") or {}).get(
        "display_title") or (n.get("note") or {}).get("title") or (n.get("note") or {}).get("desc")]
    assert [m.external_id for m in result.mentions] == [n.get("id") or n["note"]["id"]
                                                         for n in titled]
    assert len(result.warnings) == len(notes) - len(titled)
    assert all(m.created_at and m.url and m.author for m in result.mentions)


def test_paging_and_the_cursor_across_sweeps(platform: CnServer) -> None:
    def comment(ident: str, when: int) -> dict[str, object]:
        return {"id": ident, "note_id": NOTE, "content": f"评论{ident}", "create_time": when,
                "like_count": "1", "sub_comment_count": "0", "sub_comments": [],
                "user_info": {"nickname": "n"}}

    def page(items: list[dict[str, object]], more: bool) -> bytes:
        return json.dumps({"code": 0, "success": True, "data": {
            "comments": items, "cursor": items[-1]["id"], "has_more": more}}).encode()

    platform.serve(COMMENTS, page([comment("c2", 2000), comment("c1", 1000)], True),
                   page([comment("c0", 500)], False))
    first = fetch(source(platform, max_pages=3))
    assert [m.external_id for m in first.mentions] == ["c2", "c1", "c0"]
    platform.serve(COMMENTS, page([comment("c3", 3000), comment("c2", 2000)], False))
    again = fetch(source(platform, max_pages=3), cursor=first.cursor)
    assert [m.external_id for m in again.mentions] == ["c3"]


@pytest.mark.parametrize(("answer", "code"), [
    (Answer(json.dumps({"code": 0, "success": True, "msg": "成功", "data": {}}).encode(),
            status=461), "HTTP 461"),
    (Answer(json.dumps({"code": 300011, "success": False, "msg": "检测到账号异常"}).encode()),
     "300011"),
    (Answer(json.dumps({"code": 300012, "success": False}).encode()), "300012"),
    (Answer(json.dumps({"code": -100, "errCode": -100, "success": False,
                        "msg": "登录已过期"}).encode()), "-100"),
    (Answer(json.dumps({"code": -104, "success": False, "data": {}}).encode()), "-104"),
    (Answer(json.dumps({"code": 200, "request_id": "x", "router": "/r", "data": {
        "code": 300011, "success": False}}).encode()), "300011"),  # inside TikHub's envelope
])
def test_each_blocked_answer(platform: CnServer, answer: Answer, code: str) -> None:
    platform.serve(COMMENTS, answer)
    with pytest.raises(SourceError, match=f"xiaohongshu blocked the request \\({code}\\)") as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked"


def test_an_unexpected_shape_is_an_error(platform: CnServer) -> None:
    platform.serve(COMMENTS, json.dumps({"code": 0, "data": {"comments": {}}}).encode())
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source(platform))
    assert caught.value.kind == "parse"
