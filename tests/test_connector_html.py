from pathlib import Path

import respx

from tests.helpers import fetch, source_from

PAGE = (Path(__file__).parent / "fixtures" / "shop_reviews.html").read_bytes()
URL = "https://shop.test/item/1/reviews"


def shop_source() -> object:
    return source_from(
        kind="html", url=URL, items="li.review",
        fields={"id": "@data-id", "text": "p.content", "author": ".user",
                "url": "a.link@href", "time": "time@datetime", "rating": ".stars"},
    )


@respx.mock
def test_items_and_fields() -> None:
    respx.get(URL).respond(200, content=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    result = fetch(shop_source())  # type: ignore[arg-type]
    first, second = result.mentions
    assert first.external_id == "r1001"
    assert first.author == "小王"
    assert "漏电" in first.text
    assert first.url == "https://shop.test/review/r1001"
    assert first.created_at is not None and first.created_at.isoformat() == "2026-11-22T10:15:00+08:00"
    assert first.rating == 1.0 and first.platform == "shop.test" and first.language == "zh"
    assert second.text.endswith("好评&推荐")
    assert result.warnings == ["item 2: item has no text or title"]


@respx.mock
def test_whole_item_text_by_default() -> None:
    respx.get(URL).respond(200, content=PAGE, headers={"Content-Type": "text/html"})
    result = fetch(source_from(kind="html", url=URL, items="li.review"))
    assert "小王" in result.mentions[0].text and "漏电" in result.mentions[0].text
    assert result.mentions[0].url == "https://shop.test/review/r1001"


@respx.mock
def test_page_without_items_is_a_warning() -> None:
    respx.get(URL).respond(200, content=b"<html><body>captcha</body></html>",
                           headers={"Content-Type": "text/html"})
    result = fetch(shop_source())  # type: ignore[arg-type]
    assert result.mentions == []
    assert "no element matches" in result.warnings[0]


@respx.mock
def test_gbk_page_declared_in_header() -> None:
    body = PAGE.replace(b'<meta charset="utf-8">', b"").decode().encode("gbk")
    respx.get(URL).respond(200, content=body, headers={"Content-Type": "text/html; charset=GBK"})
    assert "漏电" in fetch(shop_source()).mentions[0].text  # type: ignore[arg-type]


@respx.mock
def test_binary_body_is_an_error() -> None:
    respx.get(URL).respond(200, content=b"\x89PNG\x00\x00\x00", headers={"Content-Type": "image/png"})
    import pytest

    from watcher.model import SourceError

    with pytest.raises(SourceError, match="binary"):
        fetch(shop_source())  # type: ignore[arg-type]
