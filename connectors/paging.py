"""What the platform presets share: a sweep over a platform's pages, newest first, that stops
at what the cursor says was read before, and the small readers each preset needs.

A preset's cursor is `{"newest": key, "ids": [...]}`: the highest ordering key read so far (a
time in epoch seconds, or an id that grows with time) and the ids read at exactly that key, so
that two posts in the same second are neither lost nor read twice. `not_before` (epoch seconds)
is kept while the platform has asked for a pause; a feed's `http` validators pass through.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from connectors.base import Connector, get_conditional
from connectors.jsonapi import parse_json
from connectors.paths import MISSING, lookup
from connectors.records import FIELD_NAMES, FieldPaths, ItemError, build_mention
from connectors.rss import entry_to_mention, parse_feed
from watcher import secrets
from watcher.httpclient import HttpStatusError
from watcher.model import FetchResult, Mention, SourceError
from watcher.schema import parse_url

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.httpclient import HttpClient, Response

MAX_INLINE_WAIT = 10.0  # seconds; a platform asking for a longer pause ends the sweep instead
_LINK = re.compile(r"<([^>]*)>([^,<]*)")
_COUNT = re.compile(r"([\d.,]+)\s*(万|亿|[km])?\+?", re.I)
_UNITS = {"万": 10_000, "亿": 100_000_000, "k": 1_000, "m": 1_000_000}


@dataclass(frozen=True)
class Item:
    mention: Mention
    key: float | None  # orders items, newest highest; None: unordered, always new
    pinned: bool = False  # shown first out of order (Weibo's 置顶): never ends a sweep

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

    def take(self, page: Page) -> bool:
        """Keeps the new items of `page`; whether the page after it is wanted."""
        self.pages += 1
        self.result.warnings.extend(page.warnings)
        self.not_before = time.time() + page.wait if page.wait else None
        ids, before = {item.id for item in page.items}, {item.id for item in self.read}
        if ids and ids <= before:
            self.result.warnings.append(f"page {self.pages} repeats what was read; stopped")
            return False
        self.result.mentions += [i.mention for i in page.items
                                 if i.id not in before and self.mark.is_new(i)]
        self.read += page.items
        reached = any(not self.mark.is_new(i) for i in page.items if not i.pinned)
        return not (reached or not page.items or page.next is None) and self._may_go_on(page)

    def _may_go_on(self, page: Page) -> bool:
        if page.spent or page.wait > MAX_INLINE_WAIT:
            said = page.spent or f"the platform asked to wait {page.wait:g}s"
            self.result.warnings.append(f"rate limit: {said}; stopped after page {self.pages}")
            return False
        if self.pages < self.max_pages:
            return True
        if self.mark.newest is not None:
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
    platform's limit is spent, or `options.max_pages` were read. A failing page after the first
    ends the sweep with a warning and keeps what was read, unless the credentials failed."""
    waiting = cursor.get("not_before")
    if isinstance(waiting, int | float) and waiting > time.time():
        until = datetime.fromtimestamp(waiting, UTC).isoformat(timespec="seconds")
        return FetchResult([], dict(cursor), [f"the platform asked to wait until {until}; "
                                              "skipped this sweep"])
    state, request = _Sweep(cursor, options.max_pages), first
    while True:
        try:
            page = await read(request)
        except SourceError as exc:
            if state.pages == 0 or exc.kind == "auth":
                raise
            state.result.warnings.append(f"page {state.pages + 1}: {exc}; kept the pages before")
            break
        if not state.take(page):
            break
        await asyncio.sleep(max(options.page_delay.total_seconds(), page.wait))
        request = page.next
    return state.finish()


def one_page(page: Page, cursor: Mapping[str, Any]) -> FetchResult:
    """A feed's single page through the same cursor rules as a sweep."""
    state = _Sweep(cursor, 1)
    state.take(page)
    return state.finish()


class Preset(Connector):
    """A named platform: a default endpoint that `url` replaces, and the platform's name."""

    requires_url = False
    max_per_page: ClassVar[int] = 100
    required_text: ClassVar[tuple[str, ...]] = ()  # keys that must not be blank
    url_keys: ClassVar[tuple[str, ...]] = ()  # keys that hold an http(s) URL

    def default_url(self, options: Any) -> str:
        raise NotImplementedError

    def endpoint(self, source: SourceConfig) -> str:
        return source.url or self.default_url(source.options)

    def platform(self, source: SourceConfig) -> str:
        return source.platform or self.kind

    def check(self, options: Any) -> list[tuple[str, str]]:
        problems = [(key, "must not be empty") for key in self.required_text
                    if not (getattr(options, key) or "").strip()]
        for key in self.url_keys:
            try:
                parse_url(getattr(options, key))
            except ValueError as exc:
                problems.append((key, str(exc)))
        if getattr(options, "max_pages", 1) < 1:
            problems.append(("max_pages", "must be at least 1"))
        per_page = getattr(options, "per_page", None)
        if per_page is not None and not 1 <= per_page <= self.max_per_page:
            problems.append(("per_page", f"must be from 1 to {self.max_per_page}"))
        return problems


class FeedPreset(Preset):
    """A preset over an RSS or Atom feed, read by the `rss` kind: one page a sweep, conditional
    (ETag / Last-Modified), entries at or before the cursor's newest time left out."""

    def engagement(self, entry: Any) -> dict[str, int]:
        return {}

    async def fetch(self, source: SourceConfig, cursor: dict[str, Any],
                    http: HttpClient) -> FetchResult:
        response, kept = await get_conditional(source, cursor, http, url=self.endpoint(source))
        if response.not_modified:
            return FetchResult([], kept, not_modified=True)
        feed = parse_feed(response)
        page = Page()
        if feed.bozo:
            page.warnings.append(f"feed parsed with problems: {feed.bozo_exception}"[:200])
        for index, entry in enumerate(feed.entries):
            mention = entry_to_mention(entry, source, self.platform(source))
            if mention is None:
                page.warnings.append(f"entry {index}: no text, title or link")
                continue
            mention.engagement = self.engagement(entry)
            when = mention.created_at.timestamp() if mention.created_at else None
            page.items.append(Item(mention, when))
        return one_page(page, kept)


@dataclass(frozen=True)
class Counts:
    """Where each engagement count is found in an item (dotted paths)."""

    likes: str | None = None
    reposts: str | None = None
    replies: str | None = None


@dataclass(frozen=True, kw_only=True)
class Paged:
    """The keys of every paged preset; each may change a default (and add `per_page`)."""

    max_pages: int = 3  # pages one sweep reads at most (the first sweep, too)
    page_delay: timedelta = timedelta(seconds=1)  # politeness between page requests


class JsonPreset(Preset):
    """A preset over a JSON API, declared where it can be: `items` and `fields` say where the
    posts and their fields are (dotted paths, as for the `json` kind), `counts` where the
    engagement counts are. The methods below say what to ask for and how to read the rest."""

    items: ClassVar[str] = ""
    fields: ClassVar[FieldPaths] = FieldPaths()
    counts: ClassVar[Counts] = Counts()
    plain_text: ClassVar[bool] = False  # text and title are plain text, not HTML
    link_base: ClassVar[str] = ""  # what relative item URLs are relative to (else the answer)
    extra_headers: ClassVar[Mapping[str, str]] = {}
    credential: ClassVar[tuple[str, str, str] | None] = None  # (header, option key, prefix)
    auth_statuses: ClassVar[frozenset[int]] = frozenset({401, 403, 432})
    refused: ClassVar[str] = "the platform refused the credentials; they may have expired"

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> Any:
        return None

    def address(self, source: SourceConfig, request: Any) -> str:
        raise NotImplementedError

    def next(self, document: Any, response: Response, request: Any) -> Any:
        """What to ask for to get the next page; None when this one is the last."""
        return None

    def limit(self, document: Any, response: Response) -> tuple[str | None, float]:
        """(what the platform said when no requests are left, seconds to wait before the next)."""
        return None, 0.0

    def check_response(self, response: Response) -> None:
        """Raises for an answer that is not the API's at all (a log-in page), before parsing."""

    def envelope(self, document: Any) -> list[Any] | None:
        """The answer's items; None when the platform says it found nothing."""
        return items_at(document, self.items)

    def values(self, raw: Any) -> dict[str, Any]:
        values = {name: pick(raw, path) if (path := getattr(self.fields, name)) else None
                  for name in FIELD_NAMES}
        if self.plain_text:
            values.update(text=plain(values["text"]), title=plain(values["title"]))
        return values

    def item(self, source: SourceConfig, raw: Any) -> Item | None:
        """The Item for one raw item; None for one that is not a post at all."""
        return self.make(source, self.values(raw), raw)

    def make(self, source: SourceConfig, values: dict[str, Any], raw: Any, *,
             key: Any = "time", pinned: bool = False) -> Item:
        """An Item from picked values, ordered by `key` (`"time"`: its created time). Raises
        ItemError for an item without an id, text or ordering key."""
        if values.get("id") in (None, ""):
            raise ItemError("no id")
        mention = build_mention(values, source=source, platform=self.platform(source),
                                base_url=self.link_base, raw=raw)
        paths = {f.name: getattr(self.counts, f.name) for f in fields(Counts)}
        mention.engagement = {name: n for name, path in paths.items()
                              if path and (n := count(pick(raw, path))) is not None}
        if key == "time":
            if mention.created_at is None:
                raise ItemError(f"no readable created time ({values.get('time')!r})")
            key = mention.created_at.timestamp()
        elif not isinstance(key, int | float) or isinstance(key, bool):
            raise ItemError(f"no ordering key ({key!r})")
        return Item(mention, key, pinned)

    def page(self, source: SourceConfig, document: Any, response: Response, request: Any) -> Page:
        """The items of one answer; one that cannot be read is a warning, not an error."""
        page = Page()
        for index, raw in enumerate(self.envelope(document) or ()):
            try:
                item = self.item(source, raw)
            except ItemError as exc:
                page.warnings.append(f"item {index}: {exc}")
                continue
            if item is not None:
                page.items.append(item)
        page.next = self.next(document, response, request) if page.items else None
        page.spent, page.wait = self.limit(document, response)
        return page

    def headers(self, source: SourceConfig) -> dict[str, str]:
        headers = {**self.extra_headers, **source.headers}
        name, key, prefix = self.credential or ("", "", "")
        if value := key and getattr(source.options, key):
            secrets.register(value)  # masked in logs even when not written as ${ENV}
            headers[name] = prefix + value
        return headers

    async def fetch(self, source: SourceConfig, cursor: dict[str, Any],
                    http: HttpClient) -> FetchResult:
        headers = self.headers(source)

        async def read(request: Any) -> Page:
            try:
                response = await http.get(self.address(source, request), headers=headers)
            except HttpStatusError as exc:
                if exc.status not in self.auth_statuses:
                    raise
                raise HttpStatusError(f"{self.refused} (HTTP {exc.status})", exc.status,
                                      "auth") from None
            self.check_response(response)
            return self.page(source, parse_json(response), response, request)

        return await sweep(read, self.first(source, cursor), cursor, source.options)


def plain(text: Any) -> str | None:
    """Plain text escaped, so that the HTML stripping every mention gets leaves `a<b` as is."""
    return html.escape(text, quote=False) if isinstance(text, str) else None


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


def items_at(document: Any, path: str) -> list[Any]:
    """The list at `path`; a changed envelope is an error for the whole response."""
    items = lookup(document, path)
    if not isinstance(items, list):
        found = "nothing" if items is MISSING else type(items).__name__
        raise SourceError(f"changed shape: {path or 'the document'} is not a list "
                          f"(found {found})", "parse")
    return items


def pick(document: Any, path: str) -> Any:
    value = lookup(document, path)
    return None if value is MISSING or value == "" else value


def count(value: Any) -> int | None:
    """A count as platforms write it: 12, "12", "1,024", "3.5万", "100万+", "1.2k"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    match = _COUNT.fullmatch(str(value).strip())
    if not match:
        return None
    try:
        number = float(match.group(1).replace(",", ""))
    except ValueError:
        return None
    return int(number * _UNITS.get((match.group(2) or "").lower(), 1))


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
