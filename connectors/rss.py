"""`rss`: RSS 0.9x/1.0/2.0 and Atom feeds, read with feedparser (it copes with wrong declared
encodings, undefined entities and loose markup, which real feeds are full of)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connectors.base import SinglePageConnector
from connectors.feed_encoding import declared_encoding, decode_by_item
from watcher.errors import SourceError
from watcher.model import FetchResult, Mention
from watcher.text import collapse, html_to_text, language

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import Response

# A body that ends without one of these closing tags was cut off on the way.
_CLOSING_TAGS = (b"</rss>", b"</feed>", b"</rdf:rdf>", b"</channel>")


class RssConnector(SinglePageConnector):
    kind = "rss"

    def read(self, source: SourceConfig, response: Response, result: FetchResult) -> None:
        feed = parse_feed(response, result.warnings)
        if feed.bozo:
            result.warnings.append(f"feed parsed with problems: {_describe(feed.bozo_exception)}")
        platform = self.platform(source)
        for index, entry in enumerate(feed.entries):
            mention = entry_to_mention(entry, source, platform)
            if mention is None:
                result.warnings.append(f"entry {index}: no text, title or link")
                continue
            if not (entry.get("id") or entry.get("guid")):
                result.warnings.append(f"entry {index}: no guid; identified by its link")
            result.mentions.append(mention)


def parse_feed(response: Response, warnings: list[str] | None = None) -> Any:
    """The feedparser result; a SourceError when the body is not a feed at all or is cut off.
    Items not in the feed's declared encoding are decoded one by one, each reported in
    `warnings`."""
    import feedparser  # lazy: ~20 ms, only when a feed answers with something new

    headers = {"content-type": response.headers.get("content-type", "application/xml")}
    feed = feedparser.parse(response.content, response_headers=headers)
    if feed.bozo and isinstance(feed.bozo_exception, feedparser.CharacterEncodingOverride):
        feed = _reparse_by_item(response, feed, warnings if warnings is not None else [])
    if not feed.bozo:
        return feed
    if not feed.version and not feed.entries:
        kind = "an HTML page" if b"<html" in response.content[:2048].lower() else "no feed"
        raise SourceError(
            f"expected an RSS or Atom feed, got {kind}: {_describe(feed.bozo_exception)}", "parse"
        )
    tail = response.content[-256:].rstrip().lower()
    if not any(tail.endswith(tag) for tag in _CLOSING_TAGS):
        raise SourceError(
            f"feed is truncated (no closing tag): {_describe(feed.bozo_exception)}", "parse"
        )
    return feed


def _reparse_by_item(response: Response, feed: Any, warnings: list[str]) -> Any:
    """feedparser fell back to a Western encoding for the whole feed because the declared one
    (or UTF-8) did not fit somewhere: often one item in GBK in a UTF-8 feed, or a GBK feed that
    declares nothing. Each item is decoded on its own instead (feed_encoding.py), and the feed
    parsed again as the UTF-8 that results."""
    import feedparser  # lazy: ~20 ms, only when a feed answers with something new

    declared = declared_encoding(response.content, response.charset)
    text = decode_by_item(response.content, declared, warnings)
    declared_utf8 = {"content-type": "application/xml; charset=utf-8"}
    again = feedparser.parse(text.encode("utf-8"), response_headers=declared_utf8)
    if again.entries or not feed.entries:
        said = f"not all of it is {declared}: read item by item"
        again["bozo"], again["bozo_exception"] = True, feedparser.CharacterEncodingOverride(said)
        return again
    return feed


def entry_to_mention(entry: Any, source: SourceConfig, platform: str) -> Mention | None:
    title = html_to_text(entry.get("title", "")) or None
    body = _body(entry)
    link = entry.get("link") or None
    if not body and not title and not link:
        return None
    text = body or title or ""
    return Mention(
        source=source.name,
        platform=platform,
        external_id=entry.get("id") or entry.get("guid") or None,
        url=link,
        author=entry.get("author") or None,
        title=title if body else None,
        text=text,
        created_at=_entry_time(entry),
        language=language(f"{title or ''} {text}"),
        raw=_raw(entry),
    )


def _body(entry: Any) -> str:
    for content in entry.get("content") or ():
        if content.get("value"):
            return _as_text(content["value"], content.get("type"))
    detail = dict.get(entry, "summary_detail") or {}
    return _as_text(entry.get("summary", "") or "", detail.get("type"))


def _as_text(value: str, content_type: str | None) -> str:
    """Plain text stays as written (`<this>` is text); HTML is reduced to its visible text."""
    return collapse(value) if content_type == "text/plain" else html_to_text(value)


def _entry_time(entry: Any) -> datetime | None:
    # dict.get: feedparser's own get() maps a missing `updated` to `published`, with a warning
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _raw(entry: Any) -> dict[str, Any]:
    keep = ("id", "link", "title", "author", "published", "updated", "summary")
    return {k: dict.get(entry, k) for k in keep if dict.get(entry, k) is not None}


def _describe(exc: Any) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


CONNECTOR = RssConnector()
