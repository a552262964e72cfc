"""`tmall` and `jd`: one product's newest reviews with their star rating. Tmall's answer past
the last page is recorded (../shared/fixtures/taobao); the full pages in tests/fixtures/cn/ are
built from the shapes in ../shared/fixtures/CN-PLATFORMS.md (section 6), JD's in GBK as JD
serves it. Served through `url` and `base_url`: paging, the cursor, log-in pages, changed shapes."""

from __future__ import annotations

import pytest

from tests.cnserver import Answer, CnServer, own, recorded
from tests.helpers import fetch, source_from
from watcher.model import SourceError

TMALL, JD = "/list_detail_rate.htm", "/comment/productPageComments.action"
JSONP = "application/javascript"


def source(server: CnServer, kind: str, **keys: object) -> object:
    table = {"kind": kind, "item": "559482060271", "cookie": "x=secret", "base_url": server.url,
             "page_delay": "0s"} | keys
    return source_from(**table)


def test_tmall_pages_until_the_recorded_page_past_the_last(platform: CnServer) -> None:
    beyond = recorded("taobao/rate_tmall_com__list_detail_rate_htm__item559482060271_page_"
                      "beyond_last__jsonp928.jsonp")
    platform.serve(TMALL, Answer(own("tmall_rate_page1.jsonp"), content_type=JSONP),
                   Answer(beyond, content_type=JSONP))
    result = fetch(source(platform, "tmall"))
    assert [m.external_id for m in result.mentions] == ["1120000000003", "1120000000002"]
    assert "追评：退货申请被拒" in result.mentions[0].text and result.mentions[0].platform == "tmall"
    assert [a.query["currentPage"] for a in platform.asked] == ["1", "2"]
    assert platform.asked[0].query["itemId"] == "559482060271"
    assert platform.asked[0].query["order"] == "3"  # newest first
    again = fetch(source(platform, "tmall"), cursor=result.cursor)
    assert again.mentions == []


def test_jd_reads_gbk_jsonp_with_the_star_rating(platform: CnServer) -> None:
    platform.serve(JD, Answer(own("jd_comments_gbk.jsonp"), content_type=JSONP))
    result = fetch(source(platform, "jd", item="100012043978"))
    low, high = result.mentions
    assert (low.rating, high.rating) == (1.0, 5.0) and low.text == "用了三天就坏了，售后电话打不通"
    assert high.text.endswith("一个月后仍然好用") and low.author == "j***a"
    assert low.url == "https://item.jd.com/100012043978.html#comment-19000000002"
    assert platform.asked[0].query["sortType"] == "6" and platform.asked[0].query["page"] == "0"


def test_url_replaces_the_single_endpoint(platform: CnServer) -> None:
    platform.serve("/mirror/rate", Answer(own("tmall_rate_page1.jsonp"), content_type=JSONP))
    result = fetch(source_from(kind="tmall", item="1", cookie="c", page_delay="0s",
                               max_pages=1, url=f"{platform.url}/mirror/rate?key=k"))
    assert len(result.mentions) == 2 and platform.asked[0].query["key"] == "k"


@pytest.mark.parametrize("kind", ["tmall", "jd"])
@pytest.mark.parametrize("body", ["<html><title>登录</title></html>",
                                  '{"rgv587_flag":"sm","url":"/_____tmd_____/punish"}', ""])
def test_log_in_and_captcha_pages_are_blocked(platform: CnServer, kind: str, body: str) -> None:
    platform.serve(TMALL if kind == "tmall" else JD, Answer(body.encode(), content_type="text/html"))
    with pytest.raises(SourceError, match=f"{kind} blocked the request") as caught:
        fetch(source(platform, kind))
    assert caught.value.kind == "blocked" and "renew `cookie`" in str(caught.value)


@pytest.mark.parametrize(("kind", "body"), [("tmall", 'jsonp1({"rateDetail": 3})'),
                                            ("jd", 'fetchJSON_comment98({"maxPage": 1})'),
                                            ("jd", "fetchJSON_comment98({oops")])
def test_an_unexpected_shape_is_an_error(platform: CnServer, kind: str, body: str) -> None:
    platform.serve(TMALL if kind == "tmall" else JD, Answer(body.encode(), content_type=JSONP))
    with pytest.raises(SourceError, match="changed shape") as caught:
        fetch(source(platform, kind))
    assert caught.value.kind == "parse"
