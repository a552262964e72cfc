"""`bilibili` against its recorded answers (../shared/fixtures/bilibili) and a loopback platform
reached through `base_url`: wbi signing and video ids on the published vectors, comments with
their replies, paging, the cursor across sweeps, each blocked answer, a changed shape."""

from __future__ import annotations

import json

import pytest

from connectors import wbi
from tests.cnserver import Answer, CnServer, recorded
from tests.helpers import fetch, source_from
from watcher.model import SourceError

NAV = json.dumps({"code": -101, "message": "账号未登录", "data": {"wbi_img": {
    "img_url": "https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png",
    "sub_url": "https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png"}}}).encode()


def source(server: CnServer, **keys: object) -> object:
    table = {"kind": "bilibili", "base_url": server.url, "page_delay": "0s"} | keys
    if not {"keyword", "uid"} & set(keys):
        table.setdefault("video", "av2")
    return source_from(**table)


def test_wbi_signing_matches_the_published_vector() -> None:
    key = wbi.mixin("7cd084941338484aae1ad9425b84077c", "4932caff0ff746eab6f01bf08b70ac45")
    assert key == "ea1db124af3c7062474693fa704f4ff8"
    signed = wbi.sign({"foo": "114", "bar": "514", "zab": 1919810}, key, now=1702204169)
    assert signed["w_rid"] == "8f6f2b5b3d485fe1886cec6a0be8c5d4" and signed["wts"] == 1702204169
    # our own worked example: the characters !'() * are taken out of values before hashing
    assert wbi.sign({"q": "a!b'(c)*"}, key, 1)["w_rid"] == wbi.sign({"q": "abc"}, key, 1)["w_rid"]


@pytest.mark.parametrize(("bvid", "aid"), [
    ("BV1L9Uoa9EUx", 111298867365120),  # bilibili-API-collect bvid_desc.md
    ("BV1De411p77r", 243082173),  # the recorded search answer's own pairs
    ("BV19wFGzzEPZ", 116004801741275),
])
def test_video_ids(bvid: str, aid: int) -> None:
    assert wbi.video_aid(bvid) == aid and wbi.bvid(aid) == bvid
    assert wbi.video_aid(f"av{aid}") == aid and wbi.video_aid("BV1xyz") is None


def _comment_ids(body: bytes) -> list[tuple[str, str | None]]:
    """(id, parent) of every comment and shown reply, as the answer lists them."""
    found = []
    for root in json.loads(body)["data"]["replies"]:
        found.append((str(root["rpid"]), None))
        found += [(str(r["rpid"]), str(r["parent"])) for r in root.get("replies") or []]
    return found


@pytest.mark.parametrize("name", ["x_v2_reply__type1_oid2_sort1_ps5_pn1_nohot1.json",
                                  "x_v2_reply_main__type1_oid2_mode3_next0_ps5.json",
                                  "x_v2_reply_hot__type1_oid2_ps5_pn1.json"])
def test_recorded_comment_answers(platform: CnServer, name: str) -> None:
    body = recorded(f"bilibili/{name}")
    platform.serve("/x/v2/reply", body, json.dumps({"code": 0, "data": {"replies": []}}).encode())
    platform.serve("/x/v2/reply/reply", json.dumps({"code": 0, "data": {"replies": []}}).encode())
    result = fetch(source(platform, max_pages=20))
    got = [(m.external_id, m.parent_id) for m in result.mentions]
    assert got == _comment_ids(body), result.warnings
    first = json.loads(body)["data"]["replies"][0]
    mention = result.mentions[0]
    assert mention.author == ((first["member"] or {}).get("uname") or str(first["mid"]))
    assert mention.engagement["likes"] == first["like"] and mention.created_at is not None
    assert mention.created_at.timestamp() == first["ctime"] and mention.created_at.tzinfo
    assert mention.url == f"https://www.bilibili.com/video/av2#reply{first['rpid']}"
    more = [r for r in json.loads(body)["data"]["replies"]
            if r["rcount"] > len(r.get("replies") or [])]
    asked = [a.query["root"] for a in platform.asked if a.path == "/x/v2/reply/reply"]
    assert asked == [str(r["rpid"]) for r in more]  # the rest of each thread is asked for
    assert platform.asked[0].query == {"type": "1", "oid": "2", "sort": "0", "ps": "20", "pn": "1"}


def test_a_verified_commenter(platform: CnServer) -> None:
    body = recorded("bilibili/x_v2_reply_main__type1_oid2_mode3_next0_ps5.json")
    platform.serve("/x/v2/reply", body)
    platform.serve("/x/v2/reply/reply", json.dumps({"code": 0, "data": {"replies": []}}).encode())
    result = fetch(source(platform, max_pages=1))
    founder = next(m for m in result.mentions if m.author == "碧诗")
    assert founder.author_verified is True  # official_verify.type 0: bilibili创始人（站长）
    assert {m.author_verified for m in result.mentions if m.author != "碧诗"} == {False}


def test_recorded_search_direct_is_signed(platform: CnServer) -> None:
    body = recorded("bilibili/x_web-interface_search_type__video_kw_shaonian_page1.json")
    platform.serve("/x/web-interface/nav", NAV)
    platform.serve("/x/web-interface/wbi/search/type", body)
    result = fetch(source(platform, keyword="少年", max_pages=1))
    videos = json.loads(body)["data"]["result"]
    assert [m.external_id for m in result.mentions] == [v["bvid"] for v in videos]
    assert result.mentions[0].title == "梦然-《少年》官方版"  # the <em> of the match is gone
    assert result.mentions[0].url == "https://www.bilibili.com/video/BV1De411p77r"
    query = next(a.query for a in platform.asked if a.path.endswith("/search/type"))
    assert query["keyword"] == "少年" and query["order"] == "pubdate"
    params = {k: v for k, v in query.items() if k != "w_rid"}
    assert query["w_rid"] == wbi.sign(params, "ea1db124af3c7062474693fa704f4ff8",
                                      int(query["wts"]))["w_rid"]


def test_recorded_search_through_tikhub(platform: CnServer) -> None:
    body = recorded("bilibili/tikhub_web_fetch_general_search_keyword_naruto.json")
    platform.serve("/api/v1/bilibili/web/fetch_general_search", body)
    result = fetch(source(platform, keyword="火影忍者", provider="tikhub", token="th-key",
                          max_pages=1))
    videos = json.loads(body)["data"]["data"]["result"]
    assert [m.external_id for m in result.mentions] == [v["bvid"] for v in videos]
    assert platform.asked[0].headers["Authorization"] == "Bearer th-key"
    assert "Cookie" not in platform.asked[0].headers


def test_paging_and_the_cursor_across_sweeps(platform: CnServer) -> None:
    def page(number: int, rpids: list[int]) -> bytes:
        return json.dumps({"code": 0, "data": {
            "page": {"num": number, "size": 2, "count": 6},
            "replies": [{"rpid": r, "oid": 2, "mid": 7, "ctime": 1_700_000_000 + r, "like": 0,
                         "rcount": 0, "member": {"uname": "u", "official_verify": {"type": -1}},
                         "content": {"message": f"评论 {r}"}, "replies": None}
                        for r in rpids]}}).encode()

    platform.serve("/x/v2/reply", page(1, [6, 5]), page(2, [4, 3]), page(3, [2, 1]))
    first = fetch(source(platform, max_pages=2))
    assert [m.external_id for m in first.mentions] == ["6", "5", "4", "3"]
    assert [a.query["pn"] for a in platform.asked] == ["1", "2"]
    platform.serve("/x/v2/reply", page(1, [8, 7]), page(2, [6, 5]))
    again = fetch(source(platform, max_pages=5), cursor=first.cursor)
    assert [m.external_id for m in again.mentions] == ["8", "7"]  # stops at what was read


@pytest.mark.parametrize(("answer", "code"), [
    (Answer(json.dumps({"code": -412, "message": "请求被拦截"}).encode()), "-412"),
    (Answer(b"{}", status=412), "HTTP 412"),
    (Answer(json.dumps({"code": -799, "message": "请求过于频繁"}).encode()), "-799"),
    (Answer(json.dumps({"code": -101, "message": "账号未登录"}).encode()), "-101"),
    (Answer(json.dumps({"code": -509, "message": "超出限制"}).encode()), "-509"),
    (Answer(json.dumps({"code": 0, "data": {"v_voucher": "voucher_x"}}).encode()), "v_voucher"),
])
def test_each_blocked_answer(platform: CnServer, answer: Answer, code: str) -> None:
    platform.serve("/x/v2/reply", answer)
    with pytest.raises(SourceError, match=code) as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked" and "bilibili blocked the request" in str(caught.value)


def test_the_recorded_risk_control_answer(platform: CnServer) -> None:
    platform.serve("/x/v2/reply", recorded("bilibili/blocked__code-352_v_voucher.json"))
    with pytest.raises(SourceError, match=r"risk control -352 .*slow down") as caught:
        fetch(source(platform))
    assert caught.value.kind == "blocked"


@pytest.mark.parametrize(("status", "advice"), [(401, "renew `token`"), (402, "top up"),
                                                (429, "slow down")])
def test_tikhub_refusals(platform: CnServer, status: int, advice: str) -> None:
    platform.serve("/api/v1/bilibili/web/fetch_video_comments", Answer(b"{}", status=status))
    with pytest.raises(SourceError, match=advice) as caught:
        fetch(source(platform, provider="tikhub", token="t"))
    assert caught.value.kind == "blocked" and f"HTTP {status}" in str(caught.value)
    assert platform.asked[0].query == {"bv_id": "BV1xx411c7mD", "pn": "1"}  # av2


@pytest.mark.parametrize("body", [{"code": 0, "data": {"replies": "none"}},
                                  {"code": 7, "message": "?"}, {"data": []}])
def test_an_unexpected_shape_is_an_error(platform: CnServer, body: object) -> None:
    platform.serve("/x/v2/reply", json.dumps(body).encode())
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source(platform))
    assert caught.value.kind == "parse"


def test_bad_keys() -> None:
    from watcher.config import ConfigError

    with pytest.raises(ConfigError, match="set exactly one of keyword, video, uid"):
        source_from(kind="bilibili", keyword="a", video="av1")
    with pytest.raises(ConfigError, match="video: must be a BV id"):
        source_from(kind="bilibili", video="hello")
    with pytest.raises(ConfigError, match='token: provider = "tikhub" needs token'):
        source_from(kind="bilibili", video="av1", provider="tikhub")
    with pytest.raises(ConfigError, match="provider: must be one of"):
        source_from(kind="bilibili", video="av1", provider="rsshub")
