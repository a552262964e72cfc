"""The platform presets' base classes: a named platform with a default endpoint that `url`
replaces, a feed preset on the `rss` kind, a JSON preset declared by where its items, fields and
counts are, and the small readers each preset needs."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from connectors.base import Connector, get_conditional
from connectors.jsonapi import parse_json
from connectors.paging import Item, Page, one_page, sweep
from connectors.paths import MISSING, lookup
from connectors.records import FIELD_NAMES, FieldPaths, build_mention
from connectors.rss import entry_to_mention, parse_feed
from watcher import redaction
from watcher.config.schema import parse_url
from watcher.errors import ItemError, SourceError
from watcher.http.client import HttpStatusError
from watcher.model import FetchResult

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import HttpClient, Response

_COUNT = re.compile(r"([\d.,]+)\s*(万|亿|[km])?\+?", re.I)
_UNITS = {"万": 10_000, "亿": 100_000_000, "k": 1_000, "m": 1_000_000}


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
        page = Page()
        feed = parse_feed(response, page.warnings)
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
            redaction.register(value)  # masked in logs even when not written as ${ENV}
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
            warnings: list[str] = []
            page = self.page(source, parse_json(response, warnings), response, request)
            page.warnings[:0] = warnings
            return page

        return await sweep(read, self.first(source, cursor), cursor, source.options)


def plain(text: Any) -> str | None:
    """Plain text escaped, so that the HTML stripping every mention gets leaves `a<b` as is."""
    return html.escape(text, quote=False) if isinstance(text, str) else None


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
