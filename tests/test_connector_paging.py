"""The sweep the presets share (connectors/paging.py): where it stops and what cursor it keeps."""

import asyncio
import json
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from connectors.paging import Item, Page, next_link, spent, sweep, with_query
from connectors.presets import count
from watcher.errors import SourceError
from watcher.http.client import Response
from watcher.model import Mention

OPTIONS = SimpleNamespace(max_pages=3, page_delay=timedelta(0))


def item(key: int, ident: str | None = None, pinned: bool = False) -> Item:
    mention = Mention(source="s", platform="p", text=f"post {key}", external_id=ident or str(key))
    return Item(mention, key, pinned)


def run(pages: list[Page | Exception], cursor: dict[str, Any] | None = None,
        options: Any = OPTIONS) -> tuple[Any, list[int]]:
    """Sweeps over `pages` (page n's `next` is n + 1); returns the result and the pages read."""
    asked: list[int] = []

    async def read(number: int) -> Page:
        asked.append(number)
        page = pages[number]
        if isinstance(page, Exception):
            raise page
        page.next = number + 1 if number + 1 < len(pages) else None
        return page

    return asyncio.run(sweep(read, 0, cursor or {}, options)), asked


def keys(result: Any) -> list[str]:
    return [m.external_id for m in result.mentions]


def test_first_sweep_reads_up_to_max_pages_and_keeps_the_newest() -> None:
    pages: list[Page | Exception] = [Page([item(9), item(8)]), Page([item(7)]),
                                     Page([item(6)]), Page([item(5)])]
    result, asked = run(pages)
    assert asked == [0, 1, 2] and keys(result) == ["9", "8", "7", "6"]
    assert result.cursor == {"newest": 9, "ids": ["9"]} and result.warnings == []
    json.dumps(result.cursor)


def test_later_sweep_stops_at_what_was_read() -> None:
    pages: list[Page | Exception] = [Page([item(12), item(11)]), Page([item(10), item(9)]),
                                     Page([item(8)])]
    result, asked = run(pages, {"newest": 9, "ids": ["9"]})
    assert asked == [0, 1] and keys(result) == ["12", "11", "10"]
    assert result.cursor["newest"] == 12


def test_same_key_is_told_apart_by_id() -> None:
    result, _ = run([Page([item(5, "b"), item(5, "a"), item(4)])], {"newest": 5, "ids": ["a"]})
    assert keys(result) == ["b"]
    assert result.cursor == {"newest": 5, "ids": ["a", "b"]}


def test_a_repeated_page_ends_the_sweep() -> None:
    same = [item(3), item(2)]
    result, asked = run([Page(list(same)), Page(list(same)), Page([item(1)])])
    assert asked == [0, 1] and keys(result) == ["3", "2"]
    assert any("repeats" in w for w in result.warnings)


def test_overlapping_pages_do_not_give_an_item_twice() -> None:
    result, _ = run([Page([item(3), item(2)]), Page([item(2), item(1)])])
    assert keys(result) == ["3", "2", "1"]


def test_a_pinned_old_post_does_not_end_the_sweep() -> None:
    pages: list[Page | Exception] = [Page([item(1, pinned=True), item(20), item(19)]),
                                     Page([item(18), item(9)])]
    result, asked = run(pages, {"newest": 9, "ids": ["9"]})
    assert asked == [0, 1] and keys(result) == ["20", "19", "18"]


def test_an_empty_page_ends_the_sweep_and_keeps_the_cursor() -> None:
    result, asked = run([Page(), Page([item(1)])], {"newest": 7, "ids": ["7"], "http": {"etag": "x"}})
    assert asked == [0] and result.mentions == []
    assert result.cursor == {"newest": 7, "ids": ["7"], "http": {"etag": "x"}}


def test_the_cap_on_a_later_sweep_says_what_may_be_missed() -> None:
    pages: list[Page | Exception] = [Page([item(30 - n)]) for n in range(5)]
    result, asked = run(pages, {"newest": 1, "ids": ["1"]})
    assert asked == [0, 1, 2] and any("max_pages" in w for w in result.warnings)


def test_a_spent_rate_limit_stops_paging_and_waits_before_the_next_sweep() -> None:
    first = Page([item(5)], spent="x-ratelimit-remaining: 0", wait=600)
    result, asked = run([first, Page([item(4)])])
    assert asked == [0] and keys(result) == ["5"]
    assert any("rate limit: x-ratelimit-remaining: 0" in w for w in result.warnings)
    assert result.cursor["not_before"] >= time.time() + 590
    again, asked_again = run([Page([item(6)])], result.cursor)
    assert asked_again == [] and again.mentions == [] and "skipped" in again.warnings[0]
    assert again.cursor == result.cursor


def test_a_short_backoff_is_waited_out_between_pages() -> None:
    started = time.monotonic()
    result, asked = run([Page([item(5)], wait=0.2), Page([item(4)])])
    assert asked == [0, 1] and time.monotonic() - started >= 0.2
    assert "not_before" not in result.cursor


def test_a_failing_later_page_keeps_the_earlier_ones() -> None:
    result, _ = run([Page([item(5)]), SourceError("HTTP 502 Bad Gateway", "http")])
    assert keys(result) == ["5"] and "page 2: HTTP 502" in result.warnings[0]
    with pytest.raises(SourceError):
        run([SourceError("HTTP 502", "http")])
    with pytest.raises(SourceError, match="cookie"):
        run([Page([item(5)]), SourceError("cookie expired", "auth")])


@pytest.mark.parametrize(("value", "expected"), [
    (12, 12), ("12", 12), ("1,024", 1024), ("3.5万", 35000), ("100万+", 1000000),
    ("1.2k", 1200), ("2亿", 200000000), (None, None), (True, None), ("many", None), ("", None),
])
def test_counts_as_platforms_write_them(value: object, expected: int | None) -> None:
    assert count(value) == expected


def test_with_query_keeps_the_urls_own_parameters() -> None:
    url = with_query("https://proxy.test/search?key=abc&q=old", {"q": "新 q", "page": None, "n": 2})
    assert httpx.URL(url).params.multi_items() == [("key", "abc"), ("q", "新 q"), ("n", "2")]


def response(link: str, url: str = "https://api.test/a?page=1") -> Response:
    return Response(url=url, status=200, headers=httpx.Headers({"Link": link}))


def test_next_link_only_on_the_same_origin() -> None:
    both = '<https://api.test/a?page=2>; rel="next", <https://api.test/a?page=9>; rel="last"'
    assert next_link(response(both)) == "https://api.test/a?page=2"
    assert next_link(response('<https://api.test/a?page=1>; rel="prev"')) is None
    assert next_link(response('<https://evil.test/a?page=2>; rel="next"')) is None
    assert next_link(response('</a?max_id=5>; rel="next"')) == "https://api.test/a?max_id=5"


def test_spent_reads_remaining_and_reset() -> None:
    headers = {"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "42"}
    said, wait = spent(headers, "x-ratelimit-remaining", "x-ratelimit-reset", epoch=False)
    assert said == "x-ratelimit-remaining: 0.0, x-ratelimit-reset: 42" and wait == 42
    later = {"remaining": "0", "reset": str(int(time.time()) + 100)}
    assert 95 <= spent(later, "remaining", "reset", epoch=True)[1] <= 100
    assert spent({"remaining": "5"}, "remaining", "reset", epoch=True) == (None, 0.0)
    assert spent({}, "remaining", "reset", epoch=True) == (None, 0.0)


def test_replies_of_new_items_come_before_the_next_page_and_count_as_pages() -> None:
    asked: list[object] = []

    def with_replies(key: int, thread: bool = False) -> Item:
        return Item(item(key).mention, key, replies=f"replies-{key}", thread=thread)

    async def read(request: object) -> Page:
        asked.append(request)
        if request == 0:
            return Page([with_replies(9), with_replies(5)], next=1)
        if request == 1:
            return Page([item(4)], next=2)
        return Page([item(100 + len(asked), f"r{len(asked)}", pinned=True)], aside=True)

    options = SimpleNamespace(max_pages=4, page_delay=timedelta(0))
    result = asyncio.run(sweep(read, 0, {"newest": 3, "ids": ["3"]}, options))
    assert asked == [0, "replies-9", "replies-5", 1]  # replies before the next page
    assert keys(result) == ["9", "5", "r2", "r3", "4"]
    asked.clear()
    result = asyncio.run(sweep(read, 0, {"newest": 5, "ids": ["5"]}, options))
    assert asked == [0, "replies-9"]  # 5 was read before: neither it nor its replies again
    assert keys(result) == ["9", "r2"]
    asked.clear()
    result = asyncio.run(sweep(read, 0, {}, SimpleNamespace(max_pages=2,
                                                            page_delay=timedelta(0))))
    assert asked == [0, "replies-9"]  # max_pages counts reply pages too


def test_a_thread_item_has_its_replies_read_every_sweep() -> None:
    asked: list[object] = []

    async def read(request: object) -> Page:
        asked.append(request)
        if request == 0:
            return Page([Item(item(5).mention, 5, replies="thread-5", thread=True)], next=None)
        return Page([], aside=True)

    asyncio.run(sweep(read, 0, {"newest": 5, "ids": ["5"]}, OPTIONS))
    assert asked == [0, "thread-5"]  # an account's newest post: old, its comments still read
