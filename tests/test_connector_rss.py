from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fetch, source_from
from watcher.config.schema import ByteSize
from watcher.config.sections import HttpSection
from watcher.errors import SourceError

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://feeds.test/brand.xml"
RSS = (FIXTURES / "complaints.rss").read_bytes()
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


def source() -> object:
    return source_from(kind="rss", url=URL)


@respx.mock
def test_rss_items() -> None:
    respx.get(URL).respond(200, content=RSS, headers=XML)
    result = fetch(source())  # type: ignore[arg-type]
    first, second = result.mentions
    assert first.external_id == "forum-1" and first.title == "热水器漏电"
    assert first.text == "家里的热水器漏电了，孩子差点被电到，再不处理我就打12315！"
    assert first.author == "用户甲" and first.url == "https://forum.test/t/1"
    assert first.created_at == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert second.external_id is None and second.url == "https://forum.test/t/2"
    assert any("no guid" in w for w in result.warnings)


@respx.mock
def test_atom_items() -> None:
    respx.get(URL).respond(200, content=(FIXTURES / "complaints.atom").read_bytes(),
                           headers={"Content-Type": "application/atom+xml"})
    (entry,) = fetch(source()).mentions  # type: ignore[arg-type]
    assert entry.external_id == "urn:review:7"
    assert entry.text == "下单一周了还没发货，客服也不回复" and entry.author == "王五"


@respx.mock
def test_etag_is_kept_in_the_cursor_and_304_means_nothing_new() -> None:
    respx.get(URL).respond(200, content=RSS, headers=XML | {"ETag": '"abc"'})
    first = fetch(source())  # type: ignore[arg-type]
    assert first.cursor == {"http": {"etag": '"abc"'}}
    route = respx.get(URL).respond(304)
    again = fetch(source(), cursor=first.cursor)  # type: ignore[arg-type]
    assert route.calls.last.request.headers["If-None-Match"] == '"abc"'
    assert again.not_modified and again.mentions == [] and again.cursor == first.cursor


@respx.mock
def test_gbk_feed_without_declaration_is_decoded() -> None:
    body = RSS.replace(b' encoding="UTF-8"', b"").decode().encode("gbk")
    respx.get(URL).respond(200, content=body, headers={"Content-Type": "application/xml"})
    result = fetch(source())  # type: ignore[arg-type]
    assert "漏电" in result.mentions[0].text
    assert any("problems" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("response", "message", "kind"),
    [
        (httpx.Response(404), "HTTP 404", "http"),
        (httpx.Response(500), "HTTP 500", "http"),
        (httpx.Response(429, headers={"Retry-After": "999"}), "rate limited", "rate_limited"),
        (httpx.Response(200, content=b"<!DOCTYPE html><html><body>verify you are human</body>"
                        b"</html>", headers={"Content-Type": "text/html"}), "got an HTML page",
         "parse"),
        (httpx.Response(200, content=bytes(range(256)) * 4), "expected an RSS or Atom feed",
         "parse"),
        (httpx.Response(200, content=RSS[: len(RSS) // 2], headers=XML), "truncated", "parse"),
        (httpx.Response(200, content=b"<rss>" + b"x" * 5000), "too large", "too_large"),
    ],
)
@respx.mock
def test_unreadable_responses_are_errors(response: httpx.Response, message: str,
                                         kind: str) -> None:
    respx.get(URL).mock(return_value=response)
    settings = HttpSection(retries=0, max_bytes=ByteSize(4096))
    with pytest.raises(SourceError, match=message) as caught:
        fetch(source(), settings=settings)  # type: ignore[arg-type]
    assert caught.value.kind == kind


@respx.mock
def test_timeout_is_an_error() -> None:
    respx.get(URL).mock(side_effect=httpx.ConnectTimeout("slow"))
    with pytest.raises(SourceError, match="timed out"):
        fetch(source())  # type: ignore[arg-type]


# Real recorded feeds from ../shared/fixtures (see its PROVENANCE.md).
RECORDED = [
    ("youtube/feeds_videos_channel_UCoTLdfNePDQzvdEgIToLIUg.xml", 15, None),
    ("bilibili/rsshub_bilibili_user_video_28822227.xml", 10, None),
    ("malformed/huginn_iso-8859-1.rss", 1, "Mëkanïk Zaïn"),
    ("malformed/feedparser_gb2312_no_encoding_declaration.xml", 1, "不归移民漫画系列：专业工作"),
    ("malformed/feedparser_double_encoded_entities.xml", 1, None),
    ("malformed/feedparser_declared_utf8_invalid_bytes.xml", 1, None),
]


@pytest.mark.parametrize(("name", "count", "text"), RECORDED)
@respx.mock
def test_recorded_feeds(shared: Path, name: str, count: int, text: str | None) -> None:
    body = (shared / "fixtures" / name).read_bytes()
    content_type = "application/rss+xml; charset=ISO-8859-1" if "iso-8859-1" in name else \
        "application/xml"
    respx.get(URL).respond(200, content=body, headers={"Content-Type": content_type})
    result = fetch(source())  # type: ignore[arg-type]
    assert len(result.mentions) == count
    assert all(m.text for m in result.mentions)
    assert len({m.external_id or m.url for m in result.mentions}) == count
    if text:
        assert result.mentions[0].text == text
    if "malformed/feedparser" in name:
        assert result.warnings, "a feed parsed with problems says so"


# A feed declared UTF-8 with one item in GBK (#17 item 3): that item is decoded on its own and
# reported; the others keep their declared decoding; a re-detection that reads worse is not used.

def _item(n: int, title: str, text: str) -> str:
    return (f"<item><title>{title}</title><link>https://forum.test/t/{n}</link>"
            f"<guid>forum-{n}</guid><description>{text}</description></item>")


MIXED_ITEMS = [
    ("热水器漏电", "家里的热水器漏电了，孩子差点被电到，再不处理我就打12315！"),
    ("快递丢件", "快递一个星期了还没送到，客服电话一直打不通，物流太差了，非常失望"),
    ("面包过期", "收到的面包已经过期发霉了，吃了肚子疼，要求退款赔偿"),
    ("好评", "客服态度很好，安装师傅也很专业，点赞。"),
]


def _mixed_feed(odd: int, encode_odd: object) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>反馈</title>'
    parts = [head.encode()]
    for n, (title, text) in enumerate(MIXED_ITEMS):
        item = _item(n, title, text)
        parts.append(encode_odd(item) if n == odd else item.encode())  # type: ignore[operator]
    parts.append(b"</channel></rss>")
    return b"".join(parts)


@respx.mock
def test_one_gbk_item_in_a_utf8_feed_is_decoded_on_its_own() -> None:
    body = _mixed_feed(2, lambda item: item.encode("gbk"))
    respx.get(URL).respond(200, content=body, headers=XML)
    result = fetch(source())  # type: ignore[arg-type]
    assert [(m.title, m.text) for m in result.mentions] == MIXED_ITEMS
    assert any("entry 2" in w and "gb" in w.lower() for w in result.warnings), result.warnings


@respx.mock
def test_a_bad_byte_keeps_the_declared_decoding_when_detection_reads_worse() -> None:
    body = _mixed_feed(1, lambda item: item.encode().replace("送到".encode(),
                                                              b"\xff\xfe" + "送到".encode()))
    respx.get(URL).respond(200, content=body, headers=XML)
    result = fetch(source())  # type: ignore[arg-type]
    texts = [m.text for m in result.mentions]
    assert texts[0] == MIXED_ITEMS[0][1] and texts[2:] == [t for _, t in MIXED_ITEMS[2:]]
    assert texts[1].replace("\ufffd", "") == MIXED_ITEMS[1][1] and "\ufffd" in texts[1]
    assert any("entry 1" in w for w in result.warnings), result.warnings
