"""How the platform presets read only what is new: a sweep over a platform's pages, newest
first, that stops at what the cursor says was read before, and the paging helpers.

A preset's cursor is `{"newest": key, "ids": [...]}`: the highest ordering key read so far (a
time in epoch seconds, or an id that grows with time) and the ids read at exactly that key, so
that two posts in the same second are neither lost nor read twice. `not_before` (epoch seconds)
is kept while the platform has asked for a pause; a feed's `http` validators pass through.

Comment threads: an item may bring the request for its replies (`Item.replies`). The replies of
the new items of a page are read before the next page, each request counting as a page against
`max_pages`; a page of replies (`Page.aside`) neither ends the sweep nor pages on by itself.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from watcher.errors import SourceError
from watcher.model import FetchResult, Mention

if TYPE_CHECKING:
    from watcher.http.client import Response

MAX_INLINE_WAIT = 10.0  # seconds; a platform asking for a longer pause ends the sweep instead
_LINK = re.compile(r"<([^>]*)>([^,<]*)")


@dataclass(frozen=True)
class Item:
    mention: Mention
    key: float | None  # orders items, newest highest; None: unordered, always new
    pinned: bool = False  # out of order (Weibo's 置顶, a hot-sorted comment): never ends a sweep
    replies: Any = None  # the request for this item's replies, read when the item is new
    thread: bool = False  # its replies are read every sweep (an account's newest posts)

    @property
    def id(self) -> str:
        return self.mention.external_id or self.mention.url or self.mention.text


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    next: Any = None  # what to ask for to get the next (older) page; None on the last
    wait: float = 0.0  # seconds the platform asked for before the next request
    spent: str | None = None  # the platform said no requests are left: what it said
    aside: bool = False  # replies to an item of an earlier page: never ends the sweep


@dataclass(frozen=True)
class Mark:
    """Where the last sweep got to: the newest key read and the ids read at that key."""

    newest: float | None = None
    ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, cursor: Mapping[str, Any]) -> Mark:
        newest = cursor.get("newest")
        if isinstance(newest, bool) or not isinstance(newest, int | float):
            return cls()
        return cls(newest, frozenset(str(i) for i in cursor.get("ids") or ()))

    def is_new(self, item: Item) -> bool:
        if self.newest is None or item.key is None or item.key > self.newest:
            return True
        return item.key == self.newest and item.id not in self.ids

    def after(self, items: Iterable[Item]) -> Mark:
        keyed = [i for i in items if i.key is not None]
        top = max((i.key for i in keyed if i.key is not None), default=None)
        if top is None or (self.newest is not None and top < self.newest):
            return self
        ids = {i.id for i in keyed if i.key == top} | (self.ids if top == self.newest else set())
        return Mark(top, frozenset(ids))

    def saved(self) -> dict[str, Any]:
        return {} if self.newest is None else {"newest": self.newest, "ids": sorted(self.ids)}


class _Sweep:
    """The mentions and cursor of one sweep, page by page."""

    def __init__(self, cursor: Mapping[str, Any], max_pages: int) -> None:
        self.mark = Mark.of(cursor)
        self.kept = {k: v for k, v in cursor.items() if k not in ("newest", "ids", "not_before")}
        self.result = FetchResult([], {})
        self.read: list[Item] = []
        self.pages, self.max_pages = 0, max_pages
        self.not_before: float | None = None
        self.replies: deque[Any] = deque()  # reply requests of new items, read next
        self.halted = False  # the platform's limit is spent: nothing more this sweep

    def take(self, page: Page) -> bool:
        """Keeps the new items of `page` (and queues their replies); whether the page after it
        is wanted."""
        self.pages += 1
        self.result.warnings.extend(page.warnings)
        self.not_before = time.time() + page.wait if page.wait else None
        ids, before = {item.id for item in page.items}, {item.id for item in self.read}
        if ids and ids <= before and not page.aside:
            self.result.warnings.append(f"page {self.pages} repeats what was read; stopped")
            return False
        new = [i for i in page.items if i.id not in before and self.mark.is_new(i)]
        self.result.mentions += [i.mention for i in new]
        fresh = {i.id for i in new}
        self.replies.extend(i.replies for i in page.items if i.replies is not None
                            and i.id not in before and (i.thread or i.id in fresh))
        self.read += page.items
        if page.aside:
            return self._may_go_on(page, warn=False)
        reached = any(not self.mark.is_new(i) for i in page.items if not i.pinned)
        ordered = any(not i.pinned for i in page.items)
        return not (reached or not page.items or page.next is None) and \
            self._may_go_on(page, warn=ordered)

    def _may_go_on(self, page: Page, warn: bool) -> bool:
        if page.spent or page.wait > MAX_INLINE_WAIT:
            said = page.spent or f"the platform asked to wait {page.wait:g}s"
            self.result.warnings.append(f"rate limit: {said}; stopped after page {self.pages}")
            self.halted = True
            return False
        if self.pages < self.max_pages:
            return True
        if self.mark.newest is not None and warn:
            self.result.warnings.append(
                f"stopped at max_pages = {self.max_pages} before reaching the items read last "
                "time; new items older than these were not read")
        return False

    def finish(self) -> FetchResult:
        self.result.cursor = {**self.kept, **self.mark.after(self.read).saved()}
        if self.not_before and self.not_before > time.time():
            self.result.cursor["not_before"] = round(self.not_before)
        return self.result


async def sweep(read: Callable[[Any], Awaitable[Page]], first: Any, cursor: Mapping[str, Any],
                options: Any) -> FetchResult:
    """Reads pages from `first` on until one reaches the cursor, repeats, is empty or last, the
    platform's limit is spent, or `options.max_pages` were read; the replies of each page's new
    items are read before the next page. A failing page after the first ends the sweep with a
    warning and keeps what was read, unless the credentials failed or the platform blocked."""
    waiting = cursor.get("not_before")
    if isinstance(waiting, int | float) and waiting > time.time():
        until = datetime.fromtimestamp(waiting, UTC).isoformat(timespec="seconds")
        return FetchResult([], dict(cursor), [f"the platform asked to wait until {until}; "
                                              "skipped this sweep"])
    state, request, following = _Sweep(cursor, options.max_pages), first, None
    while True:
        try:
            page = await read(request)
        except SourceError as exc:
            if state.pages == 0 or exc.kind in ("auth", "blocked"):
                raise
            state.result.warnings.append(f"page {state.pages + 1}: {exc}; kept the pages before")
            break
        going = state.take(page)
        if not page.aside:
            following = page.next if going else None
        if state.halted or state.pages >= options.max_pages:
            break
        request = state.replies.popleft() if state.replies else following
        if request is None:
            break
        await asyncio.sleep(max(options.page_delay.total_seconds(), page.wait))
    return state.finish()


def one_page(page: Page, cursor: Mapping[str, Any]) -> FetchResult:
    """A feed's single page through the same cursor rules as a sweep."""
    state = _Sweep(cursor, 1)
    state.take(page)
    return state.finish()


def with_query(url: str, params: Mapping[str, Any]) -> str:
    """`url` with `params` (None values left out) added to its own query string, which httpx
    would drop if they were passed as `params`: a proxy's URL may carry a key of its own."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def next_link(response: Response) -> str | None:
    """The `Link: <…>; rel="next"` target, only on the same origin: a token is never sent on."""
    for target, attributes in _LINK.findall(response.headers.get("link", "")):
        if re.search(r'rel="?next"?(\s|;|$)', attributes.strip()):
            url = urljoin(response.url, target)
            return url if urlsplit(url)[:2] == urlsplit(response.url)[:2] else None
    return None


def spent(headers: Mapping[str, str], remaining: str, reset: str, *,
          epoch: bool) -> tuple[str | None, float]:
    """(what the headers said, seconds until the limit resets) when no requests are left, else
    (None, 0). `epoch`: the reset header is a Unix time, not a number of seconds."""
    left, resets = _number(headers.get(remaining)), _number(headers.get(reset))
    if left is None or left >= 1:
        return None, 0.0
    wait = (resets - time.time() if epoch else resets) if resets is not None else 0.0
    return f"{remaining}: {headers.get(remaining)}, {reset}: {headers.get(reset)}", max(0.0, wait)

def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
