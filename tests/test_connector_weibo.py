import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from connectors.presets import count
from tests.helpers import fails, fetch, source_from
from watcher.config import ConfigError
from watcher.errors import SourceError

URL = "https://m.weibo.cn/api/container/getIndex"
FIXTURES = Path(__file__).parent / "fixtures" / "presets"
SHANGHAI = ZoneInfo("Asia/Shanghai")
COOKIE = "SUB=_2A25secret-session; SUBP=0033Wr"
RECORDED = "fixtures/weibo/m_weibo_cn_getIndex_containerid_1076031669879400_page2.json"


def source(**keys: object) -> object:
    table = {"kind": "weibo", "cookie": COOKIE, "page_delay": "0s"} | keys
    if "uid" not in table:
        table.setdefault("keyword", "客服")
    return source_from(**table)


@respx.mock
def test_keyword_search_with_relative_times_and_counts() -> None:
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(200, content=(FIXTURES / "weibo_search.json").read_bytes()),
        httpx.Response(200, json={"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}),
    ])
    before = datetime.now(SHANGHAI)
    result = fetch(source())  # type: ignore[arg-type]
    newest, yesterday, older = result.mentions
    assert newest.text == "买的热水器漏电了，#客服#一直不回复 & 要投诉12315"
    assert newest.external_id == "5100000000000003" and newest.author == "消费者甲"
    assert newest.url == "https://m.weibo.cn/status/PaBcD3" and newest.platform == "weibo"
    assert newest.engagement == {"likes": 12, "reposts": 12000, "replies": 1000000}
    assert newest.created_at is not None
    assert timedelta(minutes=2) < before - newest.created_at < timedelta(minutes=4)
    assert yesterday.created_at == datetime.combine(
        before.date() - timedelta(days=1), datetime.min.time(), SHANGHAI).replace(hour=12)
    assert yesterday.url == "https://m.weibo.cn/status/PaBcD2"
    this_year = datetime(before.year, 11, 20, tzinfo=SHANGHAI)  # "11-20": the latest one past
    assert older.created_at == (this_year if this_year <= before + timedelta(days=1)
                                else this_year.replace(year=before.year - 1))
    assert result.warnings == ["item 3: a post card without a numeric mblog id ('')"]
    first, second = (call.request for call in route.calls)
    assert first.headers["cookie"] == COOKIE
    assert dict(first.url.params) == {"containerid": "100103type=61&q=客服&t=0",
                                      "page_type": "searchall", "page": "1"}
    assert second.url.params["page"] == "2"


@respx.mock
def test_user_timeline_pages_by_since_id_past_a_pinned_post() -> None:
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(200, content=(FIXTURES / "weibo_user.json").read_bytes()),
        httpx.Response(200, json={"ok": 1, "data": {"cardlistInfo": {}, "cards": [
            {"card_type": 9, "mblog": {"id": "4500000000000000", "text": "旧的",
                                       "created_at": "11-01", "user": {"screen_name": "a"}}}]}}),
    ])
    cursor = {"newest": 4500000000000000, "ids": ["4500000000000000"]}
    result = fetch(source(uid="1234567890"), cursor=cursor)  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == ["5000000000000002"]
    first, second = (call.request.url.params for call in route.calls)
    assert (first["type"], first["value"], first["containerid"]) == ("uid", "1234567890",
                                                                     "1076031234567890")
    assert second["since_id"] == "5000000000000001"


@pytest.mark.parametrize("response", [
    httpx.Response(432, text="请重新登录"),
    httpx.Response(200, json={"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}),
    httpx.Response(302, headers={"Location": "https://passport.weibo.cn/signin/login?r=x"}),
])
@respx.mock
def test_an_expired_cookie_is_a_blocked_source(response: httpx.Response) -> None:
    respx.get(URL).mock(return_value=response)
    respx.get(url__startswith="https://passport.weibo.cn/").respond(200, text="<html>登录</html>")
    with pytest.raises(SourceError, match="cookie expired: renew `cookie`") as caught:
        fetch(source())  # type: ignore[arg-type]
    assert caught.value.kind == "blocked" and "SUB=" not in str(caught.value)
    assert str(caught.value).startswith("weibo blocked the request (")


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(200, json={"ok": 1, "data": {"cards": None}}), "changed shape", "parse"),
    (httpx.Response(200, json={"ok": 0, "msg": "系统繁忙"}), "ok=0: 系统繁忙", "http"),
    (httpx.Response(200, json={"ok": 0, "msg": "请求过于频繁"}), "请求过于频繁", "rate_limited"),
    (httpx.Response(418), "HTTP 418", "http"),
])
@respx.mock
def test_unusable_answers(response: httpx.Response, message: str, kind: str) -> None:
    fails(URL, response, source(), message, kind)


@respx.mock
def test_nothing_found_is_not_an_error() -> None:
    respx.get(URL).respond(200, json={"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
    result = fetch(source())  # type: ignore[arg-type]
    assert result.mentions == [] and result.warnings == []


@pytest.mark.parametrize(("keys", "message"), [
    ({}, "set exactly one of keyword, uid, post"),
    ({"keyword": "客服", "uid": "123"}, "set exactly one of keyword, uid, post"),
    ({"uid": "dilireba"}, "uid: must be the user's number"),
])
def test_bad_keys(keys: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        source_from(kind="weibo", cookie=COOKIE, **keys)


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    posts = [card["mblog"] for card in json.loads(body)["data"]["cards"]]
    respx.get(URL).mock(side_effect=[httpx.Response(200, content=body),
                                     httpx.Response(200, json={"ok": 1, "data": {"cards": []}})])
    result = fetch(source(uid="1669879400"))  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [p["mid"] for p in posts]
    assert [m.engagement["reposts"] for m in result.mentions] == [count(p["reposts_count"])
                                                                  for p in posts]
    assert 1_000_000 in [m.engagement["reposts"] for m in result.mentions]  # "100万+"
    for mention, post in zip(result.mentions, posts, strict=True):
        month, day = map(int, post["created_at"].split("-"))
        assert mention.created_at is not None
        assert (mention.created_at.month, mention.created_at.day) == (month, day)
        assert mention.url == f"https://m.weibo.cn/status/{post['bid']}" and "<" not in mention.text


@respx.mock
def test_a_repost_carries_the_post_it_passes_on(shared: Path) -> None:
    """Weibo gives a repost's own words in `text` and the post in `retweeted_status`: the
    mention reads as Weibo shows it, so a repost of a complaint is linked to it as a copy."""
    body = (shared / RECORDED).read_bytes()
    respx.get(URL).mock(side_effect=[httpx.Response(200, content=body),
                                     httpx.Response(200, json={"ok": 1, "data": {"cards": []}})])
    result = fetch(source(uid="1669879400"))  # type: ignore[arg-type]
    by_id = {m.external_id: m for m in result.mentions}
    assert by_id["4383180406740606"].text == (
        "大家一起电影院约起来啊～～～ //@代斯daisy: 写在《秦明·生死语者》上映这一天…… "
        "#614致敬法医##首部法医秦明大电影#")
    assert sum("//@" in m.text for m in result.mentions) == 1


@respx.mock
def test_the_old_open_api_is_a_changed_shape(shared: Path) -> None:
    body = (shared / "fixtures/weibo/open_api_statuses_user_timeline_huginn.json").read_bytes()
    respx.get(URL).respond(200, content=body)
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source())  # type: ignore[arg-type]
    assert caught.value.kind == "parse"
